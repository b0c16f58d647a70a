//! The visit requests the signed-in person may see, with a state filter.

use leptos::prelude::*;
use leptos_router::components::A;
use proto::pb::{RequestState, Role, VisitRequest};

use crate::{
    api,
    components::{Loaded, Select, StateTag, Table, choices, columns, set_title},
    format::{STATES, count, date_label, phase_label, range_label, state_label},
    session::{Page, may_use, use_session},
};

/// The requests table: national planners see all of England, regional leads their region and
/// local area users their own area (the server decides). Planners and leads can ask for a new
/// visit from here.
#[component]
pub(crate) fn RequestsPage() -> impl IntoView {
    set_title("Visit requests");
    let session = use_session();
    let state = RwSignal::new(RequestState::Unspecified);
    let requests = LocalResource::new(move || api::list_visit_requests(state.get()));
    let may_ask = move || session.person().is_some_and(|person| may_use(&person, &Page::NewVisitRequest));
    let states = choices(&STATES, state_label);
    let scope = move || {
        session.person().map(|person| match person.role() {
            Role::NationalPlanner => "Requests for interim visits to local areas across England.".to_owned(),
            _ => format!("Requests for interim visits to {}.", person.scope_label),
        })
    };
    view! {
        <h1 class="govuk-heading-l">"Visit requests"</h1>
        <p class="govuk-body">{scope}</p>
        <p class="govuk-body">
            "Requests and answers are confidential: only national planners, the region's lead and the local area can see them."
        </p>
        {move || {
            may_ask()
                .then(|| {
                    view! {
                        <A href="/requests/new" attr:class="govuk-button" attr:data-testid="new-request">
                            "Request an interim visit"
                        </A>
                    }
                })
        }}
        <Select
            id="state-filter"
            label="Show requests that are"
            choices=states
            value=state
            placeholder=("In any state", RequestState::Unspecified)
        />
        <Loaded resource=requests what="visit requests" show={move |page: proto::pb::ListVisitRequestsResponse| {
            if page.requests.is_empty() {
                let text = if state.get_untracked() == RequestState::Unspecified {
                    "There are no visit requests yet."
                } else {
                    "No visit requests are in this state."
                };
                view! { <p class="govuk-body" data-testid="no-requests">{text}</p> }.into_any()
            } else {
                view! { <RequestsTable requests=page.requests more=!page.next_page_token.is_empty() /> }.into_any()
            }
        }} />
    }
}

/// One row per request, the local area's name linking to it.
#[component]
fn RequestsTable(requests: Vec<VisitRequest>, more: bool) -> impl IntoView {
    let caption = count(requests.len(), "visit request", "visit requests");
    let rows = requests
        .into_iter()
        .map(|r| {
            let state = r.state();
            let concern = r.safeguarding_concern.then(|| {
                view! { <strong class="govuk-tag govuk-tag--red app-tag-gap">"Safeguarding concern"</strong> }
            });
            view! {
                <tr class="govuk-table__row" data-request=r.id.clone()>
                    <th scope="row" class="govuk-table__header">
                        <A href=format!("/requests/{}", r.id) attr:class="govuk-link">{r.local_area_name}</A>
                    </th>
                    <td class="govuk-table__cell">{r.region_name}</td>
                    <td class="govuk-table__cell">{phase_label(r.phase.as_ref())}</td>
                    <td class="govuk-table__cell">{range_label(r.window.as_ref())}</td>
                    <td class="govuk-table__cell">{date_label(&r.reply_by)}</td>
                    <td class="govuk-table__cell"><StateTag state />{concern}</td>
                </tr>
            }
        })
        .collect_view();
    let names = ["Local area", "Region", "Phase", "Proposed window", "Reply by", "State"];
    view! {
        <Table testid="requests" caption columns=columns(&names)>{rows}</Table>
        {more.then(|| view! { <p class="govuk-body">"Only the newest 100 requests are shown."</p> })}
    }
}
