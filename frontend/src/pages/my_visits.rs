//! An inspector's start page: the visits they are assigned to.

use leptos::prelude::*;

use crate::components::set_title;

/// "Your visits": none can be assigned yet.
#[component]
pub(crate) fn MyVisitsPage() -> impl IntoView {
    set_title("Your visits");
    view! {
        <h1 class="govuk-heading-l" data-testid="start-page">"Your visits"</h1>
        <p class="govuk-body">"No visits are assigned to you yet."</p>
    }
}
