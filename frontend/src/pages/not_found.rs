//! Any address the app does not know.

use leptos::prelude::*;

use crate::components::set_title;

/// "Page not found".
#[component]
pub(crate) fn NotFound() -> impl IntoView {
    set_title("Page not found");
    view! {
        <h1 class="govuk-heading-l">"Page not found"</h1>
        <p class="govuk-body">"If you typed the web address, check it is correct."</p>
        <p class="govuk-body"><a class="govuk-link" href="/">"Go to the list of regions"</a></p>
    }
}
