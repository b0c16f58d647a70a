//! The page frame (GOV.UK Design System) and the routes.

use leptos::prelude::*;
use leptos_router::{
    components::{A, Route, Router, Routes},
    path,
};

use crate::pages::{not_found::NotFound, region::RegionPage, regions::RegionsPage};

/// The whole app.
#[component]
pub(crate) fn App() -> impl IntoView {
    view! {
        <Router>
            <a href="#main-content" class="govuk-skip-link">"Skip to main content"</a>
            <header class="govuk-template__header">
                <section class="govuk-service-navigation" aria-label="Service information">
                    <div class="govuk-width-container">
                        <div class="govuk-service-navigation__container">
                            <span class="govuk-service-navigation__service-name">
                                <A href="/" attr:class="govuk-service-navigation__link">"SEND Planner"</A>
                            </span>
                        </div>
                    </div>
                </section>
            </header>
            <div class="govuk-width-container">
                <main class="govuk-main-wrapper" id="main-content">
                    <Routes fallback=NotFound>
                        <Route path=path!("/") view=RegionsPage />
                        <Route path=path!("/regions/:code") view=RegionPage />
                    </Routes>
                </main>
            </div>
            <footer class="govuk-footer">
                <div class="govuk-width-container">
                    <p class="govuk-body-s">
                        "SEND Planner: local area SEND inspections and interim visits, for Ofsted and the Care Quality Commission."
                    </p>
                </div>
            </footer>
        </Router>
    }
}
