//! National planners and administrators: the people who repeatedly asked, in the last day, for
//! records they may not see. Each of those requests was answered as if nothing existed.

use leptos::prelude::*;
use proto::pb::SuspiciousCaller;

use crate::{
    api,
    components::{Loaded, Table, columns, nothing, set_title},
    format::{count, time_label},
    session::role_label,
};

/// The callers with 5 or more such requests in the last 24 hours, most attempts first.
#[component]
pub(crate) fn SuspiciousAccessPage() -> impl IntoView {
    set_title("Suspicious access");
    let callers = LocalResource::new(api::list_suspicious_access);
    view! {
        <h1 class="govuk-heading-l">"Suspicious access"</h1>
        <p class="govuk-body">
            "These people asked 5 or more times in the last 24 hours for records they are not allowed to see. Each time they were told the record does not exist, so they do not know it is there or that they were noticed."
        </p>
        <Loaded
            resource=callers
            what="suspicious access"
            is_empty=Vec::is_empty
            empty=nothing("no-suspicious-access", "No one has repeatedly asked for records they may not see in the last 24 hours.")
            show={|callers: Vec<SuspiciousCaller>| {
                let caption = count(callers.len(), "person in the last 24 hours", "people in the last 24 hours");
                let rows = callers.into_iter().map(|caller| view! { <CallerRow caller /> }).collect_view();
                let names = ["Person", "Attempts", "What they asked for", "First and last attempt"];
                view! {
                    <Table testid="suspicious-callers" caption columns=columns(&names) numeric=&[1] modifier="govuk-table--small-text-until-tablet app-table--reflow">
                        {rows}
                    </Table>
                }
            }}
        />
    }
}

/// One person: who they are, how often they asked, for what, and when.
#[component]
fn CallerRow(caller: SuspiciousCaller) -> impl IntoView {
    let role = role_label(caller.role());
    let kinds = caller
        .kinds
        .iter()
        .map(|kind| view! { <li>{format!("{} ({})", kind.kind, kind.misses)}</li> })
        .collect_view();
    let (first, last) = (time_label(&caller.first_at), time_label(&caller.last_at));
    let when = if first == last { first } else { format!("{first} to {last}") };
    view! {
        <tr class="govuk-table__row" data-testid="suspicious-caller">
            <td class="govuk-table__cell">
                <span class="govuk-!-font-weight-bold">{caller.display_name}</span>
                <br />
                {role}
            </td>
            <td class="govuk-table__cell govuk-table__cell--numeric">{caller.misses}</td>
            <td class="govuk-table__cell">
                <ul class="govuk-list">{kinds}</ul>
            </td>
            <td class="govuk-table__cell">{when}</td>
        </tr>
    }
}
