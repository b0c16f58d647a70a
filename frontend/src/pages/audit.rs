//! The audit trail of one object, for national planners.

use leptos::prelude::*;
use proto::pb::{AuditEvent, ListAuditEventsResponse, Role};

use crate::{
    api,
    components::{
        Form, FormError, FormState, Loading, SubmitButton, Table, TextInput, columns, form_action, set_title,
        settle,
    },
    session::role_label,
};

/// How many characters of each event's hash the table shows: enough to compare by eye.
const HASH_PREFIX: usize = 12;

/// The events of the trail that were asked for, with what was asked.
type Trail = (String, String, ListAuditEventsResponse);

/// A form naming an object (type and ID) and the events recorded about it, oldest first.
#[component]
pub(crate) fn AuditPage() -> impl IntoView {
    set_title("Audit trail");
    let form = FormState::new(&[
        ("object_type", "object-type", "The object type"),
        ("object_id", "object-id", "The object ID"),
    ]);
    let object_type = RwSignal::new(String::new());
    let object_id = RwSignal::new(String::new());
    let found = RwSignal::new(None::<Trail>);
    let search = form_action(move || {
        let (kind, id) =
            (object_type.get_untracked().trim().to_owned(), object_id.get_untracked().trim().to_owned());
        found.set(None);
        settle(form, api::list_audit_events(kind.clone(), id.clone()), move |trail| {
            found.set(Some((kind, id, trail)))
        })
    });
    view! {
        <FormError form reload=None />
        <h1 class="govuk-heading-l">"Audit trail"</h1>
        <p class="govuk-body">
            "Every sign-in, change and refusal is recorded, and each event is chained to the one before it, so a changed or missing event shows. Name an object to read its trail."
        </p>
        <Form submit=search>
            <TextInput id="object-type" label="Object type" hint="For example person or session" value=object_type width="govuk-input--width-20" form />
            <TextInput id="object-id" label="Object ID" value=object_id form />
            <SubmitButton submit=search testid="show-events" label="Show events" />
        </Form>
        <div data-testid="audit-result">
            {move || {
                if search.pending().get() {
                    return view! { <Loading what="events" /> }.into_any();
                }
                match found.get() {
                    Some((object_type, object_id, trail)) => view! { <Events object_type object_id trail /> }.into_any(),
                    None => ().into_any(),
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
            <p class="govuk-body">{format!("Showing the first {}.", crate::format::count(trail.events.len(), "event", "events"))}</p>
        }
    });
    let caption = format!(
        "{} for {object_type} {object_id}",
        crate::format::count(trail.events.len(), "event", "events")
    );
    let names = ["Time", "Who", "Role", "Action", "Outcome", "Seq", "Hash"];
    view! {
        <Table testid="audit-events" caption columns=columns(&names) numeric=&[5]>
            {trail.events.into_iter().map(|event| view! { <EventRow event /> }).collect_view()}
        </Table>
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
