//! National planners: every safeguarding concern recorded on a visit request, newest first.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    api,
    components::{ErrorSummary, Loading, set_title},
    format::time_label,
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
        {move || match concerns.get() {
            None => view! { <Loading what="safeguarding concerns" /> }.into_any(),
            Some(Err(error)) => view! { <ErrorSummary error /> }.into_any(),
            Some(Ok(concerns)) if concerns.is_empty() => view! {
                <p class="govuk-body" data-testid="no-concerns">"No safeguarding concerns have been recorded."</p>
            }
                .into_any(),
            Some(Ok(concerns)) => {
                let caption = match concerns.len() {
                    1 => "1 escalated concern".to_owned(),
                    n => format!("{n} escalated concerns"),
                };
                view! {
                    <table class="govuk-table" data-testid="concerns">
                        <caption class="govuk-table__caption govuk-table__caption--m">{caption}</caption>
                        <thead class="govuk-table__head">
                            <tr class="govuk-table__row">
                                <th scope="col" class="govuk-table__header">"Raised"</th>
                                <th scope="col" class="govuk-table__header">"Local area"</th>
                                <th scope="col" class="govuk-table__header">"Region"</th>
                                <th scope="col" class="govuk-table__header">"Raised by"</th>
                                <th scope="col" class="govuk-table__header">"Concern"</th>
                            </tr>
                        </thead>
                        <tbody class="govuk-table__body">
                            {concerns
                                .into_iter()
                                .map(|c| {
                                    view! {
                                        <tr class="govuk-table__row">
                                            <td class="govuk-table__cell">{time_label(&c.raised_at)}</td>
                                            <td class="govuk-table__cell">
                                                <A href=format!("/requests/{}", c.request_id) attr:class="govuk-link">
                                                    {c.local_area_name}
                                                </A>
                                            </td>
                                            <td class="govuk-table__cell">{c.region_name}</td>
                                            <td class="govuk-table__cell">{c.raised_by}</td>
                                            <td class="govuk-table__cell">{c.note}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }
        }}
    }
}
