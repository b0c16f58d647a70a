//! An inspector's start page: the visits of their own teams this academic year, each opening its
//! letters (and, for the writer, the form to start one). A visit from another year can still be
//! opened by its reference. Issued letters of their visits are also under "Letters".

use leptos::prelude::*;

use crate::{
    api,
    components::{Form, Loaded, Table, TextInput, columns, form_action, nothing, set_title},
    format::{engagement_kind_label, range_label},
    pages::{attention::WhatNeedsAttention, letters::EngagementLetters},
};

/// "Your visits": the visits whose team the inspector is on, and their letters.
#[component]
pub(crate) fn MyVisitsPage() -> impl IntoView {
    set_title("Your visits");
    let reference = RwSignal::new(String::new());
    let opened = RwSignal::new(None::<String>);
    let visits = LocalResource::new(|| api::list_engagements(String::new(), 0));
    let open = form_action(move || {
        let typed = reference.get_untracked().trim().to_owned();
        opened.set((!typed.is_empty()).then_some(typed));
        async {}
    });
    let letters = move || {
        opened.get().map(|id| {
            view! {
                <h2 class="govuk-heading-m" data-testid="visit-reference">{format!("Visit {id}")}</h2>
                <EngagementLetters engagement_id=id />
            }
        })
    };
    let table = move |list: Vec<proto::pb::Engagement>| {
        let rows = list
            .into_iter()
            .map(|e| {
                let id = e.id.clone();
                view! {
                    <tr class="govuk-table__row">
                        <th scope="row" class="govuk-table__header">{e.local_area_name.clone()}</th>
                        <td class="govuk-table__cell">{engagement_kind_label(e.kind())}</td>
                        <td class="govuk-table__cell">{range_label(e.onsite.as_ref())}</td>
                        <td class="govuk-table__cell">
                            <button
                                type="button"
                                class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"
                                on:click=move |_| opened.set(Some(id.clone()))
                            >
                                {format!("Open visit {}", e.id)}
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
        let names = ["Local area", "Kind", "Onsite", "Reference", "Case studies"];
        view! { <Table testid="my-visits" caption="Your visits this year" columns=columns(&names)>{rows}</Table> }
    };
    view! {
        <h1 class="govuk-heading-l" data-testid="start-page">"Your visits"</h1>
        <WhatNeedsAttention />
        <p class="govuk-body">
            "Open a visit you are on to write its letter, check it and submit it for approval. Its issued letters are also under Letters."
        </p>
        <Loaded
            resource=visits
            what="your visits"
            is_empty=Vec::is_empty
            empty=nothing("no-visits", "You are not on the team of any visit this year.")
            show=table
        />
        <Form submit=open>
            <TextInput
                id="visit-id"
                label="Visit reference"
                hint="To open a visit from another year: the number at the end of the visit's address"
                width="govuk-input--width-10"
                inputmode="numeric"
                value=reference
            />
            <button type="submit" class="govuk-button" data-testid="open-visit">"Open the visit"</button>
        </Form>
        {letters}
    }
}
