//! The audit trail, for national planners: searched by who acted (picked by name) and by local
//! area (every event about the area, its requests, engagements and letters), most recent
//! first, each event as a sentence with its UK date and time. Each event's place in the hash
//! chain stays available, folded away under the sentence.

use leptos::prelude::*;
use proto::pb::{AuditEntry, AuditPerson};

use crate::{
    api,
    components::{
        AreaSelect, Form, FormError, FormState, Loading, RegionSelect, Select, SubmitButton, set_title,
        settle,
    },
};

/// How many events a page shows.
const PAGE: i32 = 50;

/// How many characters of a hash the page shows: enough to compare by eye.
const HASH_PREFIX: usize = 12;

/// What was found: the events so far and where the next (older) page starts.
#[derive(Debug, Clone, Default, PartialEq)]
struct Found {
    entries: Vec<AuditEntry>,
    next_page_token: String,
    /// Who and where was asked for, in words, for the caption.
    asked: String,
}

/// A person as the select names them: "Nadia Planner (nadia)".
fn person_label(p: &AuditPerson) -> String {
    format!("{} ({})", p.display_name, p.username)
}

/// What was asked for, in words: "by Nadia Planner (nadia) about Camden".
fn asked_words(person: Option<String>, area: Option<String>) -> String {
    match (person, area) {
        (Some(p), Some(a)) => format!(" by {p} about {a}"),
        (Some(p), None) => format!(" by {p}"),
        (None, Some(a)) => format!(" about {a}"),
        (None, None) => String::new(),
    }
}

/// The search form and the events found.
#[component]
pub(crate) fn AuditPage() -> impl IntoView {
    set_title("Audit trail");
    let form = FormState::new(&[
        ("actor_id", "audit-person", "The person"),
        ("local_area_code", "local-area", "The local area"),
    ]);
    let people = LocalResource::new(api::list_audit_people);
    let person = RwSignal::new(String::new());
    let region = RwSignal::new(String::new());
    let area = RwSignal::new(String::new());
    let found = RwSignal::new(None::<Found>);
    let choices = Signal::derive(move || {
        people
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .iter()
            .map(|p| (p.id.clone(), p.id.clone(), person_label(p)))
            .collect::<Vec<_>>()
    });
    let person_name = move || {
        let id = person.get_untracked();
        people
            .get_untracked()
            .and_then(Result::ok)
            .and_then(|list| list.iter().find(|p| p.id == id).map(person_label))
    };
    // The chosen area's name, read from the page's own select (its choices come from the server).
    let chosen_area_name = move || {
        let code = area.get_untracked();
        if code.is_empty() {
            return None;
        }
        let document = web_sys::window()?.document()?;
        document.query_selector("#local-area option:checked").ok().flatten()?.text_content()
    };
    let search = crate::components::form_action(move || {
        let asked = asked_words(person_name(), chosen_area_name());
        found.set(None);
        let call = api::list_audit_entries(person.get_untracked(), area.get_untracked(), PAGE, String::new());
        settle(form, call, move |page| {
            found.set(Some(Found { entries: page.entries, next_page_token: page.next_page_token, asked }))
        })
    });
    let more = crate::components::form_action(move || {
        let token = found.get_untracked().map(|f| f.next_page_token).unwrap_or_default();
        let call = api::list_audit_entries(person.get_untracked(), area.get_untracked(), PAGE, token);
        settle(form, call, move |page| {
            found.update(|f| {
                if let Some(f) = f {
                    f.entries.extend(page.entries);
                    f.next_page_token = page.next_page_token;
                }
            })
        })
    });
    view! {
        <FormError form reload=None />
        <h1 class="govuk-heading-l">"Audit trail"</h1>
        <p class="govuk-body">
            "Every sign-in, change and refusal is recorded, and each event is chained to the one before it, so a changed or missing event shows. Find what a person did, what happened to a local area's requests, visits and letters, or both."
        </p>
        {move || people.get().and_then(Result::err).map(|error| view! { <crate::components::ErrorSummary error /> })}
        <Form submit=search testid="audit-search">
            <Select
                id="audit-person"
                label="Who acted"
                hint="Leave as anyone to see what everyone did"
                choices
                value=person
                placeholder=("Anyone", String::new())
                form
            />
            <RegionSelect region_code=region local_area_code=area form />
            <AreaSelect region_code=region local_area_code=area form />
            <SubmitButton submit=search testid="show-events" label="Show events" />
        </Form>
        <div data-testid="audit-result">
            {move || {
                if search.pending().get() {
                    return view! { <Loading what="events" /> }.into_any();
                }
                match found.get() {
                    Some(found) => view! { <Events found more /> }.into_any(),
                    None => ().into_any(),
                }
            }}
        </div>
    }
}

/// The events found, most recent first, or a sentence saying there are none.
#[component]
fn Events(found: Found, more: Action<(), ()>) -> impl IntoView {
    if found.entries.is_empty() {
        return view! {
            <p class="govuk-body" data-testid="no-events">
                {format!("No events are recorded{}.", found.asked)}
            </p>
        }
        .into_any();
    }
    let heading = format!(
        "{}{}, most recent first",
        crate::format::count(found.entries.len(), "event", "events"),
        found.asked
    );
    let older = (!found.next_page_token.is_empty()).then(|| {
        view! {
            <button
                type="button"
                class="govuk-button govuk-button--secondary"
                data-testid="older-events"
                disabled=more.pending()
                on:click=move |_| {
                    more.dispatch(());
                }
            >
                "Show older events"
            </button>
        }
    });
    view! {
        <h2 class="govuk-heading-m" data-testid="events-heading">{heading}</h2>
        <ol class="govuk-list" data-testid="audit-events">
            {found.entries.into_iter().map(|entry| view! { <EventItem entry /> }).collect_view()}
        </ol>
        {older}
    }
    .into_any()
}

/// One event: its sentence, and its place in the chain folded away.
#[component]
fn EventItem(entry: AuditEntry) -> impl IntoView {
    let short = |hash: &str| hash.chars().take(HASH_PREFIX).collect::<String>();
    let (hash, prev) = (short(&entry.hash), short(&entry.prev_hash));
    let refused = entry
        .refused
        .then(|| view! { <strong class="govuk-tag govuk-tag--red app-tag-gap">"Refused"</strong> });
    view! {
        <li class="govuk-!-margin-bottom-4" data-testid="audit-event">
            <p class="govuk-body govuk-!-margin-bottom-1">
                <span data-testid="audit-sentence">{entry.sentence}</span>
                {refused}
            </p>
            <details class="govuk-details govuk-!-margin-bottom-0">
                <summary class="govuk-details__summary">
                    <span class="govuk-details__summary-text">"Chain details"</span>
                </summary>
                <div class="govuk-details__text govuk-body-s">
                    {format!("Event {} in the chain. ", entry.seq)}
                    "Its hash begins "
                    <code class="app-hash" title=entry.hash.clone()>{hash}</code>
                    "; the event before it has a hash beginning "
                    <code class="app-hash" title=entry.prev_hash.clone()>{prev}</code>
                    "."
                </div>
            </details>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_was_asked_reads_as_words() {
        assert_eq!(
            asked_words(Some("Ivy (ivy)".into()), Some("Camden".into())),
            " by Ivy (ivy) about Camden"
        );
        assert_eq!(asked_words(None, Some("Camden".into())), " about Camden");
        assert_eq!(asked_words(None, None), "");
    }
}
