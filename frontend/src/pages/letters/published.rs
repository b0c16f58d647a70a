//! "Published letters and reports" (`/published`): public, no sign-in.

use leptos::prelude::*;
use proto::pb::Letter;

use super::{LetterBody, when};
use crate::{
    api,
    components::{Loaded, nothing, set_title},
    format::engagement_kind_label,
};

/// One published letter, in full.
#[component]
fn PublishedLetter(letter: Letter) -> impl IntoView {
    let date = if letter.publish_at.is_empty() { &letter.issued_at } else { &letter.publish_at };
    let about = format!(
        "{}: {}, {}. Issued {}.",
        engagement_kind_label(letter.engagement_kind()),
        letter.local_area_name,
        letter.region_name,
        when(date),
    );
    view! {
        <article class="app-published" data-testid="published-letter" data-letter=letter.id.clone()>
            <h2 class="govuk-heading-m">{letter.title.clone()}</h2>
            <p class="govuk-body-s">{about}</p>
            <LetterBody body=letter.body.clone() headings=letter.section_headings.clone() small=true />
            <hr class="govuk-section-break govuk-section-break--l govuk-section-break--visible" />
        </article>
    }
}

/// "Published letters and reports": each is readable in full here.
#[component]
pub(crate) fn PublishedPage() -> impl IntoView {
    set_title("Published letters and reports");
    let letters = LocalResource::new(api::list_published_letters);
    let show = |list: Vec<Letter>| {
        list.into_iter().map(|letter| view! { <PublishedLetter letter /> }).collect_view()
    };
    view! {
        <h1 class="govuk-heading-l" data-testid="published-title">"Published letters and reports"</h1>
        <p class="govuk-body">
            "Reports of local area SEND inspections from their publication time, and interim-visit letters their local areas chose to publish."
        </p>
        <Loaded
            resource=letters
            what="published letters"
            is_empty=Vec::is_empty
            empty=nothing("no-published", "Nothing has been published yet.")
            show
        />
    }
}
