//! The one place that talks to the backend. Pages call these functions and get plain data or
//! an [`ApiError`] they can show.
//!
//! It also keeps the session: [`sign_in`] stores the token in the tab's `sessionStorage`, every
//! other call sends it as `authorization: Bearer <token>`, and an `UNAUTHENTICATED` answer to a
//! call that carried it (the session expired or was revoked) forgets it and tells the app through
//! the hook set with [`on_session_ended`].

use std::{cell::RefCell, fmt, rc::Rc};

use proto::pb::{
    CreatePersonRequest, ListAuditEventsRequest, ListAuditEventsResponse, ListLocalAreasRequest,
    ListLocalAreasResponse, ListPeopleRequest, ListPeopleResponse, ListRegionsRequest, Person, Region,
    RevokeSessionsRequest, SignInRequest, SignOutRequest, WhoAmIRequest,
    account_service_client::AccountServiceClient, audit_service_client::AuditServiceClient,
    auth_service_client::AuthServiceClient, reference_service_client::ReferenceServiceClient,
};
use tonic::{Code, Request, Response, Status, metadata::MetadataValue};
use tonic_web_wasm_client::Client;

/// A failed call, ready to show to a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    /// The gRPC status code.
    pub(crate) code: Code,
    /// The server's message, naming the field and the reason for bad input.
    pub(crate) message: String,
}

impl ApiError {
    /// The server answered, but without a field it always sends.
    fn missing(what: &str) -> Self {
        Self { code: Code::Internal, message: format!("the server's answer has no {what}") }
    }
}

impl From<Status> for ApiError {
    fn from(status: Status) -> Self {
        Self { code: status.code(), message: status.message().to_owned() }
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
            // InvalidArgument, FailedPrecondition, ResourceExhausted, Unauthenticated,
            // PermissionDenied, NotFound, …: the server's message says what to do.
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

/// The audit trail of one object, oldest first: the first 200 events (national planners).
pub(crate) async fn list_audit_events(
    object_type: String,
    object_id: String,
) -> Result<ListAuditEventsResponse, ApiError> {
    let request = ListAuditEventsRequest { object_type, object_id, page_size: 200, ..Default::default() };
    answer(AuditServiceClient::new(client()).list_audit_events(authorized(request)).await)
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
