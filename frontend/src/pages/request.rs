//! One visit request: its facts, its written consent, what the signed-in person may do next,
//! and its history.
//!
//! A request the person may not see answers NOT_FOUND, exactly like a missing one, and the page
//! shows the same "Page not found" for both: nothing tells them whether it exists.

use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::{components::A, hooks::use_params_map};
use proto::pb::{
    AnswerVisitRequestRequest, Consent, ConsentAnswer, DateRange, DeclineAnswer, RequestEvent, RequestState,
    Role, VisitRequest, answer_visit_request_request::Answer,
};
use tonic::Code;

use crate::{
    api::{self, ApiError},
    components::{
        DateInput, DateValue, ErrorSummary, FormError, Loading, NotificationBanner, StateTag, TextArea,
        TextInput, set_title,
    },
    format::{
        content_type_label, date_label, event_label, phase_label, range_label, size_label, state_label,
        time_label,
    },
    pages::not_found::NotFound,
    session::use_session,
};

/// A change made on the page: the request as it now stands, and what happened in one sentence.
type Changed = (VisitRequest, String);

/// The request in the address. After any change the page shows the request the server
/// returned, with a success banner.
#[component]
pub(crate) fn RequestPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let request = LocalResource::new(move || api::get_visit_request(id()));
    let notice = RwSignal::new(None::<String>);
    let on_change = Callback::new(move |(updated, text): Changed| {
        notice.set(Some(text));
        request.set(Some(Ok(updated)));
    });
    let reload = Callback::new(move |()| {
        notice.set(None);
        request.refetch();
    });
    move || match request.get() {
        None => {
            set_title("Visit request");
            view! { <Loading what="the visit request" /> }.into_any()
        }
        Some(Err(error)) if error.code == Code::NotFound => view! { <NotFound /> }.into_any(),
        Some(Err(error)) => {
            set_title("Sorry, there is a problem");
            view! {
                <ErrorSummary error />
                <h1 class="govuk-heading-l">"Visit request"</h1>
                <p class="govuk-body"><A href="/requests" attr:class="govuk-link">"Back to visit requests"</A></p>
            }
            .into_any()
        }
        Some(Ok(request)) => view! { <RequestView request notice on_change reload /> }.into_any(),
    }
}

/// The request's facts, consent, actions and history.
#[component]
fn RequestView(
    request: VisitRequest,
    /// What the last change did, shown as a success banner.
    notice: RwSignal<Option<String>>,
    /// Called with the changed request.
    on_change: Callback<Changed>,
    /// Reads the request again (after someone else changed it meanwhile).
    reload: Callback<()>,
) -> impl IntoView {
    set_title(&format!("Visit request: {}", request.local_area_name));
    let session = use_session();
    let role = session.person().map_or(Role::Unspecified, |person| person.role());
    let state = request.state();
    let local_area_user = role == Role::LocalAreaUser;
    let inspectorate = matches!(role, Role::NationalPlanner | Role::RegionalLead);
    let (id, version) = (request.id.clone(), request.version);
    let note = if request.note.is_empty() { "None".to_owned() } else { request.note.clone() };
    let concern = request.safeguarding_concern.then(|| {
        view! {
            <div class="govuk-warning-text" data-testid="safeguarding-flag">
                <span class="govuk-warning-text__icon" aria-hidden="true">"!"</span>
                <strong class="govuk-warning-text__text">
                    <span class="govuk-visually-hidden">"Warning"</span>
                    "A safeguarding concern has been recorded for this request and escalated to national planners."
                </strong>
            </div>
        }
    });
    let consent = request.consent.clone().map(|consent| view! { <ConsentRecord consent state /> });
    let actions = view! {
        {(local_area_user && state == RequestState::Requested)
            .then(|| {
                view! {
                    <ConsentForm id=id.clone() version on_change reload />
                    <DeclineForm id=id.clone() version on_change reload />
                }
            })}
        {(local_area_user && state == RequestState::Consented)
            .then(|| view! { <WithdrawForm id=id.clone() version on_change reload /> })}
        {(inspectorate && matches!(state, RequestState::Requested | RequestState::Consented))
            .then(|| view! { <CancelForm id=id.clone() version on_change reload /> })}
        <ConcernForm id=id.clone() on_change />
    };
    view! {
        <A href="/requests" attr:class="govuk-back-link">"Back to visit requests"</A>
        {move || notice.get().map(|text| view! { <NotificationBanner text success=true /> })}
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

/// One row of a GOV.UK summary list.
#[component]
fn SummaryRow(key: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="govuk-summary-list__row">
            <dt class="govuk-summary-list__key">{key}</dt>
            <dd class="govuk-summary-list__value">{children()}</dd>
        </div>
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
        <button
            type="button"
            class="govuk-button govuk-button--secondary"
            data-testid="download"
            disabled=download.pending()
            on:click=move |_| {
                download.dispatch(());
            }
        >
            "Download the signed document"
        </button>
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
        <table class="govuk-table" data-testid="history">
            <caption class="govuk-table__caption govuk-table__caption--m">"History"</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"Time"</th>
                    <th scope="col" class="govuk-table__header">"Who"</th>
                    <th scope="col" class="govuk-table__header">"What"</th>
                    <th scope="col" class="govuk-table__header">"State"</th>
                    <th scope="col" class="govuk-table__header">"Note"</th>
                </tr>
            </thead>
            <tbody class="govuk-table__body">{rows}</tbody>
        </table>
    }
}

/// The local area consents in writing: who signed, the signed document, and any dates it
/// cannot host a visit.
#[component]
fn ConsentForm(
    id: String,
    version: i64,
    on_change: Callback<Changed>,
    reload: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let organisation = RwSignal::new(String::new());
    let date_signed = DateValue::new();
    let unavailable_from = DateValue::new();
    let unavailable_to = DateValue::new();
    let file = NodeRef::<leptos::html::Input>::new();
    let error = RwSignal::new(None::<ApiError>);
    let submit = Action::new_local(move |(): &()| {
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
        async move {
            let document = match input {
                Some(input) => api::read_upload(&input).await,
                None => Ok(None),
            };
            // No file chosen: the server names the empty document.
            let document = match document {
                Ok(document) => document.unwrap_or_default(),
                Err(e) => return error.set(Some(e)),
            };
            let request = AnswerVisitRequestRequest {
                id,
                version,
                answer: Some(Answer::Consent(ConsentAnswer { document, ..answer })),
            };
            match api::answer_visit_request(request).await {
                Ok(updated) => on_change.run((updated, "Your written consent is on record.".to_owned())),
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    view! {
        <section class="app-action" data-testid="consent-form" aria-labelledby="consent-heading">
            <h2 class="govuk-heading-m" id="consent-heading">"Consent in writing"</h2>
            <FormError error reload what="the request" />
            <p class="govuk-body">
                "Upload the consent letter signed for your local area, and say who signed it. A visit can only go ahead once written consent is on record."
            </p>
            <form novalidate on:submit=on_submit>
                <TextInput id="consent-signatory-name" label="Name of the person who signed" value=name autocomplete="name" />
                <TextInput
                    id="consent-signatory-role"
                    label="Their role or position"
                    hint="For example, Director of Children's Services"
                    value=role
                    autocomplete="organization-title"
                />
                <TextInput
                    id="consent-organisation"
                    label="Organisation"
                    hint="The local authority and, if it signed too, the NHS partner"
                    value=organisation
                    autocomplete="organization"
                />
                <DateInput id="consent-date-signed" legend="Date signed" hint="For example, 3 11 2026" value=date_signed />
                <div class="govuk-form-group">
                    <label class="govuk-label" for="consent-document">"Signed consent letter"</label>
                    <div class="govuk-hint" id="consent-document-hint">"A PDF, PNG or JPEG file, at most 10 MB"</div>
                    <input
                        class="govuk-file-upload"
                        id="consent-document"
                        name="consent-document"
                        type="file"
                        accept=".pdf,.png,.jpg,.jpeg"
                        aria-describedby="consent-document-hint"
                        node_ref=file
                    />
                </div>
                <div class="govuk-form-group">
                    <fieldset class="govuk-fieldset" aria-describedby="unavailable-hint">
                        <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">
                            "Dates your local area cannot host a visit (optional)"
                        </legend>
                        <div class="govuk-hint" id="unavailable-hint">
                            "Within the proposed window. Leave blank if every day is possible."
                        </div>
                        <DateInput id="unavailable-from" legend="From" value=unavailable_from />
                        <DateInput id="unavailable-to" legend="To" value=unavailable_to />
                    </fieldset>
                </div>
                <button type="submit" class="govuk-button" data-testid="consent" disabled=submit.pending()>
                    "Send the written consent"
                </button>
            </form>
        </section>
    }
}

/// The local area declines, with an optional reason.
#[component]
fn DeclineForm(
    id: String,
    version: i64,
    on_change: Callback<Changed>,
    reload: Callback<()>,
) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let submit = Action::new_local(move |(): &()| {
        let answer = Answer::Decline(DeclineAnswer { reason: reason.get_untracked().trim().to_owned() });
        let request = AnswerVisitRequestRequest { id: id.clone(), version, answer: Some(answer) };
        async move {
            match api::answer_visit_request(request).await {
                Ok(updated) => on_change.run((updated, "You declined the visit.".to_owned())),
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    view! {
        <section class="app-action" data-testid="decline-form" aria-labelledby="decline-heading">
            <h2 class="govuk-heading-m" id="decline-heading">"Decline"</h2>
            <FormError error reload what="the request" />
            <p class="govuk-body">"Interim visits are voluntary: your local area may decline."</p>
            <form novalidate on:submit=on_submit>
                <TextArea
                    id="decline-reason"
                    label="Reason (optional)"
                    hint="Confidential: seen only by national planners, your region's lead and your local area"
                    value=reason
                />
                <button type="submit" class="govuk-button govuk-button--secondary" data-testid="decline" disabled=submit.pending()>
                    "Decline the visit"
                </button>
            </form>
        </section>
    }
}

/// The local area withdraws its consent, saying why.
#[component]
fn WithdrawForm(
    id: String,
    version: i64,
    on_change: Callback<Changed>,
    reload: Callback<()>,
) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let submit = Action::new_local(move |(): &()| {
        let (id, reason) = (id.clone(), reason.get_untracked().trim().to_owned());
        async move {
            match api::withdraw_consent(id, version, reason).await {
                Ok(updated) => on_change.run((updated, "Your consent has been withdrawn.".to_owned())),
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    view! {
        <section class="app-action" data-testid="withdraw-form" aria-labelledby="withdraw-heading">
            <h2 class="govuk-heading-m" id="withdraw-heading">"Withdraw consent"</h2>
            <FormError error reload what="the request" />
            <div class="govuk-warning-text">
                <span class="govuk-warning-text__icon" aria-hidden="true">"!"</span>
                <strong class="govuk-warning-text__text">
                    <span class="govuk-visually-hidden">"Warning"</span>
                    "Any visit planned on this consent cannot go ahead once it is withdrawn."
                </strong>
            </div>
            <form novalidate on:submit=on_submit>
                <TextArea id="withdraw-reason" label="Why is your local area withdrawing its consent?" value=reason />
                <button type="submit" class="govuk-button govuk-button--warning" data-testid="withdraw" disabled=submit.pending()>
                    "Withdraw consent"
                </button>
            </form>
        </section>
    }
}

/// A national planner or the region's lead cancels the request, saying why.
#[component]
fn CancelForm(id: String, version: i64, on_change: Callback<Changed>, reload: Callback<()>) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let submit = Action::new_local(move |(): &()| {
        let (id, reason) = (id.clone(), reason.get_untracked().trim().to_owned());
        async move {
            match api::cancel_visit_request(id, version, reason).await {
                Ok(updated) => on_change.run((updated, "The request has been cancelled.".to_owned())),
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    view! {
        <section class="app-action" data-testid="cancel-form" aria-labelledby="cancel-heading">
            <h2 class="govuk-heading-m" id="cancel-heading">"Cancel the request"</h2>
            <FormError error reload what="the request" />
            <form novalidate on:submit=on_submit>
                <TextArea
                    id="cancel-reason"
                    label="Why is the request being cancelled?"
                    hint="The local area sees this reason"
                    value=reason
                />
                <button type="submit" class="govuk-button govuk-button--warning" data-testid="cancel" disabled=submit.pending()>
                    "Cancel the request"
                </button>
            </form>
        </section>
    }
}

/// Anyone who can see the request records a child at immediate risk of significant harm.
#[component]
fn ConcernForm(id: String, on_change: Callback<Changed>) -> impl IntoView {
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let submit = Action::new_local(move |(): &()| {
        let (id, note) = (id.clone(), note.get_untracked().trim().to_owned());
        async move {
            match api::record_safeguarding_concern(id, note).await {
                Ok(updated) => on_change.run((
                    updated,
                    "The safeguarding concern is recorded and has been escalated to national planners."
                        .to_owned(),
                )),
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    view! {
        <section class="app-action" data-testid="concern-form" aria-labelledby="concern-heading">
            <h2 class="govuk-heading-m" id="concern-heading">"Record a safeguarding concern"</h2>
            <FormError error what="the request" />
            <div class="govuk-warning-text">
                <span class="govuk-warning-text__icon" aria-hidden="true">"!"</span>
                <strong class="govuk-warning-text__text">
                    <span class="govuk-visually-hidden">"Warning"</span>
                    "Only for a child at immediate risk of significant harm. The concern is escalated to national planners at once, and it overrides the confidentiality of this request."
                </strong>
            </div>
            <p class="govuk-body">
                "This does not replace your own safeguarding procedures: follow them as well."
            </p>
            <form novalidate on:submit=on_submit>
                <TextArea
                    id="concern-note"
                    label="What was seen, and what has been done"
                    value=note
                />
                <button type="submit" class="govuk-button govuk-button--warning" data-testid="record-concern" disabled=submit.pending()>
                    "Record and escalate the concern"
                </button>
            </form>
        </section>
    }
}
