//! One region: its current local areas, with a name filter.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};
use proto::pb::LocalAreaKind;

use crate::{
    api,
    components::{Loaded, Table, columns, set_title},
    pages::attention::WhatNeedsAttention,
    session::{Page, may_use, use_session},
};

fn kind_label(kind: i32) -> &'static str {
    match LocalAreaKind::try_from(kind) {
        Ok(LocalAreaKind::LondonBorough) => "London borough",
        Ok(LocalAreaKind::MetropolitanDistrict) => "Metropolitan district",
        Ok(LocalAreaKind::UnitaryAuthority) => "Unitary authority",
        Ok(LocalAreaKind::County) => "County",
        Ok(LocalAreaKind::Unspecified) | Err(_) => "Unknown",
    }
}

/// The local areas of the region in the address: a regional lead's start page, and one step
/// down from the regions for a national planner.
#[component]
pub(crate) fn RegionPage() -> impl IntoView {
    let params = use_params_map();
    let session = use_session();
    let code = move || params.read().get("code").unwrap_or_default();
    let (filter, set_filter) = signal(String::new());
    let areas = LocalResource::new(move || api::list_local_areas(code(), filter.get()));
    let regions = LocalResource::new(api::list_regions);
    // Only those who may see every region are offered the way back to them.
    let sees_all_regions = move || session.person().is_some_and(|person| may_use(&person, &Page::Regions));
    // The region's name from the list of regions or, for a regional lead, their own scope.
    // Until either is known (or if the code names no region) the heading says "Region".
    let region_name = move || {
        let code = code();
        let listed = regions
            .get()
            .and_then(|r| r.ok())
            .and_then(|list| list.into_iter().find(|r| r.code == code).map(|r| r.name));
        listed.or_else(|| {
            session
                .person()
                .filter(|person| person.region_code == code && !person.scope_label.is_empty())
                .map(|person| person.scope_label)
        })
    };
    Effect::new(move || set_title(&region_name().unwrap_or_else(|| "Region".to_owned())));
    view! {
        {move || {
            sees_all_regions()
                .then(|| view! { <A href="/" attr:class="govuk-back-link">"Back to regions"</A> })
        }}
        <h1 class="govuk-heading-l" data-testid="start-page">
            <span data-testid="region-name">
                {move || region_name().unwrap_or_else(|| "Region".to_owned())}
            </span>
        </h1>
        // A regional lead's start page: what waits for them in their region.
        {move || {
            session
                .person()
                .filter(|person| person.role() == proto::pb::Role::RegionalLead && person.region_code == code())
                .map(|_| view! { <WhatNeedsAttention /> })
        }}
        <div class="govuk-form-group">
            <label class="govuk-label" for="name-filter">"Filter by name"</label>
            <div class="govuk-hint" id="name-filter-hint">"The start of the local area's name, for example Cam"</div>
            <input
                class="govuk-input govuk-!-width-one-half"
                id="name-filter"
                name="name-filter"
                type="search"
                spellcheck="false"
                autocomplete="off"
                aria-describedby="name-filter-hint"
                prop:value=filter
                on:input=move |ev| set_filter.set(event_target_value(&ev))
            />
        </div>
        <Loaded resource=areas what="local areas" show={|page: proto::pb::ListLocalAreasResponse| {
            if page.local_areas.is_empty() {
                return view! { <p class="govuk-body" data-testid="no-areas">"No local areas match this filter."</p> }
                    .into_any();
            }
            let caption = format!("{} local areas", page.total_size);
            let rows = page
                .local_areas
                .into_iter()
                .map(|a| {
                    view! {
                        <tr class="govuk-table__row">
                            <th scope="row" class="govuk-table__header">{a.name}</th>
                            <td class="govuk-table__cell">{a.dfe_code}</td>
                            <td class="govuk-table__cell">{a.ons_code}</td>
                            <td class="govuk-table__cell">{kind_label(a.kind)}</td>
                        </tr>
                    }
                })
                .collect_view();
            let names = ["Name", "DfE code", "ONS code", "Kind"];
            view! { <Table testid="areas" caption columns=columns(&names)>{rows}</Table> }.into_any()
        }} />
    }
}
