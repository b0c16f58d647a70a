//! The page frame (GOV.UK Design System), the header with who is signed in, and the routes.

use leptos::prelude::*;
use leptos_router::{
    Lazy, LazyRoute,
    components::{A, Route, Router, Routes},
    hooks::{use_location, use_navigate, use_params_map},
    path,
};
use proto::pb::Person;

use crate::{
    api,
    pages::{
        account::{AccountPage, ChangePasswordPage, SetupPage},
        accounts::AccountsPage,
        attention::ApprovalsPage,
        audit::AuditPage,
        board::BoardPage,
        case_studies::CaseStudiesPage,
        emails::{EmailPreferencesPage, OutboxPage},
        engagement::EngagementPage,
        inspectors::InspectorsPage,
        letters::{LetterPage, LettersPage, NationalReportPage, PublishedPage},
        local_area::LocalAreaPage,
        my_visits::MyVisitsPage,
        national::NationalPage,
        new_engagement::NewEngagementPage,
        new_request::NewRequestPage,
        not_found::NotFound,
        proposal::ProposalPage,
        region::RegionPage,
        regions::RegionsPage,
        request::RequestPage,
        requests::RequestsPage,
        safeguarding::SafeguardingPage,
        sign_in::SignInPage,
        suspicious::SuspiciousAccessPage,
        totals::TotalsPage,
    },
    session::{Auth, Page, Restricted, Session, menu, role_label, start_path, use_session},
};
#[cfg(split)]
use crate::{api::ApiError, components::ErrorSummary};

/// A page loaded only when first visited: with `--cfg split` (the release build,
/// scripts/build-frontend.sh) its code goes into a wasm module of its own, fetched on first
/// use, so the sign-in form needs only its own code. Every page but sign-in is one, each role's
/// start page too: its module is fetched after sign-in, when the person goes to it. Without it
/// (the debug build) it is the same page behind an async boundary, in the one module.
macro_rules! lazy_page {
    ($route:ident, $page:expr, $component:ident) => {
        lazy_page!($route => view! { <Restricted page=$page><$component /></Restricted> });
    };
    ($route:ident => $view:expr) => {
        struct $route;

        // Not `#[lazy_route]`: its split point aborts the whole app when the page's module
        // cannot be fetched (the server is down, the link dropped). `fallible` makes that an
        // error the page shows; the next visit tries the fetch again.
        #[cfg(split)]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            async fn view(_this: Self) -> AnyView {
                #[leptos::wasm_split::wasm_split($route, wasm_split_path = ::leptos::wasm_split, fallible)]
                fn page() -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
                    Ok($view.into_any())
                }
                page().await.unwrap_or_else(|_| view! { <ErrorSummary error=ApiError::unreachable() /> }.into_any())
            }
        }

        #[cfg(not(split))]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            async fn view(_this: Self) -> AnyView {
                $view.into_any()
            }
        }
    };
}

lazy_page!(AuditRoute, Page::Audit, AuditPage);
lazy_page!(SuspiciousAccessRoute, Page::SuspiciousAccess, SuspiciousAccessPage);
lazy_page!(LetterRoute, Page::Letter, LetterPage);
lazy_page!(PublishedRoute, Page::Published, PublishedPage);
lazy_page!(NationalReportRoute, Page::NationalReport, NationalReportPage);
lazy_page!(RequestsRoute, Page::VisitRequests, RequestsPage);
lazy_page!(NewRequestRoute, Page::NewVisitRequest, NewRequestPage);
lazy_page!(RequestRoute, Page::VisitRequests, RequestPage);
lazy_page!(TotalsRoute, Page::Totals, TotalsPage);
lazy_page!(SafeguardingRoute, Page::Safeguarding, SafeguardingPage);
lazy_page!(ApprovalsRoute, Page::Approvals, ApprovalsPage);
lazy_page!(BoardRoute, Page::Programme, BoardPage);
lazy_page!(NewEngagementRoute, Page::Programme, NewEngagementPage);
lazy_page!(EngagementRoute, Page::Programme, EngagementPage);
lazy_page!(InspectorsRoute, Page::Inspectors, InspectorsPage);
lazy_page!(CaseStudiesRoute, Page::CaseStudies, CaseStudiesPage);
lazy_page!(NationalRoute, Page::NationalBoard, NationalPage);
lazy_page!(AccountRoute, Page::Account, AccountPage);
lazy_page!(OwnPasswordRoute, Page::OwnPassword, ChangePasswordPage);
lazy_page!(SetupRoute, Page::Setup, SetupPage);
lazy_page!(OwnEmailsRoute, Page::OwnEmails, EmailPreferencesPage);
lazy_page!(OutboxRoute, Page::Outbox, OutboxPage);
lazy_page!(ProposalRoute, Page::Programme, ProposalPage);
// Each role's start page (session.rs, `start_path`), a module of its own: grouped into one, a
// start page fetched more than the largest of them alone (measured: 380 KB and more against
// at most 310 KB).
lazy_page!(RegionsRoute, Page::Regions, RegionsPage);
lazy_page!(RegionRoute => view! { <RegionWithCode /> });
lazy_page!(LocalAreaRoute, Page::LocalArea, LocalAreaPage);
lazy_page!(MyVisitsRoute, Page::MyVisits, MyVisitsPage);
lazy_page!(LettersRoute, Page::Letters, LettersPage);
lazy_page!(AccountsRoute, Page::Accounts, AccountsPage);

/// The whole app.
#[component]
pub(crate) fn App() -> impl IntoView {
    provide_context(Session::start());
    view! {
        <Router>
            <a href="#main-content" class="govuk-skip-link">"Skip to main content"</a>
            <Header />
            <div class="govuk-width-container">
                <main class="govuk-main-wrapper" id="main-content">
                    <Routes fallback=|| view! { <Restricted page=Page::Any><NotFound /></Restricted> }>
                        <Route path=path!("/sign-in") view=SignInPage />
                        <Route path=path!("/") view={Lazy::<RegionsRoute>::new()} />
                        <Route path=path!("/regions/:code") view={Lazy::<RegionRoute>::new()} />
                        <Route
                            path=path!("/audit")
                            view={Lazy::<AuditRoute>::new()}
                        />
                        <Route
                            path=path!("/suspicious-access")
                            view={Lazy::<SuspiciousAccessRoute>::new()}
                        />
                        <Route path=path!("/local-area") view={Lazy::<LocalAreaRoute>::new()} />
                        <Route path=path!("/my-visits") view={Lazy::<MyVisitsRoute>::new()} />
                        <Route path=path!("/letters") view={Lazy::<LettersRoute>::new()} />
                        <Route
                            path=path!("/letters/:id")
                            view={Lazy::<LetterRoute>::new()}
                        />
                        <Route
                            path=path!("/published")
                            view={Lazy::<PublishedRoute>::new()}
                        />
                        <Route
                            path=path!("/national-report")
                            view={Lazy::<NationalReportRoute>::new()}
                        />
                        <Route
                            path=path!("/requests")
                            view={Lazy::<RequestsRoute>::new()}
                        />
                        // Before `/requests/:id`: the first route that matches wins.
                        <Route
                            path=path!("/requests/new")
                            view={Lazy::<NewRequestRoute>::new()}
                        />
                        <Route
                            path=path!("/requests/:id")
                            view={Lazy::<RequestRoute>::new()}
                        />
                        <Route
                            path=path!("/totals")
                            view={Lazy::<TotalsRoute>::new()}
                        />
                        <Route
                            path=path!("/safeguarding")
                            view={Lazy::<SafeguardingRoute>::new()}
                        />
                        <Route
                            path=path!("/approvals")
                            view={Lazy::<ApprovalsRoute>::new()}
                        />
                        <Route
                            path=path!("/board")
                            view={Lazy::<BoardRoute>::new()}
                        />
                        // Before `/engagements/:id`: the first route that matches wins.
                        <Route
                            path=path!("/engagements/new")
                            view={Lazy::<NewEngagementRoute>::new()}
                        />
                        <Route
                            path=path!("/engagements/:id/case-studies")
                            view={Lazy::<CaseStudiesRoute>::new()}
                        />
                        <Route
                            path=path!("/engagements/:id")
                            view={Lazy::<EngagementRoute>::new()}
                        />
                        <Route
                            path=path!("/programme/proposal")
                            view={Lazy::<ProposalRoute>::new()}
                        />
                        <Route
                            path=path!("/inspectors")
                            view={Lazy::<InspectorsRoute>::new()}
                        />
                        <Route
                            path=path!("/national")
                            view={Lazy::<NationalRoute>::new()}
                        />
                        <Route path=path!("/accounts") view={Lazy::<AccountsRoute>::new()} />
                        <Route
                            path=path!("/accounts/:id")
                            view={Lazy::<AccountRoute>::new()}
                        />
                        <Route
                            path=path!("/account/password")
                            view={Lazy::<OwnPasswordRoute>::new()}
                        />
                        <Route
                            path=path!("/account/emails")
                            view={Lazy::<OwnEmailsRoute>::new()}
                        />
                        <Route
                            path=path!("/notifications")
                            view={Lazy::<OutboxRoute>::new()}
                        />
                        <Route
                            path=path!("/setup")
                            view={Lazy::<SetupRoute>::new()}
                        />
                    </Routes>
                </main>
            </div>
            <footer class="govuk-footer">
                <div class="govuk-width-container">
                    <p class="govuk-body-s">
                        "SEND Planner: local area SEND inspections and interim visits, for Ofsted and the Care Quality Commission."
                    </p>
                    <p class="govuk-body-s">
                        <A href="/published" attr:class="govuk-footer__link">"Published letters and reports"</A>
                    </p>
                </div>
            </footer>
        </Router>
    }
}

/// A region's page, for those who may see that region.
#[component]
fn RegionWithCode() -> impl IntoView {
    let params = use_params_map();
    let page = Signal::derive(move || Page::Region(params.read().get("code").unwrap_or_default()));
    view! {
        <Restricted page><RegionPage /></Restricted>
    }
}

/// The GOV.UK service navigation: the service name, and for a signed-in person their menu, who
/// they are and a way to sign out.
#[component]
fn Header() -> impl IntoView {
    let session = use_session();
    let home = move || session.person().map_or_else(|| "/sign-in".to_owned(), |person| start_path(&person));
    view! {
        <header class="govuk-template__header">
            <section class="govuk-service-navigation" aria-label="Service information">
                <div class="govuk-width-container">
                    <div class="govuk-service-navigation__container">
                        <span class="govuk-service-navigation__service-name">
                            <A href=home attr:class="govuk-service-navigation__link">"SEND Planner"</A>
                        </span>
                        {move || session.person().map(|person| view! { <Menu person /> })}
                    </div>
                    {move || session.person().map(|person| view! { <Identity person /> })}
                </div>
            </section>
        </header>
    }
}

/// The pages a person's role may use, the current one marked.
#[component]
fn Menu(person: Person) -> impl IntoView {
    let location = use_location();
    let items = menu(&person)
        .into_iter()
        .map(|(label, href)| {
            let current = href.clone();
            // The item of the page shown, or of the section it belongs to (`/requests/<id>`
            // under "Visit requests", `/engagements/<id>` under "Programme").
            let class = move || {
                let path = location.pathname.get();
                let here = path == current
                    || (current != "/"
                        && path.strip_prefix(current.as_str()).is_some_and(|rest| rest.starts_with('/')))
                    || (current == "/board" && path.starts_with("/engagements/"));
                if here {
                    "govuk-service-navigation__item govuk-service-navigation__item--active"
                } else {
                    "govuk-service-navigation__item"
                }
            };
            view! {
                <li class=class>
                    <A href=href exact=true attr:class="govuk-service-navigation__link">{label}</A>
                </li>
            }
        })
        .collect_view();
    // Below GOV.UK's tablet breakpoint the menu collapses behind a "Menu" button, as the
    // service navigation component's own script does; it closes again on every navigation.
    let wide = RwSignal::new(is_wide());
    let open = RwSignal::new(false);
    let resized = window_event_listener(leptos::ev::resize, move |_| wide.set(is_wide()));
    on_cleanup(move || resized.remove());
    Effect::new(move |_| {
        location.pathname.track();
        open.set(false);
    });
    view! {
        <nav aria-label="Menu" class="govuk-service-navigation__wrapper" data-testid="nav">
            <button
                type="button"
                class="govuk-service-navigation__toggle"
                aria-controls="navigation"
                data-testid="menu-button"
                hidden=move || wide.get()
                aria-hidden=move || wide.get().then_some("true")
                aria-expanded=move || (!wide.get()).then(|| open.get().to_string())
                on:click=move |_| open.update(|o| *o = !*o)
            >
                "Menu"
            </button>
            <ul class="govuk-service-navigation__list" id="navigation" hidden=move || !wide.get() && !open.get()>
                {items}
            </ul>
        </nav>
    }
}

/// Whether the window is at least GOV.UK's tablet breakpoint (40.0625em, 641 px) wide.
fn is_wide() -> bool {
    window().match_media("(min-width: 40.0625em)").ok().flatten().is_none_or(|query| query.matches())
}

/// "Signed in as …" with the role and scope, and the sign-out button.
#[component]
fn Identity(person: Person) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let sign_out = Action::new_local(move |_: &()| {
        let navigate = navigate.clone();
        async move {
            api::sign_out().await;
            session.auth.set(Auth::SignedOut { ended: false });
            navigate("/sign-in", Default::default());
        }
    });
    let details = format!(" ({}, {})", role_label(person.role()), person.scope_label);
    view! {
        <div class="app-identity">
            <p class="govuk-body-s app-identity__text" data-testid="identity">
                "Signed in as " <strong>{person.display_name}</strong> {details}
            </p>
            // Each link a block of its own: not a link inside a sentence (WCAG 1.4.1).
            <p class="govuk-body-s app-identity__text">
                <A href="/account/password" attr:class="govuk-link" attr:data-testid="own-password">"Change your password"</A>
            </p>
            <p class="govuk-body-s app-identity__text">
                <A href="/account/emails" attr:class="govuk-link" attr:data-testid="own-emails">"Your emails"</A>
            </p>
            <crate::components::ActionButton
                action=sign_out
                testid="sign-out"
                label="Sign out"
                modifier="govuk-button--secondary app-identity__sign-out"
            />
        </div>
    }
}
