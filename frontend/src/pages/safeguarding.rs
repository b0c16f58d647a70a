//! National planners: every safeguarding concern recorded on a visit request, newest first.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    api,
    components::{ErrorSummary, Loaded, Table, columns, nothing, set_title},
    format::{count, time_label},
};

/// Who acknowledged a concern and when, or the button to acknowledge it (then `done` reloads).
#[component]
fn Acknowledgement(
    concern: proto::pb::SafeguardingConcern,
    done: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    if !concern.acknowledged_at.is_empty() {
        let text = format!("By {} on {}", concern.acknowledged_by, time_label(&concern.acknowledged_at));
        return view! { <span data-testid="acknowledged">{text}</span> }.into_any();
    }
    let id = concern.id.clone();
    let failed = RwSignal::new(None::<api::ApiError>);
    let acknowledge = Action::new_local(move |(): &()| {
        let id = id.clone();
        async move { api::acknowledge_safeguarding_concern(id).await }
    });
    Effect::new(move || match acknowledge.value().get() {
        Some(Ok(_)) => done(),
        Some(Err(error)) => failed.set(Some(error)),
        None => {}
    });
    let label = format!(" the concern about {}", concern.local_area_name);
    view! {
        {move || failed.get().map(|error| view! { <ErrorSummary error /> })}
        <button
            type="button"
            class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"
            data-testid="acknowledge"
            disabled=acknowledge.pending()
            on:click=move |_| {
                acknowledge.dispatch(());
            }
        >
            "Acknowledge"
            <span class="govuk-visually-hidden">{label}</span>
        </button>
    }
    .into_any()
}

/// The escalated concerns, each linking to its request.
#[component]
pub(crate) fn SafeguardingPage() -> impl IntoView {
    set_title("Safeguarding concerns");
    let concerns = LocalResource::new(api::list_safeguarding_concerns);
    let concerns_again = concerns;
    view! {
        <h1 class="govuk-heading-l">"Safeguarding concerns"</h1>
        <p class="govuk-body">
            "A concern that a child is at immediate risk of significant harm is escalated here as soon as anyone who can see a visit request records it. It overrides the request's confidentiality. Acknowledge a concern once you have read it and are dealing with it: every national planner sees a banner on their start page until one of you does."
        </p>
        <Loaded
            resource=concerns
            what="safeguarding concerns"
            is_empty=Vec::is_empty
            empty=nothing("no-concerns", "No safeguarding concerns have been recorded.")
            show={move |concerns: Vec<proto::pb::SafeguardingConcern>| {
                let caption = count(concerns.len(), "escalated concern", "escalated concerns");
                let rows = concerns
                    .into_iter()
                    .map(move |c| {
                        let acknowledgement = view! { <Acknowledgement concern=c.clone() done=move || concerns_again.refetch() /> };
                        view! {
                            <tr class="govuk-table__row">
                                <td class="govuk-table__cell">{time_label(&c.raised_at)}</td>
                                <td class="govuk-table__cell">
                                    <A href=format!("/requests/{}", c.request_id) attr:class="govuk-link">{c.local_area_name}</A>
                                </td>
                                <td class="govuk-table__cell">{c.region_name}</td>
                                <td class="govuk-table__cell">{c.raised_by}</td>
                                <td class="govuk-table__cell">{c.note}</td>
                                <td class="govuk-table__cell">{acknowledgement}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                let names = ["Raised", "Local area", "Region", "Raised by", "Concern", "Acknowledged"];
                view! { <Table testid="concerns" caption columns=columns(&names)>{rows}</Table> }
            }}
        />
    }
}
