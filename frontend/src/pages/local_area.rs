//! A local area user's start page: their own local area and the visit requests waiting for its
//! answer.

use leptos::prelude::*;
use leptos_router::components::A;
use proto::pb::RequestState;

use crate::{api, components::set_title, session::use_session};

/// The signed-in person's local area, how many visit requests wait for its answer, and the way
/// to all of them.
#[component]
pub(crate) fn LocalAreaPage() -> impl IntoView {
    let session = use_session();
    let name = move || session.person().map(|person| person.scope_label).unwrap_or_default();
    Effect::new(move || set_title(&name()));
    let waiting = LocalResource::new(|| api::list_visit_requests(RequestState::Requested));
    let waiting_text = move || {
        waiting.get().and_then(Result::ok).map(|page| match page.requests.len() {
            0 => "No visit requests are waiting for your answer.".to_owned(),
            1 => "1 visit request is waiting for your answer.".to_owned(),
            n => format!("{n} visit requests are waiting for your answer."),
        })
    };
    view! {
        <h1 class="govuk-heading-l" data-testid="start-page">{name}</h1>
        <p class="govuk-body">
            "The inspectorates may ask your local area for a voluntary interim visit. Each request and your written answer are confidential to your local area, your region's lead and national planners."
        </p>
        <p class="govuk-body" role="status" data-testid="waiting">{waiting_text}</p>
        <p class="govuk-body">
            <A href="/requests" attr:class="govuk-link" attr:data-testid="visit-requests">
                "Your local area's visit requests"
            </A>
        </p>
    }
}
