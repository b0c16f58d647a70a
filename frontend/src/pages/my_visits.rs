//! An inspector's start page: what needs their attention, and the visits of their own teams in
//! the academic year they choose (this one first), each opening its letters (and, for the
//! writer, the form to start one). Issued letters of their visits are also under "Letters".

use leptos::prelude::*;

use crate::{
    api,
    components::{Choice, Loaded, Select, Table, columns, nothing, set_title},
    format::{academic_year_label, current_academic_year, engagement_kind_label, range_label},
    pages::{attention::WhatNeedsAttention, letters::EngagementLetters},
};

/// "Your visits": the visits whose team the inspector is on, and their letters.
#[component]
pub(crate) fn MyVisitsPage() -> impl IntoView {
    set_title("Your visits");
    let this_year = current_academic_year();
    // 0: the server's own academic year, whatever the computer's clock says.
    let year = RwSignal::new(0_i32);
    // The visit whose letters are open: its id and its name in words.
    let opened = RwSignal::new(None::<(String, String)>);
    let visits = LocalResource::new(move || api::list_engagements(String::new(), year.get()));
    let years: Vec<Choice<i32>> = std::iter::once((0, "0".to_owned(), "This academic year".to_owned()))
        .chain((this_year - 3..=this_year + 1).rev().map(|y| (y, y.to_string(), academic_year_label(y))))
        .collect();
    let letters = move || {
        opened.get().map(|(id, name)| {
            view! {
                <h2 class="govuk-heading-m" data-testid="visit-reference">{name}</h2>
                <EngagementLetters engagement_id=id />
            }
        })
    };
    let table = move |list: Vec<proto::pb::Engagement>| {
        let rows = list
            .into_iter()
            .map(|e| {
                let id = e.id.clone();
                let name = format!("{} to {}", engagement_kind_label(e.kind()), e.local_area_name);
                let open = (id.clone(), name.clone());
                view! {
                    <tr class="govuk-table__row">
                        <th scope="row" class="govuk-table__header">{e.local_area_name.clone()}</th>
                        <td class="govuk-table__cell">{engagement_kind_label(e.kind())}</td>
                        <td class="govuk-table__cell">{range_label(e.onsite.as_ref())}</td>
                        <td class="govuk-table__cell">
                            <button
                                type="button"
                                class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"
                                data-testid="open-visit"
                                on:click=move |_| opened.set(Some(open.clone()))
                            >
                                "Open the letters"
                                <span class="govuk-visually-hidden">{format!(" of the {name}")}</span>
                            </button>
                        </td>
                        <td class="govuk-table__cell">
                            <leptos_router::components::A
                                href=format!("/engagements/{}/case-studies", e.id)
                                attr:class="govuk-link"
                                attr:data-testid="case-studies-link"
                            >
                                {format!("Case studies: {}", e.local_area_name)}
                            </leptos_router::components::A>
                        </td>
                    </tr>
                }
            })
            .collect_view();
        let names = ["Local area", "Kind", "Onsite", "Letters", "Case studies"];
        view! { <Table testid="my-visits" caption="Your visits" columns=columns(&names)>{rows}</Table> }
    };
    view! {
        <h1 class="govuk-heading-l" data-testid="start-page">"Your visits"</h1>
        <WhatNeedsAttention />
        <p class="govuk-body">
            "Open a visit you are on to write its letter, check it and submit it for approval. Its issued letters are also under Letters."
        </p>
        <Select id="visits-year" label="Academic year" choices=years value=year />
        <Loaded
            resource=visits
            what="your visits"
            is_empty=Vec::is_empty
            empty=nothing("no-visits", "You are not on the team of any visit in this academic year.")
            show=table
        />
        {letters}
    }
}
