//! A local area user's start page: their own local area.

use leptos::prelude::*;

use crate::{components::set_title, session::use_session};

/// The signed-in person's local area. Visit requests will be listed here.
#[component]
pub(crate) fn LocalAreaPage() -> impl IntoView {
    let session = use_session();
    let name = move || session.person().map(|person| person.scope_label).unwrap_or_default();
    Effect::new(move || set_title(&name()));
    view! {
        <h1 class="govuk-heading-l" data-testid="start-page">{name}</h1>
        <p class="govuk-body" data-testid="visit-requests">
            "Visit requests for your local area will appear here. There are none yet."
        </p>
    }
}
