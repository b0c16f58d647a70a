//! National planners: every safeguarding concern recorded on a visit request, newest first.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    api,
    components::{Loaded, Table, columns, nothing, set_title},
    format::{count, time_label},
};

/// The escalated concerns, each linking to its request.
#[component]
pub(crate) fn SafeguardingPage() -> impl IntoView {
    set_title("Safeguarding concerns");
    let concerns = LocalResource::new(api::list_safeguarding_concerns);
    view! {
        <h1 class="govuk-heading-l">"Safeguarding concerns"</h1>
        <p class="govuk-body">
            "A concern that a child is at immediate risk of significant harm is escalated here as soon as anyone who can see a visit request records it. It overrides the request's confidentiality."
        </p>
        <Loaded
            resource=concerns
            what="safeguarding concerns"
            is_empty=Vec::is_empty
            empty=nothing("no-concerns", "No safeguarding concerns have been recorded.")
            show={|concerns: Vec<proto::pb::SafeguardingConcern>| {
                let caption = count(concerns.len(), "escalated concern", "escalated concerns");
                let rows = concerns
                    .into_iter()
                    .map(|c| {
                        view! {
                            <tr class="govuk-table__row">
                                <td class="govuk-table__cell">{time_label(&c.raised_at)}</td>
                                <td class="govuk-table__cell">
                                    <A href=format!("/requests/{}", c.request_id) attr:class="govuk-link">{c.local_area_name}</A>
                                </td>
                                <td class="govuk-table__cell">{c.region_name}</td>
                                <td class="govuk-table__cell">{c.raised_by}</td>
                                <td class="govuk-table__cell">{c.note}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                let names = ["Raised", "Local area", "Region", "Raised by", "Concern"];
                view! { <Table testid="concerns" caption columns=columns(&names)>{rows}</Table> }
            }}
        />
    }
}
