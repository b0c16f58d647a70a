//! The first screen: England's ten regions with their local-area counts.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    api,
    components::{ErrorSummary, Loading, set_title},
};

/// The regions table.
#[component]
pub(crate) fn RegionsPage() -> impl IntoView {
    set_title("Regions");
    let regions = LocalResource::new(api::list_regions);
    view! {
        <h1 class="govuk-heading-l" data-testid="start-page">"Regions of England"</h1>
        <p class="govuk-body">
            "Local area SEND inspections and interim visits are planned across ten regions. Choose a region to see its local areas."
        </p>
        {move || match regions.get() {
            None => view! { <Loading what="regions" /> }.into_any(),
            Some(Err(error)) => view! { <ErrorSummary error /> }.into_any(),
            Some(Ok(regions)) => {
                let total: u32 = regions.iter().map(|r| r.local_area_count).sum();
                view! {
                    <table class="govuk-table" data-testid="regions">
                        <caption class="govuk-table__caption govuk-table__caption--m">
                            {format!("{} regions, {total} local areas", regions.len())}
                        </caption>
                        <thead class="govuk-table__head">
                            <tr class="govuk-table__row">
                                <th scope="col" class="govuk-table__header">"Region"</th>
                                <th scope="col" class="govuk-table__header govuk-table__header--numeric">
                                    "Local areas"
                                </th>
                            </tr>
                        </thead>
                        <tbody class="govuk-table__body">
                            {regions
                                .into_iter()
                                .map(|r| {
                                    view! {
                                        <tr class="govuk-table__row">
                                            <th scope="row" class="govuk-table__header">
                                                <A href=format!("/regions/{}", r.code) attr:class="govuk-link">
                                                    {r.name}
                                                </A>
                                            </th>
                                            <td class="govuk-table__cell govuk-table__cell--numeric">
                                                {r.local_area_count}
                                            </td>
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
