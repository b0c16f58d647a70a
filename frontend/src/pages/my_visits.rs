//! An inspector's start page: their visits' letters. Inspectors cannot list engagements (the
//! programme is planners' and local areas' business), so the inspector opens a visit by its
//! reference (the number in its address, which the planner or regional lead gives the team);
//! the page then lists that visit's letters and, for the writer, offers to start the letter.
//! Issued letters of their visits are under "Letters".

use leptos::{ev::SubmitEvent, prelude::*};

use crate::{
    components::{TextInput, set_title},
    pages::letters::EngagementLetters,
};

/// "Your visits": open a visit by its reference to write or read its letter.
#[component]
pub(crate) fn MyVisitsPage() -> impl IntoView {
    set_title("Your visits");
    let reference = RwSignal::new(String::new());
    let opened = RwSignal::new(None::<String>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let typed = reference.get_untracked().trim().to_owned();
        opened.set((!typed.is_empty()).then_some(typed));
    };
    let letters = move || {
        opened.get().map(|id| {
            view! {
                <h2 class="govuk-heading-m" data-testid="visit-reference">{format!("Visit {id}")}</h2>
                <EngagementLetters engagement_id=id writer=true />
            }
        })
    };
    view! {
        <h1 class="govuk-heading-l" data-testid="start-page">"Your visits"</h1>
        <p class="govuk-body">
            "Open a visit you are on to write its letter, check it and submit it for approval. Its issued letters are also under Letters."
        </p>
        <form novalidate on:submit=on_submit>
            <TextInput
                id="visit-id"
                label="Visit reference"
                hint="The number at the end of the visit's address, given to the team by the regional lead or national planner"
                width="govuk-input--width-10"
                inputmode="numeric"
                value=reference
            />
            <button type="submit" class="govuk-button" data-testid="open-visit">"Open the visit"</button>
        </form>
        {letters}
    }
}
