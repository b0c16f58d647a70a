//! The audit trail of one object, for national planners.

use leptos::{ev::SubmitEvent, prelude::*};
use proto::pb::{AuditEvent, ListAuditEventsResponse, Role};

use crate::{
    api::{self, ApiError},
    components::{ErrorSummary, Loading, set_title},
    session::role_label,
};

/// How many characters of each event's hash the table shows: enough to compare by eye.
const HASH_PREFIX: usize = 12;

/// The events of the trail that were asked for, with what was asked.
type Trail = (String, String, Result<ListAuditEventsResponse, ApiError>);

/// A form naming an object (type and ID) and the events recorded about it, oldest first.
#[component]
pub(crate) fn AuditPage() -> impl IntoView {
    set_title("Audit trail");
    let object_type = RwSignal::new(String::new());
    let object_id = RwSignal::new(String::new());
    let search: Action<(String, String), Trail> =
        Action::new_local(|(object_type, object_id): &(String, String)| {
            let (object_type, object_id) = (object_type.clone(), object_id.clone());
            async move {
                let events = api::list_audit_events(object_type.clone(), object_id.clone()).await;
                (object_type, object_id, events)
            }
        });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        search.dispatch((
            object_type.get_untracked().trim().to_owned(),
            object_id.get_untracked().trim().to_owned(),
        ));
    };
    let error = move || search.value().get().and_then(|(_, _, events)| events.err());
    view! {
        {move || error().map(|error| view! { <ErrorSummary error /> })}
        <h1 class="govuk-heading-l">"Audit trail"</h1>
        <p class="govuk-body">
            "Every sign-in, change and refusal is recorded, and each event is chained to the one before it, so a changed or missing event shows. Name an object to read its trail."
        </p>
        <form novalidate on:submit=on_submit>
            <div class="govuk-form-group">
                <label class="govuk-label" for="object-type">"Object type"</label>
                <div class="govuk-hint" id="object-type-hint">"For example person or session"</div>
                <input
                    class="govuk-input govuk-input--width-20"
                    id="object-type"
                    name="object-type"
                    type="text"
                    spellcheck="false"
                    aria-describedby="object-type-hint"
                    prop:value=object_type
                    on:input=move |ev| object_type.set(event_target_value(&ev))
                />
            </div>
            <div class="govuk-form-group">
                <label class="govuk-label" for="object-id">"Object ID"</label>
                <input
                    class="govuk-input govuk-!-width-two-thirds"
                    id="object-id"
                    name="object-id"
                    type="text"
                    spellcheck="false"
                    prop:value=object_id
                    on:input=move |ev| object_id.set(event_target_value(&ev))
                />
            </div>
            <button type="submit" class="govuk-button" data-testid="show-events" disabled=search.pending()>
                "Show events"
            </button>
        </form>
        <div data-testid="audit-result">
            {move || {
                if search.pending().get() {
                    return view! { <Loading what="events" /> }.into_any();
                }
                match search.value().get() {
                    Some((object_type, object_id, Ok(trail))) => view! {
                        <Events object_type object_id trail />
                    }
                        .into_any(),
                    _ => ().into_any(),
                }
            }}
        </div>
    }
}

/// The events table, or a sentence saying there are none.
#[component]
fn Events(object_type: String, object_id: String, trail: ListAuditEventsResponse) -> impl IntoView {
    if trail.events.is_empty() {
        return view! {
            <p class="govuk-body" data-testid="no-events">
                {format!("No events are recorded for {object_type} {object_id}.")}
            </p>
        }
        .into_any();
    }
    let more = (!trail.next_page_token.is_empty()).then(|| {
        view! {
            <p class="govuk-body">{format!("Showing the first {} events.", trail.events.len())}</p>
        }
    });
    view! {
        <table class="govuk-table" data-testid="audit-events">
            <caption class="govuk-table__caption govuk-table__caption--m">
                {format!("{} events for {object_type} {object_id}", trail.events.len())}
            </caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"Time"</th>
                    <th scope="col" class="govuk-table__header">"Who"</th>
                    <th scope="col" class="govuk-table__header">"Role"</th>
                    <th scope="col" class="govuk-table__header">"Action"</th>
                    <th scope="col" class="govuk-table__header">"Outcome"</th>
                    <th scope="col" class="govuk-table__header govuk-table__header--numeric">"Seq"</th>
                    <th scope="col" class="govuk-table__header">"Hash"</th>
                </tr>
            </thead>
            <tbody class="govuk-table__body">
                {trail.events.into_iter().map(|event| view! { <EventRow event /> }).collect_view()}
            </tbody>
        </table>
        {more}
    }
    .into_any()
}

/// One event.
#[component]
fn EventRow(event: AuditEvent) -> impl IntoView {
    let role = match event.actor_role() {
        Role::Unspecified => "",
        role => role_label(role),
    };
    let who = if event.actor_username.is_empty() { "Not signed in".to_owned() } else { event.actor_username };
    let hash: String = event.hash.chars().take(HASH_PREFIX).collect();
    view! {
        <tr class="govuk-table__row">
            <td class="govuk-table__cell">{event.occurred_at}</td>
            <td class="govuk-table__cell">{who}</td>
            <td class="govuk-table__cell">{role}</td>
            <td class="govuk-table__cell">{event.action}</td>
            <td class="govuk-table__cell">{event.outcome}</td>
            <td class="govuk-table__cell govuk-table__cell--numeric">{event.seq}</td>
            <td class="govuk-table__cell"><code title=event.hash.clone()>{hash}</code></td>
        </tr>
    }
}
