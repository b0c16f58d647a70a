//! Emails: each person's choice of the emails their role can get (`/account/emails`), and the
//! outbox (`/notifications`): every message for national planners; for administrators only
//! whether GOV.UK Notify is set up, since the messages tell of confidential requests.

use leptos::prelude::*;
use leptos_router::components::A;
use proto::pb::{EmailPreference, GetEmailPreferencesResponse, ListOutboxResponse};

use crate::{
    api,
    components::{
        Form, FormError, FormState, Loaded, NotificationBanner, SubmitButton, Table, columns, form_action,
        set_title, settle,
    },
    format::time_label,
};

/// "Your emails": a checkbox per kind of email the role can get, saved together.
#[component]
pub(crate) fn EmailPreferencesPage() -> impl IntoView {
    set_title("Your emails");
    let listed = LocalResource::new(api::get_email_preferences);
    let show = move |answer: GetEmailPreferencesResponse| view! { <Choices answer /> };
    view! {
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                <Loaded resource=listed what="your email choices" show />
            </div>
        </div>
    }
}

#[component]
fn Choices(answer: GetEmailPreferencesResponse) -> impl IntoView {
    let form = FormState::new(&[("kind", "emails", "The email")]);
    let saved = RwSignal::new(false);
    let choices: Vec<(EmailPreference, RwSignal<bool>)> = answer
        .preferences
        .into_iter()
        .map(|p| {
            let on = RwSignal::new(p.email);
            (p, on)
        })
        .collect();
    let sent = choices.clone();
    let save = form_action(move || {
        let sent = sent.clone();
        async move {
            let call = async move {
                let mut last = None;
                for (choice, on) in sent {
                    if choice.email != on.get_untracked() {
                        last =
                            Some(api::set_email_preference(choice.kind.clone(), on.get_untracked()).await?);
                    }
                }
                Ok(last)
            };
            settle(form, call, move |_| saved.set(true)).await;
        }
    });
    let empty = choices.is_empty();
    let boxes = choices
        .into_iter()
        .map(|(choice, on)| {
            let id = format!("email-{}", choice.kind.replace('_', "-"));
            view! {
                <div class="govuk-checkboxes__item">
                    <input
                        class="govuk-checkboxes__input"
                        id=id.clone()
                        name="emails"
                        type="checkbox"
                        value=choice.kind.clone()
                        prop:checked=on
                        on:change=move |ev| on.set(event_target_checked(&ev))
                    />
                    <label class="govuk-label govuk-checkboxes__label" for=id>{choice.label}</label>
                </div>
            }
        })
        .collect_view();
    let no_address = (!answer.has_email).then(|| view! {
        <p class="govuk-body" data-testid="no-email">
            "Your account has no email address, so SEND Planner sends you no emails. Ask an administrator to add one."
        </p>
    });
    view! {
        {move || saved.get().then(|| view! { <NotificationBanner text="Your email choices have been saved." success=true /> })}
        <FormError form reload=None />
        <h1 class="govuk-heading-l">"Your emails"</h1>
        {no_address}
        <p class="govuk-body">
            "Emails say that something waits for you in SEND Planner, with a link. Your start page lists the same \
             things whether or not you get the emails."
        </p>
        {if empty {
            view! { <p class="govuk-body" data-testid="no-emails">"SEND Planner sends no emails to your role."</p> }.into_any()
        } else {
            view! {
                <Form submit=save testid="email-choices">
                    <div class="govuk-form-group">
                        <fieldset class="govuk-fieldset" aria-describedby="emails-hint" id="emails">
                            <legend class="govuk-fieldset__legend govuk-fieldset__legend--m">"Which emails do you want?"</legend>
                            <div class="govuk-hint" id="emails-hint">"Select all that apply."</div>
                            <div class="govuk-checkboxes" data-module="govuk-checkboxes">{boxes}</div>
                        </fieldset>
                    </div>
                    <SubmitButton submit=save testid="save-emails" label="Save choices" />
                </Form>
            }
            .into_any()
        }}
    }
}

/// The outbox: whether Notify is set up, and (for national planners) the latest messages.
#[component]
pub(crate) fn OutboxPage() -> impl IntoView {
    set_title("Emails");
    let outbox = LocalResource::new(api::list_outbox);
    let show = move |answer: ListOutboxResponse| view! { <Outbox answer /> };
    view! {
        <h1 class="govuk-heading-l">"Emails"</h1>
        <Loaded resource=outbox what="the emails" show />
    }
}

#[component]
fn Outbox(answer: ListOutboxResponse) -> impl IntoView {
    let configured = if answer.notify_configured {
        "SEND Planner sends its emails through GOV.UK Notify."
    } else {
        "GOV.UK Notify is not set up, so emails wait here and none is sent. Set --notify-api-key and the templates to send them."
    };
    let rows = answer
        .messages
        .into_iter()
        .map(|m| {
            let due = time_label(&m.due_at);
            let problem = if m.last_error.is_empty() { m.delivery_status } else { m.last_error };
            view! {
                <tr class="govuk-table__row">
                    <td class="govuk-table__cell">{m.kind}</td>
                    <td class="govuk-table__cell">{m.recipient}<br /><span class="govuk-body-s">{m.email_address}</span></td>
                    <td class="govuk-table__cell">{due}</td>
                    <td class="govuk-table__cell" data-testid="email-status">{m.status}</td>
                    <td class="govuk-table__cell">{m.attempts}</td>
                    <td class="govuk-table__cell app-hash">{problem}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="govuk-body" data-testid="notify-configured">{configured}</p>
        {if answer.messages_hidden {
            view! {
                <p class="govuk-body" data-testid="messages-hidden">
                    "The emails themselves are listed for national planners only: they tell of visit requests, which \
                     only planners, regional leads and the local area may know of."
                </p>
            }
            .into_any()
        } else {
            view! {
                <Table testid="outbox" caption="The latest emails, newest first" columns=columns(&["Email", "To", "Due", "Status", "Attempts", "Notify said"])>
                    {rows}
                </Table>
            }
            .into_any()
        }}
        <p class="govuk-body"><A href="/account/emails" attr:class="govuk-link">"Choose your own emails"</A></p>
    }
}
