//! Signing in with a username and password.

use leptos::prelude::*;

use crate::{
    api,
    components::{
        Form, FormError, FormState, Loading, NotificationBanner, SubmitButton, TextInput, form_action,
        set_title, settle,
    },
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
    let form =
        FormState::new(&[("username", "username", "The username"), ("password", "password", "The password")]);
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let sign_in = form_action(move || {
        let call = api::sign_in(username.get_untracked(), password.get_untracked());
        // The page follows the session state to the person's start page.
        settle(form, call, move |person| session.auth.set(Auth::SignedIn(person)))
    });
    view! {
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                {move || {
                    (ended && form.error.with(Option::is_none))
                        .then(|| view! { <NotificationBanner text="Your session has ended. Sign in again." /> })
                }}
                <FormError form reload=None />
                <h1 class="govuk-heading-l">"Sign in"</h1>
                <Form submit=sign_in>
                    <TextInput id="username" label="Username" value=username autocomplete="username" width="govuk-!-width-one-half" form />
                    <TextInput
                        id="password"
                        label="Password"
                        value=password
                        kind="password"
                        autocomplete="current-password"
                        width="govuk-!-width-one-half"
                        form
                    />
                    <SubmitButton submit=sign_in testid="sign-in" label="Sign in" />
                </Form>
            </div>
        </div>
    }
}
