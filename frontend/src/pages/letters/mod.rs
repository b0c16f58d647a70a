//! Letters and reports: the inbox (`/letters`), one letter with the actions the server allows the
//! person (`/letters/<id>`), an engagement's letters with the writer's "Start the letter" form,
//! the public page of published letters (`/published`) and the anonymised national report
//! (`/national-report`).
//!
//! A letter the person may not see answers NOT_FOUND, exactly like a missing one, and the page
//! shows "Page not found" for both. Letter text is laid out by the one shared layout
//! ([`crate::letter_text`]) with the letter's own section headings.

mod actions;
mod engagement_letters;
mod inbox;
mod letter;
mod national_report;
mod published;

use leptos::prelude::*;
use proto::pb::LetterState;

pub(crate) use engagement_letters::EngagementLetters;
pub(crate) use inbox::LettersPage;
pub(crate) use letter::LetterPage;
pub(crate) use national_report::NationalReportPage;
pub(crate) use published::PublishedPage;

use crate::{
    components::{FormState, TextArea},
    format::{letter_state_label, letter_state_tag_class, time_label},
    letter_text::{self, Block},
};

/// A letter's state as a GOV.UK tag.
#[component]
fn LetterStateTag(state: LetterState) -> impl IntoView {
    view! { <crate::components::Tag class=letter_state_tag_class(state) label=letter_state_label(state) testid="letter-state" /> }
}

/// An RFC 3339 time in words, or "Not yet" when empty.
fn when(rfc3339: &str) -> String {
    if rfc3339.is_empty() { "Not yet".to_owned() } else { time_label(rfc3339) }
}

/// A letter's text as headings and paragraphs, laid out by its section headings. `small` for
/// level-3 headings (letters within a page of letters).
#[component]
fn LetterBody(body: String, headings: Vec<String>, #[prop(optional)] small: bool) -> impl IntoView {
    letter_text::blocks(&body, &headings)
        .into_iter()
        .map(|block| match block {
            Block::Heading(text) if small => view! { <h3 class="govuk-heading-s">{text}</h3> }.into_any(),
            Block::Heading(text) => view! { <h2 class="govuk-heading-m">{text}</h2> }.into_any(),
            Block::Paragraph(text) => view! { <p class="govuk-body">{text}</p> }.into_any(),
        })
        .collect_view()
}

/// The hint of a letter's text field: its sections, as the server lists them.
fn sections_hint(headings: &[String]) -> String {
    if headings.is_empty() {
        "Put each section heading on a line of its own.".to_owned()
    } else {
        format!(
            "Put each section heading on a line of its own. This letter needs the sections {}.",
            and_list(headings)
        )
    }
}

/// "A, B and C".
fn and_list(items: &[String]) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// A labelled textarea for a letter's text, bound to a signal.
#[component]
fn BodyInput(
    id: &'static str,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    /// The sections the letter needs.
    headings: Vec<String>,
    form: FormState,
) -> impl IntoView {
    view! { <TextArea id label value hint=sections_hint(&headings) form rows=14 bold=true /> }
}
