//! The one place that talks to the backend. Pages call these functions and get plain data or
//! an [`ApiError`] they can show.
//!
//! It also keeps the session: [`sign_in`] stores the token in the tab's `sessionStorage`, every
//! other call sends it as `authorization: Bearer <token>`, and an `UNAUTHENTICATED` answer to a
//! call that carried it (the session expired or was revoked) forgets it and tells the app through
//! the hook set with [`on_session_ended`].
//!
//! Signed consent documents travel outside gRPC: [`download_document`] fetches one with the same
//! bearer token and hands it to the browser as a download, and [`read_upload`] reads a chosen
//! file's bytes for [`answer_visit_request`]. The national programme's CSV comes over gRPC and
//! is handed to the browser the same way ([`export_national_programme`]); so are a letter's PDF
//! ([`download_letter_pdf`], like a document) and the national report ([`save_text`]).

use std::{cell::RefCell, fmt, rc::Rc};

use proto::pb::{
    AcknowledgeSafeguardingConcernRequest, AddUnavailabilityRequest, AnswerVisitRequestRequest,
    ApproveLetterRequest, AssignTeamRequest, CancelVisitRequestRequest, CaseStudyRule, CaseStudySample,
    CheckFinding, CheckLetterRequest, CheckOverride, ConsentTotal, CorrectLetterRequest,
    CreateInspectorRequest, CreateLetterRequest, CreatePersonRequest, CreateVisitRequestRequest, DateRange,
    DeclareConflictRequest, Engagement, ExportNationalProgrammeRequest, ExportNationalReportRequest,
    GetConsentTotalsRequest, GetEngagementRequest, GetLetterRequest, GetNationalBoardRequest,
    GetNationalBoardResponse, GetStartPageRequest, GetStartPageResponse, GetVisitRequestRequest, Inspector,
    IssueLetterRequest, Letter, LetterView, ListAuditEntriesRequest, ListAuditEntriesResponse,
    ListEngagementsRequest, ListInboxRequest, ListInspectorsRequest, ListLetterViewsRequest,
    ListLettersRequest, ListLocalAreasRequest, ListLocalAreasResponse, ListPeopleRequest, ListPeopleResponse,
    ListPublishedLettersRequest, ListRegionsRequest, ListSafeguardingConcernsRequest,
    ListSuspiciousAccessRequest, ListVisitRequestsRequest, ListVisitRequestsResponse, NotifyLocalAreaRequest,
    Outcome, Person, PersonWithAccess, PostponeEngagementRequest, Recipient, RecordOutcomeRequest,
    RecordSafeguardingConcernRequest, Region, RequestState, RescheduleEngagementRequest, ReturnLetterRequest,
    RevokeRecipientRequest, RevokeSessionsRequest, SafeguardingConcern, ScheduleEngagementRequest,
    SetDistributionRequest, SetPublicationRequest, SignInRequest, SignOutRequest, SubmitLetterRequest,
    SuspiciousCaller, TeamMember, UpdateDraftRequest, VisitRequest, WhoAmIRequest, WhoCanSeeRequest,
    WithdrawConsentRequest, account_service_client::AccountServiceClient,
    audit_service_client::AuditServiceClient, auth_service_client::AuthServiceClient,
    consent_service_client::ConsentServiceClient, letter_service_client::LetterServiceClient,
    programme_service_client::ProgrammeServiceClient, reference_service_client::ReferenceServiceClient,
    start_service_client::StartServiceClient,
};
use tonic::{Code, Request, Response, Status, metadata::MetadataValue};
use tonic_types::StatusExt as _;
use tonic_web_wasm_client::Client;
use wasm_bindgen::{JsCast as _, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;

/// One problem the server named: a field at fault (a `BadRequest` field violation) or a rule
/// the change breaks (a `PreconditionFailure` violation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// The rule's stable id (`team.composition`) for a broken rule; empty for a field at fault.
    /// For tests and programs: never shown to people.
    pub(crate) rule: String,
    /// The request field (`reason`, `onsite`) or the object (`members`, `body:9:4`) concerned.
    pub(crate) subject: String,
    /// The words a person reads.
    pub(crate) description: String,
}

impl Problem {
    /// The field the subject names: `body` of `body:9:4`, `onsite` of `onsite`.
    pub(crate) fn field(&self) -> &str {
        self.subject.split(':').next().unwrap_or_default()
    }

    /// The line and column of a finding in a letter's text (a `body:LINE:COLUMN` subject).
    pub(crate) fn position(&self) -> Option<(u32, u32)> {
        let mut parts = self.subject.split(':').skip(1).map(str::parse::<u32>);
        match (parts.next(), parts.next()) {
            (Some(Ok(line)), Some(Ok(column))) => Some((line, column)),
            _ => None,
        }
    }
}

/// A failed call, ready to show to a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    /// The gRPC status code.
    pub(crate) code: Code,
    /// The server's message: for logs, and shown only when the status carries no details.
    /// Never parsed.
    pub(crate) message: String,
    /// The fields at fault and the rules broken, from the status details, in the server's order.
    pub(crate) problems: Vec<Problem>,
}

impl ApiError {
    /// The server answered, but without a field it always sends.
    fn missing(what: &str) -> Self {
        Self {
            code: Code::Internal,
            message: format!("the server's answer has no {what}"),
            problems: Vec::new(),
        }
    }

    /// The server could not be reached: shown as "SEND Planner could not reach its server…".
    #[cfg_attr(not(split), expect(dead_code, reason = "only the split build fetches page modules"))]
    pub(crate) fn unreachable() -> Self {
        Self {
            code: Code::Unavailable,
            message: "the server could not be reached".to_owned(),
            problems: Vec::new(),
        }
    }

    /// A failure in this browser rather than on the server, described for the person.
    pub(crate) fn local(message: impl Into<String>) -> Self {
        Self { code: Code::FailedPrecondition, message: message.into(), problems: Vec::new() }
    }

    /// A field this browser refuses before asking the server, as the server would name it.
    pub(crate) fn invalid(field: &str, description: impl Into<String>) -> Self {
        let problem =
            Problem { rule: String::new(), subject: field.to_owned(), description: description.into() };
        Self { code: Code::InvalidArgument, message: String::new(), problems: vec![problem] }
    }

    /// An answer of `code` with `message` and no details.
    fn status(code: Code, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), problems: Vec::new() }
    }
}

impl From<Status> for ApiError {
    fn from(status: Status) -> Self {
        let details = status.get_error_details();
        let fields = details.bad_request().into_iter().flat_map(|bad| &bad.field_violations).map(|v| {
            Problem { rule: String::new(), subject: v.field.clone(), description: v.description.clone() }
        });
        let rules =
            details.precondition_failure().into_iter().flat_map(|failure| &failure.violations).map(|v| {
                Problem {
                    rule: v.r#type.clone(),
                    subject: v.subject.clone(),
                    description: v.description.clone(),
                }
            });
        let problems = fields.chain(rules).collect();
        Self { code: status.code(), message: status.message().to_owned(), problems }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            // The browser could not reach the server at all (fetch failed), or it answered
            // without a gRPC status.
            Code::Unavailable | Code::Unknown => {
                f.write_str("SEND Planner could not reach its server. Check your connection, then try again.")
            }
            Code::Internal => f.write_str("Something went wrong on the server. Try again later."),
            // Unauthenticated, PermissionDenied, NotFound, Aborted, ResourceExhausted, …: a
            // status without details, whose message says what to do.
            _ => f.write_str(&self.message),
        }
    }
}

/// The `sessionStorage` key holding the session token.
const SESSION_KEY: &str = "sp.session";

/// The tab's `sessionStorage`: the token lives as long as the tab, and no other tab sees it.
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// The stored session token, if any.
fn token() -> Option<String> {
    storage()?.get_item(SESSION_KEY).ok().flatten().filter(|token| !token.is_empty())
}

/// Stores the session token for later calls (and reloads of this tab).
fn store_token(token: &str) {
    if let Some(storage) = storage() {
        // Storage can refuse (quota, privacy settings); the next call then answers
        // UNAUTHENTICATED and the person is asked to sign in again.
        let _ = storage.set_item(SESSION_KEY, token);
    }
}

/// Forgets the session token; says whether there was one.
fn forget_token() -> bool {
    let had_one = token().is_some();
    if let Some(storage) = storage() {
        let _ = storage.remove_item(SESSION_KEY);
    }
    had_one
}

/// Whether this tab holds a session token (it may have ended on the server since).
pub(crate) fn has_session() -> bool {
    token().is_some()
}

thread_local! {
    /// What to do when the server refuses the stored session (set once by the app).
    static ON_SESSION_ENDED: RefCell<Option<Rc<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Sets what happens when the server refuses the stored session: the app shows the sign-in page.
pub(crate) fn on_session_ended(hook: impl Fn() + 'static) {
    ON_SESSION_ENDED.with(|cell| *cell.borrow_mut() = Some(Rc::new(hook)));
}

/// Runs the hook set with [`on_session_ended`], outside the cell's borrow.
fn session_ended() {
    if let Some(hook) = ON_SESSION_ENDED.with(|cell| cell.borrow().clone()) {
        hook();
    }
}

/// `message` as a request carrying the session token, if there is one.
fn authorized<T>(message: T) -> Request<T> {
    let mut request = Request::new(message);
    if let Some(token) = token()
        && let Ok(value) = MetadataValue::try_from(format!("Bearer {token}"))
    {
        request.metadata_mut().insert("authorization", value);
    }
    request
}

/// The message of an answer to an [`authorized`] call. UNAUTHENTICATED means the session has
/// ended (expired or revoked): the token is forgotten and the app told, once.
fn answer<T>(result: Result<Response<T>, Status>) -> Result<T, ApiError> {
    match result {
        Ok(response) => Ok(response.into_inner()),
        Err(status) => {
            // Only the first of several refused calls finds a token to forget.
            if status.code() == Code::Unauthenticated && forget_token() {
                session_ended();
            }
            Err(status.into())
        }
    }
}

/// Where the backend is: the page's own origin (one port serves the app and the API).
fn origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}

fn client() -> Client {
    Client::new(origin())
}

/// Signs in with a username and password, keeps the session token and returns who signed in.
/// Wrong credentials answer UNAUTHENTICATED with the server's message; this never counts as a
/// session ending.
pub(crate) async fn sign_in(username: String, password: String) -> Result<Person, ApiError> {
    let request = SignInRequest { username, password };
    let response = AuthServiceClient::new(client()).sign_in(request).await?.into_inner();
    let person = response.person.ok_or_else(|| ApiError::missing("person"))?;
    store_token(&response.token);
    Ok(person)
}

/// Ends the session on the server if it can, and always forgets it in this tab.
pub(crate) async fn sign_out() {
    // An error (already ended, server unreachable) changes nothing here: the person asked to
    // leave, and the token is forgotten either way.
    let _ = AuthServiceClient::new(client()).sign_out(authorized(SignOutRequest {})).await;
    forget_token();
}

/// The signed-in person, from the stored session.
pub(crate) async fn who_am_i() -> Result<Person, ApiError> {
    let response = answer(AuthServiceClient::new(client()).who_am_i(authorized(WhoAmIRequest {})).await)?;
    response.person.ok_or_else(|| ApiError::missing("person"))
}

/// Creates an account (administrators). The server checks every field and names the bad one.
pub(crate) async fn create_person(request: CreatePersonRequest) -> Result<Person, ApiError> {
    let response = answer(AccountServiceClient::new(client()).create_person(authorized(request)).await)?;
    response.person.ok_or_else(|| ApiError::missing("person"))
}

/// One person, with whether their account is disabled and its version (administrators).
pub(crate) async fn get_person(person_id: String) -> Result<Person, ApiError> {
    let request = proto::pb::GetPersonRequest { person_id };
    let response = answer(AccountServiceClient::new(client()).get_person(authorized(request)).await)?;
    response.person.ok_or_else(|| ApiError::missing("person"))
}

/// Disables an account or enables it again (administrators); the account after.
pub(crate) async fn set_account_disabled(person: &Person, disabled: bool) -> Result<Person, ApiError> {
    let request = proto::pb::SetAccountDisabledRequest {
        person_id: person.id.clone(),
        version: person.version,
        disabled,
    };
    let response =
        answer(AccountServiceClient::new(client()).set_account_disabled(authorized(request)).await)?;
    response.person.ok_or_else(|| ApiError::missing("person"))
}

/// Gives a person a temporary password (administrators): the account after and the password.
pub(crate) async fn reset_password(person: &Person) -> Result<(Person, String), ApiError> {
    let request = proto::pb::ResetPasswordRequest { person_id: person.id.clone(), version: person.version };
    let response = answer(AccountServiceClient::new(client()).reset_password(authorized(request)).await)?;
    let after = response.person.ok_or_else(|| ApiError::missing("person"))?;
    Ok((after, response.temporary_password))
}

/// Changes or removes a person's email address (administrators); the account after.
pub(crate) async fn set_email(person: &Person, email: String) -> Result<Person, ApiError> {
    let request = proto::pb::SetEmailRequest { person_id: person.id.clone(), version: person.version, email };
    let response = answer(AccountServiceClient::new(client()).set_email(authorized(request)).await)?;
    response.person.ok_or_else(|| ApiError::missing("person"))
}

/// Changes a person's role and scope (administrators); the account after.
pub(crate) async fn change_role(request: proto::pb::ChangeRoleRequest) -> Result<Person, ApiError> {
    let response = answer(AccountServiceClient::new(client()).change_role(authorized(request)).await)?;
    response.person.ok_or_else(|| ApiError::missing("person"))
}

/// Changes the signed-in person's own password; they stay signed in here, their other sessions
/// end. The person after.
pub(crate) async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<Person, ApiError> {
    let request = proto::pb::ChangePasswordRequest { current_password, new_password };
    let response = answer(AuthServiceClient::new(client()).change_password(authorized(request)).await)?;
    response.person.ok_or_else(|| ApiError::missing("person"))
}

/// Creates the first administrator from the setup link's token (no session needed).
pub(crate) async fn create_first_administrator(
    request: proto::pb::CreateFirstAdministratorRequest,
) -> Result<Person, ApiError> {
    let response = proto::pb::setup_service_client::SetupServiceClient::new(client())
        .create_first_administrator(request)
        .await?
        .into_inner();
    response.person.ok_or_else(|| ApiError::missing("person"))
}

/// The notification outbox (national planners; administrators see only whether Notify is set).
pub(crate) async fn list_outbox() -> Result<proto::pb::ListOutboxResponse, ApiError> {
    let mut notifications = proto::pb::notification_service_client::NotificationServiceClient::new(client());
    answer(notifications.list_outbox(authorized(proto::pb::ListOutboxRequest {})).await)
}

/// The emails the signed-in person's role can get, each on or off.
pub(crate) async fn get_email_preferences() -> Result<proto::pb::GetEmailPreferencesResponse, ApiError> {
    let mut notifications = proto::pb::notification_service_client::NotificationServiceClient::new(client());
    answer(notifications.get_email_preferences(authorized(proto::pb::GetEmailPreferencesRequest {})).await)
}

/// Turns one kind of email on or off for the signed-in person.
pub(crate) async fn set_email_preference(
    kind: String,
    email: bool,
) -> Result<proto::pb::SetEmailPreferenceResponse, ApiError> {
    let mut notifications = proto::pb::notification_service_client::NotificationServiceClient::new(client());
    answer(
        notifications
            .set_email_preference(authorized(proto::pb::SetEmailPreferenceRequest { kind, email }))
            .await,
    )
}

/// Everyone who can sign in, by username: the first 200 (administrators).
pub(crate) async fn list_people() -> Result<ListPeopleResponse, ApiError> {
    let request = ListPeopleRequest { page_size: 200, ..Default::default() };
    answer(AccountServiceClient::new(client()).list_people(authorized(request)).await)
}

/// Ends every session of a person (administrators); returns how many were live.
pub(crate) async fn revoke_sessions(person_id: String) -> Result<u32, ApiError> {
    let response = answer(
        AccountServiceClient::new(client())
            .revoke_sessions(authorized(RevokeSessionsRequest { person_id }))
            .await,
    )?;
    Ok(response.revoked)
}

/// The audit trail by who acted (a person's id) and/or a local area (its ONS code), either
/// empty for any, most recent first, a page of `page_size` before `page_token` (national
/// planners).
pub(crate) async fn list_audit_entries(
    actor_id: String,
    local_area_code: String,
    page_size: i32,
    page_token: String,
) -> Result<ListAuditEntriesResponse, ApiError> {
    let request = ListAuditEntriesRequest { actor_id, local_area_code, page_size, page_token };
    answer(AuditServiceClient::new(client()).list_audit_entries(authorized(request)).await)
}

/// Everyone with an account, by name: whom the audit trail can be searched for (national planners).
pub(crate) async fn list_audit_people() -> Result<Vec<proto::pb::AuditPerson>, ApiError> {
    let request = proto::pb::ListAuditPeopleRequest {};
    Ok(answer(AuditServiceClient::new(client()).list_audit_people(authorized(request)).await)?.people)
}

/// The ten regions with their current local-area counts.
pub(crate) async fn list_regions() -> Result<Vec<Region>, ApiError> {
    let response =
        answer(ReferenceServiceClient::new(client()).list_regions(authorized(ListRegionsRequest {})).await)?;
    Ok(response.regions)
}

/// Current local areas of a region whose names start with `name_prefix`.
pub(crate) async fn list_local_areas(
    region_code: String,
    name_prefix: String,
) -> Result<ListLocalAreasResponse, ApiError> {
    let request = ListLocalAreasRequest { region_code, name_prefix, page_size: 200, ..Default::default() };
    answer(ReferenceServiceClient::new(client()).list_local_areas(authorized(request)).await)
}

/// The largest signed document the server accepts (10 MiB).
pub(crate) const MAX_DOCUMENT_BYTES: f64 = 10.0 * 1024.0 * 1024.0;

/// The request inside an answer that always carries one.
fn visit_request(request: Option<VisitRequest>) -> Result<VisitRequest, ApiError> {
    request.ok_or_else(|| ApiError::missing("visit request"))
}

/// Asks a local area for an interim visit (national planners, regional leads for their own
/// region) and returns the new request.
pub(crate) async fn create_visit_request(
    request: CreateVisitRequestRequest,
) -> Result<VisitRequest, ApiError> {
    let response =
        answer(ConsentServiceClient::new(client()).create_visit_request(authorized(request)).await)?;
    visit_request(response.request)
}

/// The visit requests the caller may see, newest first, in `state` (all with `Unspecified`):
/// the first 100.
pub(crate) async fn list_visit_requests(state: RequestState) -> Result<ListVisitRequestsResponse, ApiError> {
    let request = ListVisitRequestsRequest { state: state.into(), page_size: 100, ..Default::default() };
    answer(ConsentServiceClient::new(client()).list_visit_requests(authorized(request)).await)
}

/// One visit request with its consent and history. A request outside the caller's scope
/// answers NOT_FOUND, exactly like a missing one.
pub(crate) async fn get_visit_request(id: String) -> Result<VisitRequest, ApiError> {
    let response = answer(
        ConsentServiceClient::new(client())
            .get_visit_request(authorized(GetVisitRequestRequest { id }))
            .await,
    )?;
    visit_request(response.request)
}

/// The local area's written consent or decline; returns the request as it now stands.
pub(crate) async fn answer_visit_request(
    request: AnswerVisitRequestRequest,
) -> Result<VisitRequest, ApiError> {
    let response =
        answer(ConsentServiceClient::new(client()).answer_visit_request(authorized(request)).await)?;
    visit_request(response.request)
}

/// The local area withdraws its consent, giving a reason.
pub(crate) async fn withdraw_consent(
    id: String,
    version: i64,
    reason: String,
) -> Result<VisitRequest, ApiError> {
    let request = WithdrawConsentRequest { id, version, reason };
    let response = answer(ConsentServiceClient::new(client()).withdraw_consent(authorized(request)).await)?;
    visit_request(response.request)
}

/// A national planner or the region's lead cancels a request, giving a reason.
pub(crate) async fn cancel_visit_request(
    id: String,
    version: i64,
    reason: String,
) -> Result<VisitRequest, ApiError> {
    let request = CancelVisitRequestRequest { id, version, reason };
    let response =
        answer(ConsentServiceClient::new(client()).cancel_visit_request(authorized(request)).await)?;
    visit_request(response.request)
}

/// Records a child at immediate risk of significant harm; the server escalates it to national
/// planners at once.
pub(crate) async fn record_safeguarding_concern(id: String, note: String) -> Result<VisitRequest, ApiError> {
    let request = RecordSafeguardingConcernRequest { id, note };
    let response =
        answer(ConsentServiceClient::new(client()).record_safeguarding_concern(authorized(request)).await)?;
    visit_request(response.request)
}

/// The callers who asked for 5 or more records they may not see in the last day, each answered
/// as a missing record (national planners and administrators).
pub(crate) async fn list_suspicious_access() -> Result<Vec<SuspiciousCaller>, ApiError> {
    let response = answer(
        AuditServiceClient::new(client())
            .list_suspicious_access(authorized(ListSuspiciousAccessRequest {}))
            .await,
    )?;
    Ok(response.callers)
}

/// Every escalated safeguarding concern, newest first (national planners).
pub(crate) async fn list_safeguarding_concerns() -> Result<Vec<SafeguardingConcern>, ApiError> {
    let response = answer(
        ConsentServiceClient::new(client())
            .list_safeguarding_concerns(authorized(ListSafeguardingConcernsRequest {}))
            .await,
    )?;
    Ok(response.concerns)
}

/// A national planner acknowledges a safeguarding concern: the banner goes for every planner.
pub(crate) async fn acknowledge_safeguarding_concern(id: String) -> Result<SafeguardingConcern, ApiError> {
    let request = AcknowledgeSafeguardingConcernRequest { id };
    let response = answer(
        ConsentServiceClient::new(client()).acknowledge_safeguarding_concern(authorized(request)).await,
    )?;
    response.concern.ok_or_else(|| ApiError::missing("safeguarding concern"))
}

/// What waits for the signed-in person, as their role and scope may see it.
pub(crate) async fn get_start_page() -> Result<GetStartPageResponse, ApiError> {
    answer(StartServiceClient::new(client()).get_start_page(authorized(GetStartPageRequest {})).await)
}

/// Counts of visit requests by region, phase and state: all of England for national planners,
/// their own region for regional leads.
pub(crate) async fn get_consent_totals() -> Result<Vec<ConsentTotal>, ApiError> {
    let response = answer(
        ConsentServiceClient::new(client()).get_consent_totals(authorized(GetConsentTotalsRequest {})).await,
    )?;
    Ok(response.totals)
}

/// The engagement inside an answer that always carries one.
fn engagement(engagement: Option<Engagement>) -> Result<Engagement, ApiError> {
    engagement.ok_or_else(|| ApiError::missing("engagement"))
}

/// The inspector inside an answer that always carries one.
fn inspector(inspector: Option<Inspector>) -> Result<Inspector, ApiError> {
    inspector.ok_or_else(|| ApiError::missing("inspector"))
}

/// Proposes an engagement (national planners; regional leads in their own region) and returns
/// it with its timeline.
pub(crate) async fn schedule_engagement(request: ScheduleEngagementRequest) -> Result<Engagement, ApiError> {
    let response =
        answer(ProgrammeServiceClient::new(client()).schedule_engagement(authorized(request)).await)?;
    engagement(response.engagement)
}

/// The engagements of a region in an academic year, by onsite date. An empty region is the
/// caller's own (regional leads and local area users) or all of England (national planners);
/// year 0 is the server's current academic year. Local area users get only their own area's
/// confirmed engagements, without teams.
pub(crate) async fn list_engagements(
    region_code: String,
    academic_year: i32,
) -> Result<Vec<Engagement>, ApiError> {
    let request = ListEngagementsRequest { region_code, academic_year };
    let response = answer(ProgrammeServiceClient::new(client()).list_engagements(authorized(request)).await)?;
    Ok(response.engagements)
}

/// One engagement. One outside the caller's scope answers NOT_FOUND, like a missing one.
pub(crate) async fn get_engagement(id: String) -> Result<Engagement, ApiError> {
    let response = answer(
        ProgrammeServiceClient::new(client()).get_engagement(authorized(GetEngagementRequest { id })).await,
    )?;
    engagement(response.engagement)
}

/// New onsite days; once the local area has been notified, `reason` is required.
pub(crate) async fn reschedule_engagement(
    id: String,
    version: i64,
    onsite: DateRange,
    reason: String,
) -> Result<Engagement, ApiError> {
    let request = RescheduleEngagementRequest { id, version, onsite: Some(onsite), reason };
    let response =
        answer(ProgrammeServiceClient::new(client()).reschedule_engagement(authorized(request)).await)?;
    engagement(response.engagement)
}

/// Puts an engagement off, giving a reason.
pub(crate) async fn postpone_engagement(
    id: String,
    version: i64,
    reason: String,
) -> Result<Engagement, ApiError> {
    let request = PostponeEngagementRequest { id, version, reason };
    let response =
        answer(ProgrammeServiceClient::new(client()).postpone_engagement(authorized(request)).await)?;
    engagement(response.engagement)
}

/// Records that the local area has been notified.
pub(crate) async fn notify_local_area(id: String, version: i64) -> Result<Engagement, ApiError> {
    let request = NotifyLocalAreaRequest { id, version };
    let response =
        answer(ProgrammeServiceClient::new(client()).notify_local_area(authorized(request)).await)?;
    engagement(response.engagement)
}

/// Sets the team. A team breaking a hard rule is refused with FAILED_PRECONDITION naming the
/// rule ("team.composition: …"); soft ones come back as the engagement's warnings.
pub(crate) async fn assign_team(
    id: String,
    version: i64,
    members: Vec<TeamMember>,
    reason: String,
) -> Result<Engagement, ApiError> {
    let request = AssignTeamRequest { id, version, members, reason };
    let response = answer(ProgrammeServiceClient::new(client()).assign_team(authorized(request)).await)?;
    engagement(response.engagement)
}

/// Closes an engagement, with the outcome of an inspection (`Unspecified` for anything else).
pub(crate) async fn record_outcome(
    id: String,
    version: i64,
    outcome: Outcome,
) -> Result<Engagement, ApiError> {
    let request = RecordOutcomeRequest { id, version, outcome: outcome.into() };
    let response = answer(ProgrammeServiceClient::new(client()).record_outcome(authorized(request)).await)?;
    engagement(response.engagement)
}

/// Adds an inspector to the pool (national planners, regional leads).
pub(crate) async fn create_inspector(request: CreateInspectorRequest) -> Result<Inspector, ApiError> {
    let response = answer(ProgrammeServiceClient::new(client()).create_inspector(authorized(request)).await)?;
    inspector(response.inspector)
}

/// Every inspector, with their unavailability and declared conflicts of interest.
pub(crate) async fn list_inspectors() -> Result<Vec<Inspector>, ApiError> {
    let response = answer(
        ProgrammeServiceClient::new(client()).list_inspectors(authorized(ListInspectorsRequest {})).await,
    )?;
    Ok(response.inspectors)
}

/// Inspector accounts no inspector's entry is linked to yet, by name (planners).
pub(crate) async fn list_inspector_accounts() -> Result<Vec<proto::pb::InspectorAccount>, ApiError> {
    let request = proto::pb::ListInspectorAccountsRequest {};
    let response =
        answer(ProgrammeServiceClient::new(client()).list_inspector_accounts(authorized(request)).await)?;
    Ok(response.accounts)
}

/// Links an inspector's entry, read at `version`, to their own account.
pub(crate) async fn link_inspector_account(
    inspector_id: String,
    version: i64,
    person_id: String,
) -> Result<Inspector, ApiError> {
    let request = proto::pb::LinkInspectorAccountRequest { inspector_id, version, person_id };
    let response =
        answer(ProgrammeServiceClient::new(client()).link_inspector_account(authorized(request)).await)?;
    inspector(response.inspector)
}

/// Records days an inspector cannot work.
pub(crate) async fn add_unavailability(
    inspector_id: String,
    period: DateRange,
) -> Result<Inspector, ApiError> {
    let request = AddUnavailabilityRequest { inspector_id, period: Some(period) };
    let response =
        answer(ProgrammeServiceClient::new(client()).add_unavailability(authorized(request)).await)?;
    inspector(response.inspector)
}

/// Declares an inspector's conflict of interest with a local area (its ONS code), with a reason.
pub(crate) async fn declare_conflict(
    inspector_id: String,
    local_area_code: String,
    reason: String,
) -> Result<Inspector, ApiError> {
    let request = DeclareConflictRequest { inspector_id, local_area_code, reason };
    let response = answer(ProgrammeServiceClient::new(client()).declare_conflict(authorized(request)).await)?;
    inspector(response.inspector)
}

/// The national board (national planners): a summary per region, the interim programme's
/// coverage and every local area matching the filters.
pub(crate) async fn get_national_board(
    request: GetNationalBoardRequest,
) -> Result<GetNationalBoardResponse, ApiError> {
    answer(ProgrammeServiceClient::new(client()).get_national_board(authorized(request)).await)
}

/// The file name of the national programme's CSV.
pub(crate) const NATIONAL_PROGRAMME_CSV: &str = "send-planner-national-programme.csv";

/// Fetches the national programme as CSV (national planners; year 0 is the server's current
/// academic year) and hands it to the browser as `send-planner-national-programme.csv`.
pub(crate) async fn export_national_programme(academic_year: i32) -> Result<(), ApiError> {
    let request = ExportNationalProgrammeRequest { academic_year };
    let csv =
        answer(ProgrammeServiceClient::new(client()).export_national_programme(authorized(request)).await)?
            .csv;
    let window = web_sys::window().ok_or_else(|| ApiError::local("There is no browser window."))?;
    let parts = js_sys::Array::of1(&JsValue::from_str(&csv));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(browser_error("prepare the download"))?;
    save_blob(&window, &blob, NATIONAL_PROGRAMME_CSV).map_err(browser_error("save the file"))
}

/// A JavaScript failure while handling a document, for the person.
fn browser_error(what: &str) -> impl Fn(JsValue) -> ApiError + '_ {
    move |_| ApiError::local(format!("Your browser could not {what}. Try again."))
}

/// The file name in a `Content-Disposition: attachment; filename="…"` header.
fn attachment_name(disposition: &str) -> Option<String> {
    let (_, rest) = disposition.split_once("filename=")?;
    let name = rest.split(';').next()?.trim().trim_matches('"');
    // Only a plain name: never a path.
    (!name.is_empty() && !name.contains(['/', '\\'])).then(|| name.to_owned())
}

/// Downloads a signed consent document (`GET /documents/{id}` with the session's bearer token)
/// and hands it to the browser to save. The server answers 404 for anything outside the
/// caller's scope, and 401 when the session has ended (then the app shows the sign-in page).
pub(crate) async fn download_document(id: String) -> Result<(), ApiError> {
    let path = format!("/documents/{}", String::from(js_sys::encode_uri_component(&id)));
    download(&path, "document not found", &format!("consent-{id}")).await
}

/// Fetches `path` with the session's bearer token and saves the answer under the name the
/// server gives (or `fallback`). `missing` is the message for a 404.
async fn download(path: &str, missing: &str, fallback: &str) -> Result<(), ApiError> {
    let window = web_sys::window().ok_or_else(|| ApiError::local("There is no browser window."))?;
    let headers = web_sys::Headers::new().map_err(browser_error("prepare the download"))?;
    if let Some(token) = token() {
        headers
            .set("Authorization", &format!("Bearer {token}"))
            .map_err(browser_error("prepare the download"))?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    init.set_headers(&headers);
    init.set_cache(web_sys::RequestCache::NoStore);
    let url = format!("{}{path}", origin());
    let request = web_sys::Request::new_with_str_and_init(&url, &init)
        .map_err(browser_error("prepare the download"))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| ApiError::status(Code::Unavailable, ""))?
        .dyn_into()
        .map_err(browser_error("read the download"))?;
    match response.status() {
        200 => {}
        401 => {
            if forget_token() {
                session_ended();
            }
            return Err(ApiError::status(Code::Unauthenticated, "Your session has ended. Sign in again."));
        }
        403 => {
            return Err(ApiError::status(Code::PermissionDenied, "Your role does not include this file."));
        }
        404 => {
            return Err(ApiError::status(Code::NotFound, missing));
        }
        _ => return Err(ApiError::status(Code::Internal, "")),
    }
    let name = response
        .headers()
        .get("content-disposition")
        .ok()
        .flatten()
        .and_then(|d| attachment_name(&d))
        .unwrap_or_else(|| fallback.to_owned());
    let blob: web_sys::Blob = JsFuture::from(response.blob().map_err(browser_error("read the download"))?)
        .await
        .map_err(|_| ApiError::status(Code::Unavailable, ""))?
        .dyn_into()
        .map_err(browser_error("read the download"))?;
    save_blob(&window, &blob, &name).map_err(browser_error("save the file"))
}

/// Offers `blob` to the person as a file called `name`: a temporary `<a download>` clicked once.
fn save_blob(window: &web_sys::Window, blob: &web_sys::Blob, name: &str) -> Result<(), JsValue> {
    let document = window.document().ok_or_else(|| JsValue::from_str("no document"))?;
    let body = document.body().ok_or_else(|| JsValue::from_str("no body"))?;
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(name);
    link.set_hidden(true);
    body.append_child(&link)?;
    link.click();
    link.remove();
    // The browser reads the blob after the click returns: free it a minute later.
    let revoke = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    window.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000)?;
    Ok(())
}

/// The bytes of the first file chosen in a file input, or `None` if none is chosen. Files over
/// [`MAX_DOCUMENT_BYTES`] are refused here, before they are read or sent.
pub(crate) async fn read_upload(input: &web_sys::HtmlInputElement) -> Result<Option<Vec<u8>>, ApiError> {
    let Some(file) = input.files().and_then(|files| files.get(0)) else {
        return Ok(None);
    };
    if file.size() > MAX_DOCUMENT_BYTES {
        return Err(ApiError::invalid("document", "must be at most 10 MB"));
    }
    let buffer = JsFuture::from(file.array_buffer()).await.map_err(browser_error("read the chosen file"))?;
    Ok(Some(js_sys::Uint8Array::new(&buffer).to_vec()))
}

/// The letter inside an answer that always carries one.
fn letter(letter: Option<Letter>) -> Result<Letter, ApiError> {
    letter.ok_or_else(|| ApiError::missing("letter"))
}

fn letters_client() -> LetterServiceClient<Client> {
    LetterServiceClient::new(client())
}

/// The engagement's writer starts its letter (with the default distribution).
pub(crate) async fn create_letter(
    engagement_id: String,
    title: String,
    body: String,
) -> Result<Letter, ApiError> {
    let request = CreateLetterRequest { engagement_id, title, body };
    letter(answer(letters_client().create_letter(authorized(request)).await)?.letter)
}

/// The team changes a draft's title and text.
pub(crate) async fn update_draft(
    id: String,
    version: i64,
    title: String,
    body: String,
) -> Result<Letter, ApiError> {
    let request = UpdateDraftRequest { id, version, title, body };
    letter(answer(letters_client().update_draft(authorized(request)).await)?.letter)
}

/// The content checks' findings as the letter stands (the team and national planners).
pub(crate) async fn check_letter(id: String) -> Result<Vec<CheckFinding>, ApiError> {
    Ok(answer(letters_client().check_letter(authorized(CheckLetterRequest { id })).await)?.findings)
}

/// The team sends the draft for approval.
pub(crate) async fn submit_letter(id: String, version: i64) -> Result<Letter, ApiError> {
    let request = SubmitLetterRequest { id, version };
    letter(answer(letters_client().submit_letter(authorized(request)).await)?.letter)
}

/// A national planner sends the letter back to the team, saying why.
pub(crate) async fn return_letter(id: String, version: i64, reason: String) -> Result<Letter, ApiError> {
    let request = ReturnLetterRequest { id, version, reason };
    letter(answer(letters_client().return_letter(authorized(request)).await)?.letter)
}

/// A national planner approves; a failing check is refused with FAILED_PRECONDITION naming the
/// rule, line and column unless it is overridden with a reason.
pub(crate) async fn approve_letter(
    id: String,
    version: i64,
    overrides: Vec<CheckOverride>,
) -> Result<Letter, ApiError> {
    let request = ApproveLetterRequest { id, version, overrides };
    letter(answer(letters_client().approve_letter(authorized(request)).await)?.letter)
}

/// A national planner sets who receives the letter (before issue).
pub(crate) async fn set_distribution(
    id: String,
    version: i64,
    recipients: Vec<Recipient>,
) -> Result<Letter, ApiError> {
    let request =
        SetDistributionRequest { id, version, recipients: recipients.into_iter().map(Into::into).collect() };
    letter(answer(letters_client().set_distribution(authorized(request)).await)?.letter)
}

/// A national planner issues the letter; a full report takes its publication time (RFC 3339).
pub(crate) async fn issue_letter(id: String, version: i64, publish_at: String) -> Result<Letter, ApiError> {
    let request = IssueLetterRequest { id, version, publish_at };
    letter(answer(letters_client().issue_letter(authorized(request)).await)?.letter)
}

/// Ends one recipient's access at once.
pub(crate) async fn revoke_recipient(id: String, recipient: Recipient) -> Result<Letter, ApiError> {
    let request = RevokeRecipientRequest { id, recipient: recipient.into() };
    letter(answer(letters_client().revoke_recipient(authorized(request)).await)?.letter)
}

/// A corrected version of an issued letter, as a new draft.
pub(crate) async fn correct_letter(id: String, title: String, body: String) -> Result<Letter, ApiError> {
    let request = CorrectLetterRequest { id, title, body };
    letter(answer(letters_client().correct_letter(authorized(request)).await)?.letter)
}

/// The local area's choice for an interim-visit letter.
pub(crate) async fn set_publication(
    id: String,
    publish: bool,
    named_in_national_reports: bool,
) -> Result<Letter, ApiError> {
    let request = SetPublicationRequest { id, publish, named_in_national_reports };
    letter(answer(letters_client().set_publication(authorized(request)).await)?.letter)
}

/// Letters distributed to the caller (or of their visits), newest first, with read state.
pub(crate) async fn list_inbox() -> Result<Vec<Letter>, ApiError> {
    Ok(answer(letters_client().list_inbox(authorized(ListInboxRequest {})).await)?.letters)
}

/// The letters of an engagement that the caller may see.
pub(crate) async fn list_letters(engagement_id: String) -> Result<Vec<Letter>, ApiError> {
    Ok(answer(letters_client().list_letters(authorized(ListLettersRequest { engagement_id })).await)?.letters)
}

/// One letter; the server records the view. Hidden and missing letters both answer NOT_FOUND.
pub(crate) async fn get_letter(id: String) -> Result<Letter, ApiError> {
    letter(answer(letters_client().get_letter(authorized(GetLetterRequest { id })).await)?.letter)
}

/// Who opened or downloaded the letter (national planners).
pub(crate) async fn list_letter_views(id: String) -> Result<Vec<LetterView>, ApiError> {
    Ok(answer(letters_client().list_letter_views(authorized(ListLetterViewsRequest { id })).await)?.views)
}

/// Everyone who can see the letter now, and why (national planners).
pub(crate) async fn who_can_see(id: String) -> Result<Vec<PersonWithAccess>, ApiError> {
    Ok(answer(letters_client().who_can_see(authorized(WhoCanSeeRequest { id })).await)?.people)
}

/// Published letters and reports. Public: sent without the session token, so it works signed
/// out and a stale session never ends anything here.
pub(crate) async fn list_published_letters() -> Result<Vec<Letter>, ApiError> {
    let response = letters_client().list_published_letters(ListPublishedLettersRequest {}).await?;
    Ok(response.into_inner().letters)
}

/// The anonymised national report of issued interim-visit letters (national planners; year 0
/// is the server's current academic year).
pub(crate) async fn export_national_report(academic_year: i32) -> Result<String, ApiError> {
    let request = ExportNationalReportRequest { academic_year };
    Ok(answer(letters_client().export_national_report(authorized(request)).await)?.text)
}

/// Hands `text` to the browser as a plain-text file called `name`.
pub(crate) fn save_text(text: &str, name: &str) -> Result<(), ApiError> {
    let window = web_sys::window().ok_or_else(|| ApiError::local("There is no browser window."))?;
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/plain;charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(browser_error("prepare the download"))?;
    save_blob(&window, &blob, name).map_err(browser_error("save the file"))
}

/// Downloads a letter's PDF (`GET /letters/{id}/pdf` with the session's bearer token) and hands
/// it to the browser to save. 404 for anything the caller may not see; 401 ends the session.
pub(crate) async fn download_letter_pdf(id: String) -> Result<(), ApiError> {
    let path = format!("/letters/{}/pdf", String::from(js_sys::encode_uri_component(&id)));
    download(&path, "letter not found", &format!("letter-{id}.pdf")).await
}

// ---------------------------------------------------------------------------------------------
// Case-study samples.

fn case_studies_client() -> proto::pb::case_study_service_client::CaseStudyServiceClient<Client> {
    proto::pb::case_study_service_client::CaseStudyServiceClient::new(client())
}

fn sample(sample: Option<CaseStudySample>) -> Result<CaseStudySample, ApiError> {
    sample.ok_or_else(|| ApiError::missing("sample"))
}

/// The case-study sample of an engagement (an audited read). Hidden ones answer NOT_FOUND.
pub(crate) async fn get_case_study_sample(engagement_id: String) -> Result<CaseStudySample, ApiError> {
    let request = proto::pb::GetCaseStudySampleRequest { engagement_id };
    sample(answer(case_studies_client().get_case_study_sample(authorized(request)).await)?.sample)
}

/// How a pick would stand against the rules, without saving it.
pub(crate) async fn check_case_study_pick(
    engagement_id: String,
    references: Vec<String>,
) -> Result<Vec<CaseStudyRule>, ApiError> {
    let request = proto::pb::CheckCaseStudyPickRequest { engagement_id, references };
    Ok(answer(case_studies_client().check_case_study_pick(authorized(request)).await)?.rules)
}

/// The local area's list, as CSV; a file with any bad row is refused whole.
pub(crate) async fn upload_case_study_sample(
    request: proto::pb::UploadCaseStudySampleRequest,
) -> Result<CaseStudySample, ApiError> {
    sample(answer(case_studies_client().upload_case_study_sample(authorized(request)).await)?.sample)
}

/// The team's pick.
pub(crate) async fn pick_case_studies(
    engagement_id: String,
    version: i64,
    references: Vec<String>,
    reason: String,
) -> Result<CaseStudySample, ApiError> {
    let request = proto::pb::PickCaseStudiesRequest { engagement_id, version, references, reason };
    sample(answer(case_studies_client().pick_case_studies(authorized(request)).await)?.sample)
}

/// A valid pick chosen at random among all valid picks (the seed is recorded).
pub(crate) async fn suggest_case_study_pick(
    engagement_id: String,
    version: i64,
    reason: String,
) -> Result<CaseStudySample, ApiError> {
    let request = proto::pb::SuggestCaseStudyPickRequest { engagement_id, version, reason };
    sample(answer(case_studies_client().suggest_case_study_pick(authorized(request)).await)?.sample)
}

/// The caller's side agrees the list and pick.
pub(crate) async fn agree_case_study_sample(
    engagement_id: String,
    version: i64,
) -> Result<CaseStudySample, ApiError> {
    let request = proto::pb::AgreeCaseStudySampleRequest { engagement_id, version };
    sample(answer(case_studies_client().agree_case_study_sample(authorized(request)).await)?.sample)
}

pub(crate) async fn ask_for_more_case_studies(
    engagement_id: String,
    version: i64,
) -> Result<CaseStudySample, ApiError> {
    let request = proto::pb::AskForMoreCaseStudiesRequest { engagement_id, version };
    sample(answer(case_studies_client().ask_for_more_case_studies(authorized(request)).await)?.sample)
}

/// The bytes of the CSV chosen in a file input (at most 1 MB), or `None`.
pub(crate) async fn read_csv(input: &web_sys::HtmlInputElement) -> Result<Option<Vec<u8>>, ApiError> {
    let Some(file) = input.files().and_then(|files| files.get(0)) else {
        return Ok(None);
    };
    if file.size() > 1024.0 * 1024.0 {
        return Err(ApiError::invalid("file", "must be at most 1 MB"));
    }
    let buffer = JsFuture::from(file.array_buffer()).await.map_err(browser_error("read the chosen file"))?;
    Ok(Some(js_sys::Uint8Array::new(&buffer).to_vec()))
}

/// Offers `text` to the person as a CSV file called `name`.
pub(crate) fn save_csv(text: &str, name: &str) -> Result<(), ApiError> {
    let window = web_sys::window().ok_or_else(|| ApiError::local("The browser has no window"))?;
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(browser_error("make the file"))?;
    save_blob(&window, &blob, name).map_err(browser_error("save the file"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_letter_text_subject_names_its_field_line_and_column() {
        let p = Problem { rule: "r".into(), subject: "body:12:3".into(), description: String::new() };
        assert_eq!((p.field(), p.position()), ("body", Some((12, 3))));
        let p = Problem { rule: String::new(), subject: "reason".into(), description: String::new() };
        assert_eq!((p.field(), p.position()), ("reason", None));
    }

    #[test]
    fn status_details_become_problems_and_the_message_is_kept_only_for_logs() {
        let mut details = tonic_types::ErrorDetails::new();
        details.add_bad_request_violation("reason", "is required");
        details.add_precondition_failure_violation(
            "team.composition",
            "members",
            "The team needs a CQC inspector",
        );
        let status = Status::with_error_details(Code::FailedPrecondition, "team.composition: …", details);
        let error = ApiError::from(status);
        let problems: Vec<_> = error
            .problems
            .iter()
            .map(|p| (p.rule.as_str(), p.subject.as_str(), p.description.as_str()))
            .collect();
        assert_eq!(
            problems,
            [
                ("", "reason", "is required"),
                ("team.composition", "members", "The team needs a CQC inspector")
            ]
        );
    }
}

/// Starts a proposed programme for the caller's scope and follows it: `progress` is told each
/// report as it streams in (the first carries the proposal's id); answers the last one (ready,
/// or cancelled). Nothing changes until the proposal is accepted.
pub(crate) async fn start_proposal(
    progress: impl Fn(&proto::pb::ProposalProgress),
) -> Result<proto::pb::ProposalProgress, ApiError> {
    use proto::pb::scheduling_service_client::SchedulingServiceClient;
    let request = proto::pb::StartProposalRequest { seconds: 0 };
    let mut stream =
        answer(SchedulingServiceClient::new(client()).start_proposal(authorized(request)).await)?;
    let mut last = None;
    while let Some(message) = stream.message().await? {
        progress(&message);
        last = Some(message);
    }
    last.ok_or_else(|| ApiError::missing("progress"))
}

/// Stops a proposal still being worked out.
pub(crate) async fn cancel_proposal(id: String) -> Result<proto::pb::Proposal, ApiError> {
    use proto::pb::scheduling_service_client::SchedulingServiceClient;
    let request = proto::pb::CancelProposalRequest { id };
    let response = answer(SchedulingServiceClient::new(client()).cancel_proposal(authorized(request)).await)?;
    response.proposal.ok_or_else(|| ApiError::missing("proposal"))
}

/// A proposal, as a change to the current programme.
pub(crate) async fn get_proposal(id: String) -> Result<proto::pb::Proposal, ApiError> {
    use proto::pb::scheduling_service_client::SchedulingServiceClient;
    let request = proto::pb::GetProposalRequest { id };
    let response = answer(SchedulingServiceClient::new(client()).get_proposal(authorized(request)).await)?;
    response.proposal.ok_or_else(|| ApiError::missing("proposal"))
}

/// Accepts a proposal: refused (ABORTED) if the programme changed since it began.
pub(crate) async fn accept_proposal(proposal: &proto::pb::Proposal) -> Result<proto::pb::Proposal, ApiError> {
    use proto::pb::scheduling_service_client::SchedulingServiceClient;
    let request = proto::pb::AcceptProposalRequest {
        id: proposal.id.clone(),
        programme_version: proposal.programme_version,
    };
    let response = answer(SchedulingServiceClient::new(client()).accept_proposal(authorized(request)).await)?;
    response.proposal.ok_or_else(|| ApiError::missing("proposal"))
}
