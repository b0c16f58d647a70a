//! A national planner's start page: what needs their attention, then England's ten regions
//! with their local-area counts.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    api,
    components::{Loaded, Table, columns, set_title},
    pages::attention::WhatNeedsAttention,
};

/// The regions table.
#[component]
pub(crate) fn RegionsPage() -> impl IntoView {
    set_title("Regions");
    let regions = LocalResource::new(api::list_regions);
    view! {
        <h1 class="govuk-heading-l" data-testid="start-page">"Regions of England"</h1>
        <WhatNeedsAttention />
        <h2 class="govuk-heading-m">"Regions"</h2>
        <p class="govuk-body">
            "Local area SEND inspections and interim visits are planned across ten regions. Choose a region to see its local areas."
        </p>
        <Loaded resource=regions what="regions" show={|regions: Vec<proto::pb::Region>| {
            let total: u32 = regions.iter().map(|r| r.local_area_count).sum();
            let caption = format!(
                "{}, {}",
                crate::format::count(regions.len(), "region", "regions"),
                crate::format::count(total as usize, "local area", "local areas")
            );
            let rows = regions
                .into_iter()
                .map(|r| {
                    view! {
                        <tr class="govuk-table__row">
                            <th scope="row" class="govuk-table__header">
                                <A href=format!("/regions/{}", r.code) attr:class="govuk-link">{r.name}</A>
                            </th>
                            <td class="govuk-table__cell govuk-table__cell--numeric">{r.local_area_count}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! { <Table testid="regions" caption columns=columns(&["Region", "Local areas"]) numeric=&[1]>{rows}</Table> }
        }} />
    }
}
