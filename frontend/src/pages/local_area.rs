//! A local area user's start page: their own local area, its confirmed inspections and visits,
//! and the visit requests waiting for its answer.

use leptos::prelude::*;
use leptos_router::components::A;
use proto::pb::{Engagement, RequestState};

use crate::{
    api,
    components::{EngagementStateTag, Loaded, Table, columns, nothing, set_title},
    format::{date_label, engagement_kind_label, range_label},
    pages::attention::WhatNeedsAttention,
    session::use_session,
};

/// The signed-in person's local area, its confirmed engagements, how many visit requests wait
/// for its answer, and the way to all of them.
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
    // The server shows a local area only its own confirmed engagements, never teams or notes.
    let engagements = LocalResource::new(|| api::list_engagements(String::new(), 0));
    let confirmed = view! {
        <Loaded
            resource=engagements
            what="inspections and visits"
            is_empty=Vec::is_empty
            empty=nothing("no-engagements", "No inspections or visits are confirmed for your local area this academic year.")
            show=|list| view! { <Confirmed engagements=list /> }
        />
    };
    view! {
        <h1 class="govuk-heading-l" data-testid="start-page">{name}</h1>
        <WhatNeedsAttention />
        <h2 class="govuk-heading-m">"Inspections and visits"</h2>
        {confirmed}
        <h2 class="govuk-heading-m">"Interim visit requests"</h2>
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

/// The confirmed engagements: kind, dates and notice.
#[component]
fn Confirmed(engagements: Vec<Engagement>) -> impl IntoView {
    let rows = engagements
        .into_iter()
        .map(|e| {
            let state = e.state();
            let notified = e
                .timeline
                .as_ref()
                .map_or_else(|| "No notice".to_owned(), |t| date_label(&t.notification_date));
            view! {
                <tr class="govuk-table__row" data-engagement=e.id.clone()>
                    <th scope="row" class="govuk-table__header">{engagement_kind_label(e.kind())}</th>
                    <td class="govuk-table__cell">{range_label(e.onsite.as_ref())}</td>
                    <td class="govuk-table__cell">{notified}</td>
                    <td class="govuk-table__cell"><EngagementStateTag state /></td>
                    <td class="govuk-table__cell">
                        <A href=format!("/engagements/{}/case-studies", e.id) attr:class="govuk-link" attr:data-testid="case-studies-link">
                            {format!("Case studies for the {}", engagement_kind_label(e.kind()).to_lowercase())}
                        </A>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let names = ["Kind", "Onsite", "Notification date", "State", "Case studies"];
    view! {
        <Table testid="engagements" caption="Confirmed this academic year" small=true columns=columns(&names)>
            {rows}
        </Table>
    }
}
