//! Signing in with a username and password.

use leptos::{ev::SubmitEvent, prelude::*};

use crate::{
    api,
    components::{ErrorSummary, Loading, NotificationBanner, set_title},
    session::{Auth, ToStartPage, use_session},
};

/// What the sign-in page shows.
#[derive(Debug, Clone, PartialEq)]
enum Stage {
    /// The stored session is being checked.
    Checking,
    /// The form; `ended` when the session ended without the person signing out.
    Form { ended: bool },
    /// Someone is signed in: off to their start page.
    Done(proto::pb::Person),
}

/// The sign-in form. Once someone is signed in (now, or already) it sends them to their role's
/// start page.
#[component]
pub(crate) fn SignInPage() -> impl IntoView {
    set_title("Sign in");
    let session = use_session();
    let stage = Memo::new(move |_| match session.auth.get() {
        Auth::Checking => Stage::Checking,
        Auth::SignedIn(person) => Stage::Done(person),
        Auth::SignedOut { ended } => Stage::Form { ended },
        // The stored session could not be checked: let the person sign in afresh.
        Auth::Failed(_) => Stage::Form { ended: false },
    });
    move || match stage.get() {
        Stage::Checking => view! { <Loading what="your account" /> }.into_any(),
        Stage::Done(person) => view! { <ToStartPage person /> }.into_any(),
        Stage::Form { ended } => view! { <SignInForm ended /> }.into_any(),
    }
}

/// The username and password form.
#[component]
fn SignInForm(
    /// Say that the previous session has ended.
    ended: bool,
) -> impl IntoView {
    let session = use_session();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let sign_in = Action::new_local(move |(username, password): &(String, String)| {
        let (username, password) = (username.clone(), password.clone());
        async move {
            let person = api::sign_in(username, password).await?;
            // The page follows the session state to the person's start page.
            session.auth.set(Auth::SignedIn(person));
            Ok::<(), api::ApiError>(())
        }
    });
    let error = move || sign_in.value().get().and_then(Result::err);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        sign_in.dispatch((username.get_untracked(), password.get_untracked()));
    };
    view! {
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                {move || {
                    (ended && error().is_none())
                        .then(|| view! { <NotificationBanner text="Your session has ended. Sign in again." /> })
                }}
                {move || error().map(|error| view! { <ErrorSummary error /> })}
                <h1 class="govuk-heading-l">"Sign in"</h1>
                <form novalidate on:submit=on_submit>
                    <div class="govuk-form-group">
                        <label class="govuk-label" for="username">"Username"</label>
                        <input
                            class="govuk-input govuk-!-width-one-half"
                            id="username"
                            name="username"
                            type="text"
                            autocomplete="username"
                            spellcheck="false"
                            autocapitalize="none"
                            prop:value=username
                            on:input=move |ev| username.set(event_target_value(&ev))
                        />
                    </div>
                    <div class="govuk-form-group">
                        <label class="govuk-label" for="password">"Password"</label>
                        <input
                            class="govuk-input govuk-!-width-one-half"
                            id="password"
                            name="password"
                            type="password"
                            autocomplete="current-password"
                            prop:value=password
                            on:input=move |ev| password.set(event_target_value(&ev))
                        />
                    </div>
                    <button
                        type="submit"
                        class="govuk-button"
                        data-testid="sign-in"
                        disabled=sign_in.pending()
                    >
                        "Sign in"
                    </button>
                </form>
            </div>
        </div>
    }
}
