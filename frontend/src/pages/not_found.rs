//! Any address the app does not know.

use leptos::prelude::*;

use crate::{components::set_title, session::StartPageLink};

/// "Page not found".
#[component]
pub(crate) fn NotFound() -> impl IntoView {
    set_title("Page not found");
    view! {
        <h1 class="govuk-heading-l" data-testid="not-found">"Page not found"</h1>
        <p class="govuk-body">"If you typed the web address, check it is correct."</p>
        <StartPageLink />
    }
}
