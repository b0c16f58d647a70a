//! One visit request: its facts, its written consent, what the signed-in person may do next,
//! and its history.
//!
//! A request the person may not see answers NOT_FOUND, exactly like a missing one, and the page
//! shows the same "Page not found" for both: nothing tells them whether it exists.

use leptos::prelude::*;
use leptos_router::components::A;
use proto::pb::{
    AnswerVisitRequestRequest, Consent, ConsentAnswer, DateRange, DeclineAnswer, RequestAction, RequestEvent,
    RequestState, VisitRequest, answer_visit_request_request::Answer,
};

use crate::{
    api,
    components::{
        ActionButton, ActionForm, DateInput, DateValue, Described, ErrorSummary, Field, FormState, Record,
        RecordPage, StateTag, SubmitButton, SummaryRow, Table, TextArea, TextInput, WarningText, columns,
        form_action, set_title, settle,
    },
    format::{
        content_type_label, date_label, event_label, phase_label, range_label, size_label, state_label,
        time_label,
    },
};

/// The request in the address.
#[component]
pub(crate) fn RequestPage() -> impl IntoView {
    view! {
        <RecordPage
            title="Visit request"
            what="the visit request"
            back=("/requests", "Back to visit requests")
            load=api::get_visit_request
            show=|request, record| view! { <RequestView request record /> }
        />
    }
}

/// The request's facts, consent, the actions the server allows the person, and its history.
#[component]
fn RequestView(request: VisitRequest, record: Record<VisitRequest>) -> impl IntoView {
    set_title(&format!("Visit request: {}", request.local_area_name));
    let allowed: Vec<RequestAction> = request.allowed_actions().collect();
    let may = move |action: RequestAction| allowed.contains(&action);
    let state = request.state();
    let note = if request.note.is_empty() { "None".to_owned() } else { request.note.clone() };
    let concern = request.safeguarding_concern.then(|| {
        view! {
            <div data-testid="safeguarding-flag">
                <WarningText text="A safeguarding concern has been recorded for this request and escalated to national planners." />
            </div>
        }
    });
    let consent = request.consent.clone().map(|consent| view! { <ConsentRecord consent state /> });
    let actions = view! {
        {may(RequestAction::Answer)
            .then(|| {
                view! {
                    <ConsentForm request=request.clone() record />
                    <DeclineForm request=request.clone() record />
                }
            })}
        {may(RequestAction::Withdraw).then(|| view! { <WithdrawForm request=request.clone() record /> })}
        {may(RequestAction::Cancel).then(|| view! { <CancelForm request=request.clone() record /> })}
        {may(RequestAction::ScheduleVisit)
            .then(|| {
                let href = format!(
                    "/engagements/new?region={}&area={}&kind=interim-visit",
                    request.region_code, request.local_area_code
                );
                view! {
                    <p class="govuk-body">
                        <A href=href attr:class="govuk-button" attr:data-testid="schedule-visit">
                            "Schedule the interim visit"
                        </A>
                    </p>
                }
            })}
        {may(RequestAction::RecordSafeguardingConcern).then(|| view! { <ConcernForm request=request.clone() record /> })}
    };
    view! {
        <A href="/requests" attr:class="govuk-back-link">"Back to visit requests"</A>
        <span class="govuk-caption-l">{request.region_name.clone()}</span>
        <h1 class="govuk-heading-l" data-testid="request-title">
            {format!("Interim visit request: {}", request.local_area_name)}
        </h1>
        {concern}
        <dl class="govuk-summary-list" data-testid="request-summary">
            <SummaryRow key="Local area">{request.local_area_name.clone()}</SummaryRow>
            <SummaryRow key="Region">{request.region_name.clone()}</SummaryRow>
            <SummaryRow key="Phase">{phase_label(request.phase.as_ref())}</SummaryRow>
            <SummaryRow key="Proposed window">{range_label(request.window.as_ref())}</SummaryRow>
            <SummaryRow key="Reply by">{date_label(&request.reply_by)}</SummaryRow>
            <SummaryRow key="State"><StateTag state /></SummaryRow>
            <SummaryRow key="Note">{note}</SummaryRow>
        </dl>
        {consent}
        {actions}
        <History events=request.history />
    }
}

/// The written consent on record, with its signed document.
#[component]
fn ConsentRecord(consent: Consent, state: RequestState) -> impl IntoView {
    let unavailable = if consent.unavailable.is_empty() {
        view! { "None given" }.into_any()
    } else {
        view! {
            <ul class="govuk-list">
                {consent
                    .unavailable
                    .iter()
                    .map(|range| view! { <li>{range_label(Some(range))}</li> })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    let withdrawn = (state == RequestState::Withdrawn).then(|| {
        view! {
            <div class="govuk-inset-text">
                "This consent has been withdrawn. It stays on record, like all of the request's history."
            </div>
        }
    });
    let download = consent
        .document
        .as_ref()
        .map(|document| view! { <DownloadButton document_id=document.id.clone() /> });
    let document = consent.document.map(|document| {
        view! {
            <SummaryRow key="Signed document">
                {format!("{}, {}", content_type_label(&document.content_type), size_label(document.size_bytes))}
            </SummaryRow>
            <SummaryRow key="SHA-256 of the document">
                <code class="app-hash" data-testid="document-hash">{document.sha256}</code>
            </SummaryRow>
        }
        .into_any()
    });
    view! {
        <h2 class="govuk-heading-m">"Written consent"</h2>
        {withdrawn}
        <dl class="govuk-summary-list" data-testid="consent">
            <SummaryRow key="Signed by">{consent.signatory_name}</SummaryRow>
            <SummaryRow key="Role or position">{consent.signatory_role}</SummaryRow>
            <SummaryRow key="Organisation">{consent.organisation}</SummaryRow>
            <SummaryRow key="Date signed">{date_label(&consent.date_signed)}</SummaryRow>
            <SummaryRow key="Dates the local area cannot host a visit">{unavailable}</SummaryRow>
            {document}
        </dl>
        {download}
    }
}

/// "Download the signed document", with what went wrong if it could not be fetched.
#[component]
fn DownloadButton(document_id: String) -> impl IntoView {
    let download = Action::new_local(move |(): &()| api::download_document(document_id.clone()));
    let error = move || download.value().get().and_then(Result::err);
    view! {
        {move || error().map(|error| view! { <ErrorSummary error /> })}
        <ActionButton action=download testid="download" label="Download the signed document" />
    }
}

/// The request's history, oldest first. Nothing in it is ever changed or removed.
#[component]
fn History(events: Vec<RequestEvent>) -> impl IntoView {
    let rows = events
        .into_iter()
        .map(|event| {
            let state = state_label(event.state());
            view! {
                <tr class="govuk-table__row">
                    <td class="govuk-table__cell">{time_label(&event.occurred_at)}</td>
                    <td class="govuk-table__cell">{event.actor_display_name}</td>
                    <td class="govuk-table__cell">{event_label(&event.kind)}</td>
                    <td class="govuk-table__cell">{state}</td>
                    <td class="govuk-table__cell">{event.note}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Table testid="history" caption="History" columns=columns(&["Time", "Who", "What", "State", "Note"])>
            {rows}
        </Table>
    }
}

/// The local area consents in writing: who signed, the signed document, and any dates it
/// cannot host a visit.
#[component]
fn ConsentForm(request: VisitRequest, record: Record<VisitRequest>) -> impl IntoView {
    let form = FormState::new(&[
        ("signatory_name", "consent-signatory-name", "The name of the person who signed"),
        ("signatory_role", "consent-signatory-role", "Their role or position"),
        ("organisation", "consent-organisation", "The organisation"),
        ("date_signed", "consent-date-signed", "The date signed"),
        ("document", "consent-document", "The signed consent letter"),
        ("unavailable", "unavailable-from", "The dates the local area cannot host a visit"),
    ]);
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let organisation = RwSignal::new(String::new());
    let date_signed = DateValue::new();
    let unavailable_from = DateValue::new();
    let unavailable_to = DateValue::new();
    let file = NodeRef::<leptos::html::Input>::new();
    let (id, version) = (request.id, request.version);
    let submit = form_action(move || {
        // Everything typed is read now; only the file is read after.
        let (first_day, last_day) = (unavailable_from.iso(), unavailable_to.iso());
        let unavailable = if first_day.is_empty() && last_day.is_empty() {
            Vec::new()
        } else {
            vec![DateRange { first_day, last_day }]
        };
        let answer = ConsentAnswer {
            signatory_name: name.get_untracked().trim().to_owned(),
            signatory_role: role.get_untracked().trim().to_owned(),
            organisation: organisation.get_untracked().trim().to_owned(),
            date_signed: date_signed.iso(),
            document: Vec::new(),
            unavailable,
        };
        let input = file.get_untracked();
        let id = id.clone();
        let call = async move {
            let document = match input {
                Some(input) => api::read_upload(&input).await?,
                None => None,
            };
            // No file chosen: the server names the empty document.
            let answer = ConsentAnswer { document: document.unwrap_or_default(), ..answer };
            let request = AnswerVisitRequestRequest { id, version, answer: Some(Answer::Consent(answer)) };
            api::answer_visit_request(request).await
        };
        settle(form, call, record.changed("Your written consent is on record."))
    });
    view! {
        <ActionForm testid="consent-form" heading="Consent in writing" form submit reload=record.reload what="the request">
            <p class="govuk-body">
                "Upload the consent letter signed for your local area, and say who signed it. A visit can only go ahead once written consent is on record."
            </p>
            <TextInput id="consent-signatory-name" label="Name of the person who signed" value=name autocomplete="name" form />
            <TextInput
                id="consent-signatory-role"
                label="Their role or position"
                hint="For example, Director of Children's Services"
                value=role
                autocomplete="organization-title"
                form
            />
            <TextInput
                id="consent-organisation"
                label="Organisation"
                hint="The local authority and, if it signed too, the NHS partner"
                value=organisation
                autocomplete="organization"
                form
            />
            <DateInput id="consent-date-signed" legend="Date signed" hint="For example, 3 11 2026" value=date_signed form />
            <Field
                id="consent-document"
                label="Signed consent letter"
                hint=Some("A PDF, PNG or JPEG file, at most 10 MB".to_owned())
                form=Some(form)
                control=move |described: Described| view! {
                    <input
                        class=described.class("govuk-file-upload".to_owned(), "govuk-file-upload--error")
                        id="consent-document"
                        name="consent-document"
                        type="file"
                        accept=".pdf,.png,.jpg,.jpeg"
                        aria-describedby=described.by
                        node_ref=file
                    />
                }
            />
            <div class="govuk-form-group">
                <fieldset class="govuk-fieldset" aria-describedby="unavailable-hint">
                    <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">
                        "Dates your local area cannot host a visit (optional)"
                    </legend>
                    <div class="govuk-hint" id="unavailable-hint">
                        "Within the proposed window. Leave blank if every day is possible."
                    </div>
                    <DateInput id="unavailable-from" legend="From" value=unavailable_from form />
                    <DateInput id="unavailable-to" legend="To" value=unavailable_to form />
                </fieldset>
            </div>
            <SubmitButton submit testid="consent" label="Send the written consent" />
        </ActionForm>
    }
}

/// A request's form with one reason field: what it calls with the request's id, version and the
/// reason typed, and its words.
#[component]
fn ReasonForm<C, Fut>(
    request: VisitRequest,
    record: Record<VisitRequest>,
    /// The section's `data-testid`.
    testid: &'static str,
    heading: &'static str,
    /// The reason field's id, and its label.
    field: (&'static str, &'static str),
    #[prop(optional)] hint: Option<&'static str>,
    /// The button's `data-testid`, words and GOV.UK modifier class.
    button: (&'static str, &'static str, &'static str),
    /// What happened, for the banner.
    done: &'static str,
    call: C,
    /// What the section says before the field.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView
where
    C: Fn(String, i64, String) -> Fut + Copy + 'static,
    Fut: std::future::Future<Output = Result<VisitRequest, api::ApiError>> + 'static,
{
    let (field_id, label) = field;
    let form = FormState::new(&[
        ("reason", field_id, "The reason"),
        ("decline.reason", field_id, "The reason"),
        ("note", field_id, "The note"),
    ]);
    let reason = RwSignal::new(String::new());
    let (id, version) = (request.id, request.version);
    let submit = form_action(move || {
        settle(
            form,
            call(id.clone(), version, reason.get_untracked().trim().to_owned()),
            record.changed(done),
        )
    });
    let (button_testid, words, modifier) = button;
    view! {
        <ActionForm testid heading form submit reload=record.reload what="the request">
            {children.map(|children| children())}
            <TextArea id=field_id label value=reason hint=hint.unwrap_or_default() form />
            <SubmitButton submit testid=button_testid label=words modifier />
        </ActionForm>
    }
}

/// The local area declines, with an optional reason.
#[component]
fn DeclineForm(request: VisitRequest, record: Record<VisitRequest>) -> impl IntoView {
    let call = |id, version, reason| {
        let answer = Answer::Decline(DeclineAnswer { reason });
        api::answer_visit_request(AnswerVisitRequestRequest { id, version, answer: Some(answer) })
    };
    view! {
        <ReasonForm
            request
            record
            testid="decline-form"
            heading="Decline"
            field=("decline-reason", "Reason (optional)")
            hint="Confidential: seen only by national planners, your region's lead and your local area"
            button=("decline", "Decline the visit", "govuk-button--secondary")
            done="You declined the visit."
            call
        >
            <p class="govuk-body">"Interim visits are voluntary: your local area may decline."</p>
        </ReasonForm>
    }
}

/// The local area withdraws its consent, saying why.
#[component]
fn WithdrawForm(request: VisitRequest, record: Record<VisitRequest>) -> impl IntoView {
    view! {
        <ReasonForm
            request
            record
            testid="withdraw-form"
            heading="Withdraw consent"
            field=("withdraw-reason", "Why is your local area withdrawing its consent?")
            button=("withdraw", "Withdraw consent", "govuk-button--warning")
            done="Your consent has been withdrawn."
            call=api::withdraw_consent
        >
            <WarningText text="Any visit planned on this consent cannot go ahead once it is withdrawn." />
        </ReasonForm>
    }
}

/// A national planner or the region's lead cancels the request, saying why.
#[component]
fn CancelForm(request: VisitRequest, record: Record<VisitRequest>) -> impl IntoView {
    view! {
        <ReasonForm
            request
            record
            testid="cancel-form"
            heading="Cancel the request"
            field=("cancel-reason", "Why is the request being cancelled?")
            hint="The local area sees this reason"
            button=("cancel", "Cancel the request", "govuk-button--warning")
            done="The request has been cancelled."
            call=api::cancel_visit_request
        />
    }
}

/// Anyone who can see the request records a child at immediate risk of significant harm.
#[component]
fn ConcernForm(request: VisitRequest, record: Record<VisitRequest>) -> impl IntoView {
    let call = |id, _version, note| api::record_safeguarding_concern(id, note);
    view! {
        <ReasonForm
            request
            record
            testid="concern-form"
            heading="Record a safeguarding concern"
            field=("concern-note", "What was seen, and what has been done")
            button=("record-concern", "Record and escalate the concern", "govuk-button--warning")
            done="The safeguarding concern is recorded and has been escalated to national planners."
            call
        >
            <WarningText text="Only for a child at immediate risk of significant harm. The concern is escalated to national planners at once, and it overrides the confidentiality of this request." />
            <p class="govuk-body">"This does not replace your own safeguarding procedures: follow them as well."</p>
        </ReasonForm>
    }
}
