//! A recipient body's start page: the letters distributed to it.

use leptos::prelude::*;

use crate::components::set_title;

/// "Letters": none can be distributed yet.
#[component]
pub(crate) fn LettersPage() -> impl IntoView {
    set_title("Letters");
    view! {
        <h1 class="govuk-heading-l" data-testid="start-page">"Letters"</h1>
        <p class="govuk-body">"No letters have been distributed to you yet."</p>
    }
}
