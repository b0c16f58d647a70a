//! Any address the app does not know.

use leptos::prelude::*;

use crate::{
    components::set_title,
    session::{start_path, use_session},
};

/// "Page not found".
#[component]
pub(crate) fn NotFound() -> impl IntoView {
    set_title("Page not found");
    let session = use_session();
    let start = move || session.person().map_or_else(|| "/".to_owned(), |person| start_path(&person));
    view! {
        <h1 class="govuk-heading-l" data-testid="not-found">"Page not found"</h1>
        <p class="govuk-body">"If you typed the web address, check it is correct."</p>
        <p class="govuk-body"><a class="govuk-link" href=start>"Go to your start page"</a></p>
    }
}
