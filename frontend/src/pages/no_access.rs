//! A page the signed-in person's role may not use.

use leptos::prelude::*;

use crate::{components::set_title, session::StartPageLink};

/// "You do not have access to this page": shown instead of the page, which fetches nothing.
#[component]
pub(crate) fn NoAccess() -> impl IntoView {
    set_title("You do not have access to this page");
    view! {
        <h1 class="govuk-heading-l" data-testid="no-access">"You do not have access to this page"</h1>
        <p class="govuk-body">
            "Your role does not include this page. If you think it should, ask your administrator."
        </p>
        <StartPageLink />
    }
}
