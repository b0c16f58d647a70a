//! Small shared pieces of page.

use leptos::prelude::*;

use crate::api::ApiError;

/// Sets the browser tab's title: "`page` - SEND Planner".
pub(crate) fn set_title(page: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(&format!("{page} - SEND Planner"));
    }
}

/// A GOV.UK error summary announcing what went wrong.
#[component]
pub(crate) fn ErrorSummary(error: ApiError) -> impl IntoView {
    view! {
        <div class="govuk-error-summary" data-testid="error">
            <div role="alert">
                <h2 class="govuk-error-summary__title">"There is a problem"</h2>
                <div class="govuk-error-summary__body">
                    <p class="govuk-body">{error.to_string()}</p>
                </div>
            </div>
        </div>
    }
}

/// A visible, announced loading message.
#[component]
pub(crate) fn Loading(what: &'static str) -> impl IntoView {
    view! {
        <p class="govuk-body" role="status" data-testid="loading">
            {format!("Loading {what}…")}
        </p>
    }
}
