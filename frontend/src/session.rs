//! Who is signed in, and what each role may use: the session state every page reads, the start
//! page and menu of each role, and the guard that keeps pages from people who may not use them.
//!
//! The server decides what data anyone may read; these rules only decide which pages the app
//! offers, so that nobody is shown a page that would be refused.

use leptos::prelude::*;
use leptos_router::{NavigateOptions, components::Redirect};
use proto::pb::{Person, Role};

use crate::{
    api::{self, ApiError},
    components::{ErrorSummary, Loading},
    pages::no_access::NoAccess,
};

/// Where the session stands.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Auth {
    /// A token is stored and the server has not yet said whose it is.
    Checking,
    /// Nobody is signed in. `ended` when the server refused the session (expired or revoked),
    /// so the sign-in page says why it is back.
    SignedOut {
        /// The session ended without the person signing out.
        ended: bool,
    },
    /// Someone is signed in.
    SignedIn(Person),
    /// The server could not be asked who holds the stored session.
    Failed(ApiError),
}

/// The app's session state, provided once by the app and read with [`use_session`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Session {
    /// Where the session stands.
    pub(crate) auth: RwSignal<Auth>,
}

impl Session {
    /// Starts the session state: asks the server whose stored token this tab holds, if any, and
    /// signs out (with "Your session has ended") whenever the server refuses the session.
    pub(crate) fn start() -> Self {
        let stored = api::has_session();
        let auth = RwSignal::new(if stored { Auth::Checking } else { Auth::SignedOut { ended: false } });
        api::on_session_ended(move || auth.set(Auth::SignedOut { ended: true }));
        if stored {
            leptos::task::spawn_local(async move {
                match api::who_am_i().await {
                    Ok(person) => auth.set(Auth::SignedIn(person)),
                    Err(error) if error.code == tonic::Code::Unauthenticated => {
                        auth.set(Auth::SignedOut { ended: true });
                    }
                    Err(error) => auth.set(Auth::Failed(error)),
                }
            });
        }
        Self { auth }
    }

    /// The signed-in person, if any (tracked).
    pub(crate) fn person(&self) -> Option<Person> {
        match self.auth.get() {
            Auth::SignedIn(person) => Some(person),
            _ => None,
        }
    }
}

/// The session state provided by the app.
pub(crate) fn use_session() -> Session {
    // The app provides it before any page renders; a fresh signed-out state is a safe default.
    use_context::<Session>()
        .unwrap_or_else(|| Session { auth: RwSignal::new(Auth::SignedOut { ended: false }) })
}

/// A role in words.
pub(crate) fn role_label(role: Role) -> &'static str {
    match role {
        Role::NationalPlanner => "National planner",
        Role::RegionalLead => "Regional lead",
        Role::LocalAreaUser => "Local area user",
        Role::Inspector => "Inspector",
        Role::RecipientBody => "Recipient body",
        Role::Administrator => "Administrator",
        Role::Unspecified => "No role",
    }
}

/// The pages that not everyone may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Page {
    /// Any signed-in person (e.g. "Page not found").
    Any,
    /// All regions (`/`).
    Regions,
    /// One region's local areas (`/regions/<code>`).
    Region(String),
    /// The audit trail (`/audit`).
    Audit,
    /// People who repeatedly asked for records they may not see (`/suspicious-access`).
    SuspiciousAccess,
    /// The local area user's own area (`/local-area`).
    LocalArea,
    /// An inspector's visits (`/my-visits`).
    MyVisits,
    /// The letters distributed to the person or of their visits (`/letters`, each at
    /// `/letters/<id>`): recipient bodies, local area users and inspectors.
    Letters,
    /// One letter (`/letters/<id>`): everyone who may read letters, national planners too.
    Letter,
    /// Published letters and reports (`/published`): everyone, signed in or not.
    Published,
    /// The anonymised national report (`/national-report`).
    NationalReport,
    /// Accounts (`/accounts`).
    Accounts,
    /// The visit requests the person may see (`/requests`) and each of them (`/requests/<id>`).
    VisitRequests,
    /// Asking a local area for an interim visit (`/requests/new`).
    NewVisitRequest,
    /// Counts of visit requests by region, phase and state (`/totals`).
    Totals,
    /// Escalated safeguarding concerns (`/safeguarding`).
    Safeguarding,
    /// Letters waiting for a national planner's approval (`/approvals`).
    Approvals,
    /// The regional board (`/board`), each engagement (`/engagements/<id>`) and scheduling a
    /// new one (`/engagements/new`).
    Programme,
    /// The inspectors, their unavailability and conflicts of interest (`/inspectors`); for an
    /// inspector, their own.
    Inspectors,
    /// The national board (`/national`).
    NationalBoard,
    /// One account (`/accounts/<id>`): administrators.
    Account,
    /// Changing one's own password (`/account/password`): everyone signed in, and the only page
    /// of a person whose password is a temporary one.
    OwnPassword,
    /// Choosing one's emails (`/account/emails`): everyone signed in.
    OwnEmails,
    /// The notification outbox (`/notifications`): national planners and administrators.
    Outbox,
    /// The first-run setup page (`/setup`): anyone, signed in or not (the link is the key).
    Setup,
    /// An engagement's case studies (`/engagements/<id>/case-studies`): planners, leads, the
    /// area's users and the team (the server narrows each to what they may see).
    CaseStudies,
}

/// Whether `person` may use `page`.
pub(crate) fn may_use(person: &Person, page: &Page) -> bool {
    match (person.role(), page) {
        (_, Page::Any | Page::Published | Page::OwnPassword | Page::OwnEmails | Page::Setup) => true,
        (Role::NationalPlanner | Role::Administrator, Page::Outbox) => true,
        (
            Role::NationalPlanner | Role::RegionalLead | Role::LocalAreaUser | Role::Inspector,
            Page::CaseStudies,
        ) => true,
        (
            Role::NationalPlanner | Role::LocalAreaUser | Role::Inspector | Role::RecipientBody,
            Page::Letter,
        ) => true,
        (
            Role::NationalPlanner,
            Page::Regions
            | Page::Region(_)
            | Page::Audit
            | Page::SuspiciousAccess
            | Page::VisitRequests
            | Page::NewVisitRequest
            | Page::Totals
            | Page::Safeguarding
            | Page::Approvals
            | Page::Programme
            | Page::Inspectors
            | Page::NationalBoard
            | Page::NationalReport,
        ) => true,
        (Role::RegionalLead, Page::Region(code)) => *code == person.region_code,
        (
            Role::RegionalLead,
            Page::VisitRequests | Page::NewVisitRequest | Page::Totals | Page::Programme | Page::Inspectors,
        ) => true,
        (Role::LocalAreaUser, Page::LocalArea | Page::VisitRequests | Page::Letters) => true,
        (Role::Inspector, Page::MyVisits | Page::Letters | Page::Inspectors) => true,
        (Role::RecipientBody, Page::Letters) => true,
        (Role::Administrator, Page::Accounts | Page::Account | Page::SuspiciousAccess) => true,
        _ => false,
    }
}

/// The page a person lands on after signing in.
pub(crate) fn start_path(person: &Person) -> String {
    if person.must_change_password {
        return "/account/password".to_owned();
    }
    match person.role() {
        Role::RegionalLead => format!("/regions/{}", person.region_code),
        Role::LocalAreaUser => "/local-area".to_owned(),
        Role::Inspector => "/my-visits".to_owned(),
        Role::RecipientBody => "/letters".to_owned(),
        Role::Administrator => "/accounts".to_owned(),
        Role::NationalPlanner | Role::Unspecified => "/".to_owned(),
    }
}

/// The menu a person is offered: (label, address), only pages their role may use.
pub(crate) fn menu(person: &Person) -> Vec<(&'static str, String)> {
    match person.role() {
        Role::NationalPlanner => vec![
            ("Regions", "/".to_owned()),
            ("National board", "/national".to_owned()),
            ("Programme", "/board".to_owned()),
            ("Inspectors", "/inspectors".to_owned()),
            ("Visit requests", "/requests".to_owned()),
            ("Totals", "/totals".to_owned()),
            ("Safeguarding", "/safeguarding".to_owned()),
            ("Audit trail", "/audit".to_owned()),
            ("Suspicious access", "/suspicious-access".to_owned()),
            ("National report", "/national-report".to_owned()),
            ("Emails", "/notifications".to_owned()),
        ],
        Role::RegionalLead => vec![
            ("My region", start_path(person)),
            ("Programme", "/board".to_owned()),
            ("Inspectors", "/inspectors".to_owned()),
            ("Visit requests", "/requests".to_owned()),
            ("Totals", "/totals".to_owned()),
        ],
        Role::LocalAreaUser => {
            vec![
                ("My local area", start_path(person)),
                ("Visit requests", "/requests".to_owned()),
                ("Letters", "/letters".to_owned()),
            ]
        }
        Role::Inspector => vec![
            ("My visits", start_path(person)),
            ("My availability", "/inspectors".to_owned()),
            ("Letters", "/letters".to_owned()),
        ],
        Role::RecipientBody => vec![("Letters", start_path(person))],
        Role::Administrator => {
            vec![
                ("Accounts", start_path(person)),
                ("Suspicious access", "/suspicious-access".to_owned()),
                ("Emails", "/notifications".to_owned()),
            ]
        }
        Role::Unspecified => Vec::new(),
    }
}

/// Navigation that replaces the current history entry, so Back never returns to a page that
/// only redirects.
fn replace() -> NavigateOptions {
    NavigateOptions { replace: true, ..Default::default() }
}

/// What [`Restricted`] shows.
#[derive(Debug, Clone, PartialEq)]
enum Access {
    Checking,
    SignedOut,
    Allowed,
    Denied,
    /// A temporary password waits to be changed first.
    PasswordDue,
    Failed(ApiError),
}

/// Shows `children` only to a signed-in person who may use `page`: everyone else is sent to the
/// sign-in page, or told they do not have access. The page's data is never fetched otherwise.
#[component]
pub(crate) fn Restricted(
    /// The page being guarded.
    #[prop(into)]
    page: Signal<Page>,
    /// The page itself.
    children: ChildrenFn,
) -> impl IntoView {
    let session = use_session();
    // A memo, so the page is built once per change of access rather than on every change of
    // the session state.
    let access = Memo::new(move |_| match session.auth.get() {
        // A public page shows to everyone, whoever is (or is not) signed in.
        _ if page.with(|page| matches!(page, Page::Published | Page::Setup)) => Access::Allowed,
        Auth::Checking => Access::Checking,
        Auth::SignedOut { .. } => Access::SignedOut,
        Auth::Failed(error) => Access::Failed(error),
        Auth::SignedIn(person)
            if person.must_change_password && page.with(|page| *page != Page::OwnPassword) =>
        {
            Access::PasswordDue
        }
        Auth::SignedIn(person) if page.with(|page| may_use(&person, page)) => Access::Allowed,
        Auth::SignedIn(_) => Access::Denied,
    });
    move || match access.get() {
        Access::Checking => view! { <Loading what="your account" /> }.into_any(),
        Access::SignedOut => view! { <Redirect path="/sign-in" options=replace() /> }.into_any(),
        Access::Allowed => children().into_any(),
        Access::Denied => view! { <NoAccess /> }.into_any(),
        Access::PasswordDue => view! { <Redirect path="/account/password" options=replace() /> }.into_any(),
        Access::Failed(error) => view! { <Unavailable error /> }.into_any(),
    }
}

/// The server could not say who is signed in.
#[component]
fn Unavailable(error: ApiError) -> impl IntoView {
    crate::components::set_title("Sorry, there is a problem");
    view! {
        <ErrorSummary error />
        <h1 class="govuk-heading-l">"Sorry, there is a problem with SEND Planner"</h1>
        <p class="govuk-body">"Reload the page to try again."</p>
    }
}

/// Sends a signed-in person to their start page (used by the sign-in page).
#[component]
pub(crate) fn ToStartPage(person: Person) -> impl IntoView {
    view! { <Redirect path=start_path(&person) options=replace() /> }
}

/// "Go to your start page": the signed-in person's, or the regions for nobody.
#[component]
pub(crate) fn StartPageLink() -> impl IntoView {
    let session = use_session();
    let start = move || session.person().map_or_else(|| "/".to_owned(), |person| start_path(&person));
    view! { <p class="govuk-body"><a class="govuk-link" href=start>"Go to your start page"</a></p> }
}
