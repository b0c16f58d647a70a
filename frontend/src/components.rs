//! Small shared pieces of page.

use leptos::prelude::*;

use crate::api::ApiError;

/// Sets the browser tab's title: "`page` - SEND Planner".
pub(crate) fn set_title(page: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(&format!("{page} - SEND Planner"));
    }
}

/// A GOV.UK error summary announcing what went wrong. Like GOV.UK Frontend's own script, it
/// takes the focus when shown, so it is scrolled into view and read out first.
#[component]
pub(crate) fn ErrorSummary(error: ApiError) -> impl IntoView {
    let summary = NodeRef::<leptos::html::Div>::new();
    Effect::new(move || {
        if let Some(summary) = summary.get() {
            // Focus can fail only on a detached element; then there is nothing to show anyway.
            let _ = summary.focus();
        }
    });
    view! {
        <div class="govuk-error-summary" data-testid="error" tabindex="-1" node_ref=summary>
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

/// A GOV.UK notification banner: "Success" (announced at once) or "Important" (a landmark).
/// One per page: its title's id is fixed.
#[component]
pub(crate) fn NotificationBanner(
    /// What happened, in one sentence.
    #[prop(into)]
    text: String,
    /// A success banner (green, `role="alert"`) rather than an important one (blue).
    #[prop(optional)]
    success: bool,
) -> impl IntoView {
    let (class, role, title) = if success {
        ("govuk-notification-banner govuk-notification-banner--success", "alert", "Success")
    } else {
        ("govuk-notification-banner", "region", "Important")
    };
    view! {
        <div class=class role=role aria-labelledby="notification-banner-title" data-testid="banner">
            <div class="govuk-notification-banner__header">
                <h2 class="govuk-notification-banner__title" id="notification-banner-title">
                    {title}
                </h2>
            </div>
            <div class="govuk-notification-banner__content">
                <p class="govuk-notification-banner__heading">{text}</p>
            </div>
        </div>
    }
}
