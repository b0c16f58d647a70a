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
        ActionButton, ActionForm, BackToRecord, CheckAnswers, CheckRow, DateInput, DateValue, Described,
        ErrorSummary, Field, FormState, QuestionPage, Radios, Record, RecordPage, StateTag, SubmitButton,
        SummaryRow, Table, TextArea, TextInput, WarningText, back_to_fault, columns, form_action, set_title,
        settle, step_href, step_navigator, use_step,
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

/// The answers of the request's steps while the person moves between their pages, and the
/// forms' refusals: the local area's answer (its decision, the signatory, the signed letter and
/// the days it cannot host a visit) and the reasons of a decline, a withdrawal or a cancellation.
#[derive(Debug, Clone, Copy)]
struct Drafts {
    consent: FormState,
    agrees: RwSignal<Option<bool>>,
    name: RwSignal<String>,
    role: RwSignal<String>,
    organisation: RwSignal<String>,
    date_signed: DateValue,
    /// The chosen file's name and bytes, read when the person continues from its page.
    document: RwSignal<Option<(String, Vec<u8>)>>,
    unavailable_from: DateValue,
    unavailable_to: DateValue,
    decline: FormState,
    decline_reason: RwSignal<String>,
    withdraw: FormState,
    withdraw_reason: RwSignal<String>,
    cancel: FormState,
    cancel_reason: RwSignal<String>,
}

impl Drafts {
    fn new() -> Self {
        Self {
            consent: FormState::new(&[
                ("agrees", "agrees", "Whether the local area agrees"),
                ("signatory_name", "consent-signatory-name", "The name of the person who signed"),
                ("signatory_role", "consent-signatory-role", "Their role or position"),
                ("organisation", "consent-organisation", "The organisation"),
                ("date_signed", "consent-date-signed", "The date signed"),
                ("document", "consent-document", "The signed consent letter"),
                ("unavailable", "unavailable-from", "The dates the local area cannot host a visit"),
            ]),
            agrees: RwSignal::new(None),
            name: RwSignal::new(String::new()),
            role: RwSignal::new(String::new()),
            organisation: RwSignal::new(String::new()),
            date_signed: DateValue::new(),
            document: RwSignal::new(None),
            unavailable_from: DateValue::new(),
            unavailable_to: DateValue::new(),
            decline: reason_form("decline-reason"),
            decline_reason: RwSignal::new(String::new()),
            withdraw: reason_form("withdraw-reason"),
            withdraw_reason: RwSignal::new(String::new()),
            cancel: reason_form("cancel-reason"),
            cancel_reason: RwSignal::new(String::new()),
        }
    }

    /// The days typed as the local area's unavailable days (none when both are blank).
    fn unavailable(&self) -> Vec<DateRange> {
        let (first_day, last_day) = (self.unavailable_from.iso(), self.unavailable_to.iso());
        if first_day.is_empty() && last_day.is_empty() {
            Vec::new()
        } else {
            vec![DateRange { first_day, last_day }]
        }
    }
}

/// A form with one reason field, `id`, whichever name the server gives it.
fn reason_form(id: &str) -> FormState {
    FormState::new(&[
        ("reason", id, "The reason"),
        ("decline.reason", id, "The reason"),
        ("note", id, "The note"),
    ])
}

/// The page of the answer's question at fault, by the field the server named.
fn answer_step(field: &str) -> Option<&'static str> {
    match field {
        "agrees" => Some("agree"),
        "signatory_name" | "signatory_role" | "organisation" => Some("signatory"),
        "date_signed" | "document" => Some("document"),
        "unavailable" => Some("unavailable"),
        "reason" | "decline.reason" => Some("decline"),
        _ => None,
    }
}

/// The request's page: its summary, written consent, what the person may do and its history; or
/// one step of answering it (`?answer=…`: one question per page, then a check before the answer
/// is sent) or of another action (`?task=…`: withdraw, cancel, each checked first; record a
/// safeguarding concern). A step the server does not allow the person now shows the summary.
#[component]
fn RequestView(request: VisitRequest, record: Record<VisitRequest>) -> impl IntoView {
    let allowed: Vec<RequestAction> = request.allowed_actions().collect();
    let may = move |action: RequestAction| allowed.contains(&action);
    let answer = use_step("answer");
    let task = use_step("task");
    let drafts = Drafts::new();
    move || {
        let request = request.clone();
        let area = request.local_area_name.clone();
        match (answer.get().as_deref(), task.get().as_deref()) {
            (Some(step), _) if may(RequestAction::Answer) => {
                view! { <AnswerSteps request record drafts step=step.to_owned() /> }.into_any()
            }
            (_, Some(step @ ("withdraw" | "check-withdraw"))) if may(RequestAction::Withdraw) => {
                let check = step == "check-withdraw";
                view! {
                    <ReasonSteps
                        request
                        record
                        form=drafts.withdraw
                        reason=drafts.withdraw_reason
                        steps=("withdraw", "check-withdraw")
                        testids=("withdraw-question", "withdraw-form")
                        check
                        question="Why is your local area withdrawing its consent?"
                        hint=""
                        check_heading=format!("Check before you withdraw {area}'s consent")
                        consequence="Any visit planned on this consent cannot go ahead. The consent and its withdrawal stay on record, and national planners and your region's lead see why."
                        button=("withdraw", "Withdraw consent", "govuk-button--warning")
                        done="Your consent has been withdrawn."
                        call=api::withdraw_consent
                    />
                }
                .into_any()
            }
            (_, Some(step @ ("cancel" | "check-cancel"))) if may(RequestAction::Cancel) => {
                let check = step == "check-cancel";
                view! {
                    <ReasonSteps
                        request
                        record
                        form=drafts.cancel
                        reason=drafts.cancel_reason
                        steps=("cancel", "check-cancel")
                        testids=("cancel-question", "cancel-form")
                        check
                        question="Why is the request being cancelled?"
                        hint="The local area sees this reason"
                        check_heading=format!("Check before you cancel the request to {area}")
                        consequence="The request closes: the local area can no longer answer it, and any consent given on it no longer allows a visit. This cannot be undone."
                        button=("cancel", "Cancel the request", "govuk-button--warning")
                        done="The request has been cancelled."
                        call=api::cancel_visit_request
                    />
                }
                .into_any()
            }
            (_, Some("concern")) if may(RequestAction::RecordSafeguardingConcern) => {
                view! { <ConcernForm request record /> }.into_any()
            }
            _ => view! { <Summary request=request.clone() /> }.into_any(),
        }
    }
}

/// The request's summary, its written consent, links to what the person may do, and its history.
#[component]
fn Summary(request: VisitRequest) -> impl IntoView {
    set_title(&format!("Visit request: {}", request.local_area_name));
    let allowed: Vec<RequestAction> = request.allowed_actions().collect();
    let may = |action: RequestAction| allowed.contains(&action);
    let state = request.state();
    let area = request.local_area_name.clone();
    let note = if request.note.is_empty() { "None".to_owned() } else { request.note.clone() };
    let concern = request.safeguarding_concern.then(|| {
        view! {
            <div data-testid="safeguarding-flag">
                <WarningText text="A safeguarding concern has been recorded for this request and escalated to national planners." />
            </div>
        }
    });
    let consent = request.consent.clone().map(|consent| view! { <ConsentRecord consent state /> });
    let answer = may(RequestAction::Answer).then(|| {
        view! {
            <h2 class="govuk-heading-m">"Your answer"</h2>
            <p class="govuk-body">
                {format!("Interim visits are voluntary: {area} may agree, in writing, or decline. Answer by {}.", date_label(&request.reply_by))}
            </p>
            <A href=step_href("answer", Some("agree")) attr:class="govuk-button" attr:data-testid="answer">
                "Answer the request"
            </A>
        }
    });
    let schedule = may(RequestAction::ScheduleVisit).then(|| {
        let href = format!(
            "/engagements/new?region={}&area={}&kind=interim-visit&request={}",
            request.region_code, request.local_area_code, request.id
        );
        view! {
            <p class="govuk-body">
                <A href=href attr:class="govuk-button" attr:data-testid="schedule-visit">
                    "Schedule the interim visit"
                </A>
            </p>
        }
    });
    let link = |allowed: bool, task: &'static str, testid: &'static str, words: &'static str| {
        allowed.then(|| {
            view! {
                <li>
                    <A href=step_href("task", Some(task)) attr:class="govuk-link" attr:data-testid=testid>{words}</A>
                </li>
            }
        })
    };
    let others = [
        link(may(RequestAction::Withdraw), "withdraw", "withdraw-link", "Withdraw your consent"),
        link(may(RequestAction::Cancel), "cancel", "cancel-link", "Cancel the request"),
        link(
            may(RequestAction::RecordSafeguardingConcern),
            "concern",
            "concern-link",
            "Record a safeguarding concern",
        ),
    ];
    let others = others.iter().any(Option::is_some).then(|| {
        view! {
            <h2 class="govuk-heading-m">"Other things you can do"</h2>
            <ul class="govuk-list" data-testid="other-actions">{others.into_iter().flatten().collect_view()}</ul>
        }
    });
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
        {answer}
        {schedule}
        {others}
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

/// The local area answers, one question per page: does it agree; if so who signed, the signed
/// letter and its date, and the days it cannot host a visit; if not, why (optional); then a
/// check of the answers, with Change links, before the answer is sent. A refusal takes the
/// person back to the question at fault.
#[component]
fn AnswerSteps(
    request: VisitRequest,
    record: Record<VisitRequest>,
    drafts: Drafts,
    step: String,
) -> impl IntoView {
    let area = request.local_area_name.clone();
    let caption = format!("Interim visit request: {area}");
    let go = step_navigator("answer");
    let href = |step: &str| step_href("answer", Some(step));
    let back_home = step_href("answer", None);
    let form = drafts.consent;
    let next = {
        let go = go.clone();
        move |to: &'static str| {
            let go = go.clone();
            Callback::new(move |()| {
                form.error.set(None);
                drafts.decline.error.set(None);
                go(Some(to));
            })
        }
    };
    match step.as_str() {
        "signatory" => {
            set_title(&format!("Who signed {area}'s consent letter?"));
            view! {
                <QuestionPage testid="signatory-question" heading="Who signed the consent letter?" caption form on_continue=next("document") back=href("agree")>
                    <TextInput id="consent-signatory-name" label="Full name" value=drafts.name autocomplete="name" form />
                    <TextInput
                        id="consent-signatory-role"
                        label="Their role or position"
                        hint="For example, Director of Children's Services"
                        value=drafts.role
                        autocomplete="organization-title"
                        form
                    />
                    <TextInput
                        id="consent-organisation"
                        label="Organisation"
                        hint="The local authority and, if it signed too, the NHS partner"
                        value=drafts.organisation
                        autocomplete="organization"
                        form
                    />
                </QuestionPage>
            }
            .into_any()
        }
        "document" => {
            set_title(&format!("Upload {area}'s signed consent letter"));
            let file = NodeRef::<leptos::html::Input>::new();
            let go = go.clone();
            let on_continue = Callback::new(move |()| {
                let go = go.clone();
                let input = file.get_untracked();
                leptos::task::spawn_local(async move {
                    let Some(input) = input else { return };
                    let name = input.files().and_then(|files| files.get(0)).map(|f| f.name());
                    match api::read_upload(&input).await {
                        Ok(Some(bytes)) => drafts.document.set(Some((name.unwrap_or_default(), bytes))),
                        // Nothing chosen now: a file chosen before stays.
                        Ok(None) => {}
                        Err(error) => return form.fail(error),
                    }
                    form.error.set(None);
                    go(Some("unavailable"));
                });
            });
            let chosen = move || {
                drafts.document.with(|d| {
                    d.as_ref().map(|(name, bytes)| {
                        view! {
                            <p class="govuk-body" data-testid="chosen-document">
                                {format!("Chosen: {name}, {}. Choose another file to replace it.", size_label(bytes.len() as u64))}
                            </p>
                        }
                    })
                })
            };
            view! {
                <QuestionPage testid="document-question" heading="Upload the signed consent letter" caption form on_continue back=href("signatory")>
                    <DateInput id="consent-date-signed" legend="Date signed" hint="For example, 3 11 2026" value=drafts.date_signed form />
                    {chosen}
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
                </QuestionPage>
            }
            .into_any()
        }
        "unavailable" => {
            set_title(&format!("Days {area} cannot host a visit"));
            view! {
                <QuestionPage
                    testid="unavailable-question"
                    heading=format!("Are there days {area} cannot host a visit?")
                    caption
                    form
                    on_continue=next("check")
                    back=href("document")
                >
                    <p class="govuk-body">
                        {format!("Within the proposed window, {}. Leave blank if every day is possible.", range_label(request.window.as_ref()))}
                    </p>
                    <DateInput id="unavailable-from" legend="From" value=drafts.unavailable_from form />
                    <DateInput id="unavailable-to" legend="To" value=drafts.unavailable_to form />
                </QuestionPage>
            }
            .into_any()
        }
        "check" => {
            set_title(&format!("Check {area}'s answer before sending it"));
            back_to_fault(form, "answer", "check", answer_step);
            let (id, version) = (request.id.clone(), request.version);
            let home = BackToRecord::new(record);
            let submit = form_action(move || {
                let answer = ConsentAnswer {
                    signatory_name: drafts.name.get_untracked().trim().to_owned(),
                    signatory_role: drafts.role.get_untracked().trim().to_owned(),
                    organisation: drafts.organisation.get_untracked().trim().to_owned(),
                    date_signed: drafts.date_signed.iso(),
                    // No file chosen: the server names the empty document.
                    document: drafts.document.get_untracked().map(|(_, bytes)| bytes).unwrap_or_default(),
                    unavailable: drafts.unavailable(),
                };
                let request = AnswerVisitRequestRequest {
                    id: id.clone(),
                    version,
                    answer: Some(Answer::Consent(answer)),
                };
                settle(
                    form,
                    api::answer_visit_request(request),
                    home.with("Your written consent is on record."),
                )
            });
            let change = |step: &str, what: &'static str| Some((href(step), what));
            let or_none = |text: String| if text.trim().is_empty() { "Not given".to_owned() } else { text };
            let unavailable = drafts.unavailable();
            let answers = vec![
                CheckRow {
                    key: "Does the local area agree?",
                    value: format!("Yes, {area} agrees to an interim visit"),
                    change: change("agree", "whether the local area agrees"),
                },
                CheckRow {
                    key: "Signed by",
                    value: or_none(drafts.name.get_untracked()),
                    change: change("signatory", "who signed"),
                },
                CheckRow {
                    key: "Role or position",
                    value: or_none(drafts.role.get_untracked()),
                    change: change("signatory", "their role or position"),
                },
                CheckRow {
                    key: "Organisation",
                    value: or_none(drafts.organisation.get_untracked()),
                    change: change("signatory", "the organisation"),
                },
                CheckRow {
                    key: "Date signed",
                    value: or_none(date_label(&drafts.date_signed.iso())),
                    change: change("document", "the date signed"),
                },
                CheckRow {
                    key: "Signed consent letter",
                    value: drafts.document.with_untracked(|d| {
                        d.as_ref().map_or_else(
                            || "Not given".to_owned(),
                            |(name, bytes)| format!("{name}, {}", size_label(bytes.len() as u64)),
                        )
                    }),
                    change: change("document", "the signed consent letter"),
                },
                CheckRow {
                    key: "Days the local area cannot host a visit",
                    value: unavailable
                        .first()
                        .map_or_else(|| "None".to_owned(), |range| range_label(Some(range))),
                    change: change("unavailable", "the days the local area cannot host a visit"),
                },
            ];
            view! {
                <CheckAnswers
                    testid="consent-form"
                    heading="Check your answer before sending it"
                    answers
                    consequence=format!("By sending this you confirm, on {area}'s behalf, its written consent to an interim visit within the proposed window. National planners and your region's lead see the consent and the signed letter; the visiting team does not. You can withdraw the consent later, saying why.")
                    form
                    submit
                    button=("consent", "Send the written consent", "")
                    back=href("unavailable")
                    reload=record.reload
                    what="the request"
                />
            }
            .into_any()
        }
        "decline" => {
            set_title(&format!("Why is {area} declining?"));
            let form = drafts.decline;
            view! {
                <QuestionPage
                    testid="decline-question"
                    heading=format!("Why is {area} declining the visit?")
                    caption
                    form
                    on_continue=next("check-decline")
                    back=href("agree")
                >
                    <TextArea
                        id="decline-reason"
                        label="Reason (optional)"
                        hint="Confidential: seen only by national planners, your region's lead and your local area"
                        value=drafts.decline_reason
                        form
                    />
                </QuestionPage>
            }
            .into_any()
        }
        "check-decline" => {
            set_title(&format!("Check {area}'s answer before sending it"));
            let form = drafts.decline;
            back_to_fault(form, "answer", "check-decline", answer_step);
            let (id, version) = (request.id.clone(), request.version);
            let home = BackToRecord::new(record);
            let submit = form_action(move || {
                let answer = Answer::Decline(DeclineAnswer {
                    reason: drafts.decline_reason.get_untracked().trim().to_owned(),
                });
                let request = AnswerVisitRequestRequest { id: id.clone(), version, answer: Some(answer) };
                settle(form, api::answer_visit_request(request), home.with("You declined the visit."))
            });
            let reason = drafts.decline_reason.get_untracked();
            let answers = vec![
                CheckRow {
                    key: "Does the local area agree?",
                    value: format!("No, {area} declines the interim visit"),
                    change: Some((href("agree"), "whether the local area agrees")),
                },
                CheckRow {
                    key: "Reason",
                    value: if reason.trim().is_empty() { "Not given".to_owned() } else { reason },
                    change: Some((href("decline"), "the reason")),
                },
            ];
            view! {
                <CheckAnswers
                    testid="decline-form"
                    heading="Check your answer before sending it"
                    answers
                    consequence="Your answer is final: the request closes and no interim visit is planned on it. Interim visits are voluntary, and declining has no other consequence."
                    form
                    submit
                    button=("decline", "Decline the visit", "govuk-button--secondary")
                    back=href("decline")
                    reload=record.reload
                    what="the request"
                />
            }
            .into_any()
        }
        // "agree", and any step not known: the first question.
        _ => {
            set_title(&format!("Does {area} agree to an interim visit?"));
            let go = go.clone();
            let on_continue = Callback::new(move |()| match drafts.agrees.get_untracked() {
                Some(true) => {
                    form.error.set(None);
                    go(Some("signatory"));
                }
                Some(false) => {
                    form.error.set(None);
                    go(Some("decline"));
                }
                None => form.fail(api::ApiError::invalid(
                    "agrees",
                    format!("Select yes if {area} agrees to an interim visit"),
                )),
            });
            let options = vec![
                (
                    Some(true),
                    "agrees-yes".to_owned(),
                    "Yes".to_owned(),
                    Some("You will need the consent letter, signed for your local area".to_owned()),
                ),
                (Some(false), "agrees-no".to_owned(), "No".to_owned(), None),
            ];
            view! {
                <QuestionPage
                    testid="agree-question"
                    heading=format!("Does {} agree to an interim visit?", request.local_area_name)
                    caption
                    form
                    on_continue
                    back=back_home
                >
                    <p class="govuk-body">
                        {format!("The visit would take place within {}. Interim visits are voluntary.", range_label(request.window.as_ref()))}
                    </p>
                    <Radios legend="Your answer" name="agrees" options value=drafts.agrees form />
                </QuestionPage>
            }
            .into_any()
        }
    }
}

/// An action with one reason: the question on its page, then a check stating what follows.
#[component]
fn ReasonSteps<C, Fut>(
    request: VisitRequest,
    record: Record<VisitRequest>,
    form: FormState,
    reason: RwSignal<String>,
    /// The question's step and the check's, under `task`.
    steps: (&'static str, &'static str),
    /// The `data-testid`s of the question's section and the check's.
    testids: (&'static str, &'static str),
    check: bool,
    question: &'static str,
    hint: &'static str,
    check_heading: String,
    consequence: &'static str,
    /// The button's `data-testid`, words and GOV.UK modifier class.
    button: (&'static str, &'static str, &'static str),
    /// What happened, for the banner.
    done: &'static str,
    call: C,
) -> impl IntoView
where
    C: Fn(String, i64, String) -> Fut + Copy + 'static,
    Fut: std::future::Future<Output = Result<VisitRequest, api::ApiError>> + 'static,
{
    let (question_step, check_step) = steps;
    let field_id = format!("{question_step}-reason");
    let caption = format!("Interim visit request: {}", request.local_area_name);
    if check {
        set_title(&check_heading);
        back_to_fault(form, "task", check_step, move |field| {
            matches!(field, "reason" | "note").then_some(question_step)
        });
        let (id, version) = (request.id, request.version);
        let home = BackToRecord::new(record);
        let submit = form_action(move || {
            settle(form, call(id.clone(), version, reason.get_untracked().trim().to_owned()), home.with(done))
        });
        let answers = vec![CheckRow {
            key: "Reason",
            value: reason.get_untracked(),
            change: Some((step_href("task", Some(question_step)), "the reason")),
        }];
        view! {
            <CheckAnswers
                testid=testids.1
                heading=check_heading
                answers
                consequence
                form
                submit
                button
                back=step_href("task", Some(question_step))
                reload=record.reload
                what="the request"
            />
        }
        .into_any()
    } else {
        set_title(question);
        let go = step_navigator("task");
        let on_continue = Callback::new(move |()| {
            form.error.set(None);
            go(Some(check_step));
        });
        view! {
            <QuestionPage testid=testids.0 heading=question caption form on_continue back=step_href("task", None)>
                <TextArea id=field_id label="Reason" hint value=reason form />
            </QuestionPage>
        }
        .into_any()
    }
}

/// Anyone who can see the request records a child at immediate risk of significant harm: one
/// page, sent at once (it cannot wait for a check).
#[component]
fn ConcernForm(request: VisitRequest, record: Record<VisitRequest>) -> impl IntoView {
    set_title("Record a safeguarding concern");
    let form = reason_form("concern-note");
    let note = RwSignal::new(String::new());
    let id = request.id;
    let home = BackToRecord::new(record);
    let submit = form_action(move || {
        let call = api::record_safeguarding_concern(id.clone(), note.get_untracked().trim().to_owned());
        settle(
            form,
            call,
            home.with("The safeguarding concern is recorded and has been escalated to national planners."),
        )
    });
    view! {
        <A href=step_href("task", None) attr:class="govuk-back-link">"Back to the request"</A>
        <span class="govuk-caption-l">{format!("Interim visit request: {}", request.local_area_name)}</span>
        <ActionForm testid="concern-form" heading="Record a safeguarding concern" form submit reload=record.reload what="the request" page=true>
            <WarningText text="Only for a child at immediate risk of significant harm. The concern is escalated to national planners at once, and it overrides the confidentiality of this request." />
            <p class="govuk-body">"This does not replace your own safeguarding procedures: follow them as well."</p>
            <TextArea id="concern-note" label="What was seen, and what has been done" value=note form />
            <SubmitButton submit testid="record-concern" label="Record and escalate the concern" modifier="govuk-button--warning" />
        </ActionForm>
    }
}
