//! One account, for administrators (`/accounts/<id>`): who it is, a Change link to its role
//! (`?step=role`), and resetting its password, disabling or enabling it. Also the pages every
//! person has: changing their own password (`/account/password`, the only page open while a
//! temporary password waits to be changed), and the first-run setup page (`/setup?token=…`),
//! which makes the first administrator from the link the server logs.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};
use proto::pb::{CreateFirstAdministratorRequest, Person, Role};

use crate::{
    api,
    components::{
        ActionForm, BackToRecord, Form, FormError, FormState, NotificationBanner, Record, RecordPage,
        SubmitButton, SummaryRow, TextInput, WarningText, form_action, set_title, settle, step_href,
        use_step,
    },
    pages::accounts::{NewPerson, ScopeFields, status_words},
    session::{Auth, role_label, start_path, use_session},
};

/// An account's page: its summary, or the role question when the address asks for it.
#[component]
pub(crate) fn AccountPage() -> impl IntoView {
    view! {
        <RecordPage
            title="Account"
            what="the account"
            back=("/accounts", "Back to accounts")
            load=api::get_person
            show=|person, record| view! { <AccountView person record /> }
        />
    }
}

#[component]
fn AccountView(person: Person, record: Record<Person>) -> impl IntoView {
    let step = use_step("step");
    move || match step.get().as_deref() {
        Some("role") => view! { <ChangeRole person=person.clone() record /> }.into_any(),
        Some("email") => view! { <ChangeEmail person=person.clone() record /> }.into_any(),
        _ => view! { <AccountSummary person=person.clone() record /> }.into_any(),
    }
}

/// Who the account is, with a Change link to its role, and what an administrator can do to it.
#[component]
fn AccountSummary(person: Person, record: Record<Person>) -> impl IntoView {
    set_title(&format!("Account of {}", person.display_name));
    let name = person.display_name.clone();
    let reset_form = FormState::new(&[]);
    let reset = {
        let person = person.clone();
        form_action(move || {
            let person = person.clone();
            async move {
                let name = person.display_name.clone();
                settle(
                    reset_form,
                    api::reset_password(&person),
                    move |(after, temporary): (Person, String)| {
                        record.changed(format!(
                            "Give {name} this temporary password by a trusted route: {temporary}. It is not \
                         shown again. They must change it when they next sign in. Their sessions have ended."
                        ))(after);
                    },
                )
                .await;
            }
        })
    };
    let disable_form = FormState::new(&[("disabled", "account-summary", "The account")]);
    let disabled = person.disabled;
    let toggle = {
        let person = person.clone();
        form_action(move || {
            let person = person.clone();
            async move {
                let name = person.display_name.clone();
                let text = if disabled {
                    format!("The account of {name} is enabled again. They can sign in.")
                } else {
                    format!(
                        "The account of {name} is disabled. They cannot sign in, and their sessions have ended."
                    )
                };
                settle(disable_form, api::set_account_disabled(&person, !disabled), record.changed(text))
                    .await;
            }
        })
    };
    let role_href = step_href("step", Some("role"));
    let email_href = step_href("step", Some("email"));
    let status = status_words(&person);
    let email =
        if person.email.is_empty() { "None: no emails are sent".to_owned() } else { person.email.clone() };
    let (username, display_name, scope, role) = (
        person.username.clone(),
        person.display_name.clone(),
        person.scope_label.clone(),
        role_label(person.role()),
    );
    let (toggle_heading, toggle_label, toggle_modifier, toggle_text) = if disabled {
        (
            "Enable the account",
            "Enable account",
            "govuk-button--secondary",
            format!("{name} will be able to sign in again with their password."),
        )
    } else {
        (
            "Disable the account",
            "Disable account",
            "govuk-button--warning",
            format!("{name} will not be able to sign in, and their sessions end at once."),
        )
    };
    view! {
        <A href="/accounts" attr:class="govuk-back-link">"Back to accounts"</A>
        <span class="govuk-caption-l">"Account"</span>
        <h1 class="govuk-heading-l">{name.clone()}</h1>
        <dl class="govuk-summary-list" data-testid="account-summary" id="account-summary">
            <SummaryRow key="Username">{username}</SummaryRow>
            <SummaryRow key="Name">{display_name}</SummaryRow>
            <div class="govuk-summary-list__row">
                <dt class="govuk-summary-list__key">"Role"</dt>
                <dd class="govuk-summary-list__value" data-testid="account-role">{role}</dd>
                <dd class="govuk-summary-list__actions">
                    <A href=role_href attr:class="govuk-link" attr:data-testid="change-role">
                        "Change" <span class="govuk-visually-hidden">" role"</span>
                    </A>
                </dd>
            </div>
            <SummaryRow key="Scope">{scope}</SummaryRow>
            <div class="govuk-summary-list__row">
                <dt class="govuk-summary-list__key">"Email address"</dt>
                <dd class="govuk-summary-list__value" data-testid="account-email">{email}</dd>
                <dd class="govuk-summary-list__actions">
                    <A href=email_href attr:class="govuk-link" attr:data-testid="change-email">
                        "Change" <span class="govuk-visually-hidden">" email address"</span>
                    </A>
                </dd>
            </div>
            <SummaryRow key="Status"><span data-testid="account-status">{status}</span></SummaryRow>
        </dl>
        <ActionForm testid="reset-password" heading="Reset the password" form=reset_form submit=reset>
            <p class="govuk-body">
                {format!(
                    "{name} gets a temporary password, shown to you once. They must change it when they next \
                     sign in. Their sessions end at once."
                )}
            </p>
            <SubmitButton submit=reset testid="reset" label="Reset password" modifier="govuk-button--secondary" />
        </ActionForm>
        <ActionForm testid="account-access" heading=toggle_heading form=disable_form submit=toggle>
            {(!disabled).then(|| view! { <WarningText text=toggle_text.clone() /> })}
            {disabled.then(|| view! { <p class="govuk-body">{toggle_text.clone()}</p> })}
            <SubmitButton submit=toggle testid="toggle-disabled" label=toggle_label modifier=toggle_modifier />
        </ActionForm>
    }
}

/// "Change the role": the role and the scope it needs, on a page of its own; back to the
/// account after.
#[component]
fn ChangeRole(person: Person, record: Record<Person>) -> impl IntoView {
    set_title(&format!("Change the role of {}", person.display_name));
    let fields = NewPerson::of(&person);
    let regions = LocalResource::new(api::list_regions);
    let form = FormState::new(&[
        ("role", "role", "The role"),
        ("region_code", "region-code", "The region"),
        ("local_area_code", "local-area", "The local area"),
        ("inspectorate", "inspectorate", "The inspectorate"),
        ("recipient_body", "recipient-body", "The recipient body"),
    ]);
    let back = BackToRecord::new(record);
    let save = {
        let person = person.clone();
        form_action(move || {
            let request = fields.change_role(&person);
            let back = back.clone();
            let name = person.display_name.clone();
            async move {
                let role = role_label(Role::try_from(request.role).unwrap_or(Role::Unspecified));
                let done = back.with(format!(
                    "The role of {name} is now {role}. Their sessions have ended: they sign in again to use it."
                ));
                settle(form, api::change_role(request), done).await;
            }
        })
    };
    let roles = crate::pages::accounts::role_radios();
    view! {
        <A href=step_href("step", None) attr:class="govuk-back-link">"Back"</A>
        <FormError form reload=None />
        <span class="govuk-caption-l">{person.display_name.clone()}</span>
        <h1 class="govuk-heading-l">"Change the role"</h1>
        <Form submit=save testid="change-role-form">
            <crate::components::Radios legend="Role" name="role" options=roles value=fields.role form />
            <ScopeFields fields regions form />
            <SubmitButton submit=save testid="save-role" label="Save role" />
        </Form>
    }
}

/// "Change the email address": one question on a page of its own; empty removes it.
#[component]
fn ChangeEmail(person: Person, record: Record<Person>) -> impl IntoView {
    set_title(&format!("Change the email address of {}", person.display_name));
    let email = RwSignal::new(person.email.clone());
    let form = FormState::new(&[("email", "email", "The email address")]);
    let back = BackToRecord::new(record);
    let save = {
        let person = person.clone();
        form_action(move || {
            let (person, back) = (person.clone(), back.clone());
            let typed = email.get_untracked();
            async move {
                let name = person.display_name.clone();
                let text = if typed.trim().is_empty() {
                    format!("{name} has no email address now: SEND Planner sends them no emails.")
                } else {
                    format!("Emails to {name} now go to {}.", typed.trim().to_lowercase())
                };
                settle(form, api::set_email(&person, typed), back.with(text)).await;
            }
        })
    };
    view! {
        <A href=step_href("step", None) attr:class="govuk-back-link">"Back"</A>
        <FormError form reload=None />
        <span class="govuk-caption-l">{person.display_name.clone()}</span>
        <h1 class="govuk-heading-l">"What is their email address?"</h1>
        <Form submit=save testid="change-email-form">
            <TextInput
                id="email"
                label="Email address"
                hint="Leave it empty and SEND Planner sends them no emails."
                value=email
                kind="email"
                autocomplete="off"
                width="govuk-!-width-two-thirds"
                form
            />
            <SubmitButton submit=save testid="save-email" label="Save email address" />
        </Form>
    }
}

/// Changing one's own password: the current one and a new one. While a temporary password
/// waits to be changed, every other page brings the person here.
#[component]
pub(crate) fn ChangePasswordPage() -> impl IntoView {
    set_title("Change your password");
    let session = use_session();
    let due = move || session.person().is_some_and(|p| p.must_change_password);
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let done = RwSignal::new(None::<Person>);
    let form = FormState::new(&[
        ("current_password", "current-password", "Your current password"),
        ("new_password", "new-password", "The new password"),
    ]);
    let save = form_action(move || {
        let call = api::change_password(current.get_untracked(), new.get_untracked());
        settle(form, call, move |person: Person| {
            current.set(String::new());
            new.set(String::new());
            done.set(Some(person.clone()));
            session.auth.set(Auth::SignedIn(person));
        })
    });
    view! {
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                {move || done.get().map(|person| view! {
                    <NotificationBanner text="Your password has been changed. Your other sessions have ended." success=true />
                    <p class="govuk-body">
                        <A href=start_path(&person) attr:class="govuk-link" attr:data-testid="to-start">"Go to your start page"</A>
                    </p>
                })}
                <FormError form reload=None />
                <h1 class="govuk-heading-l">"Change your password"</h1>
                {move || due().then(|| view! {
                    <p class="govuk-body" data-testid="password-due">
                        "Your password was reset by an administrator. Choose a new password to continue."
                    </p>
                })}
                <Form submit=save testid="change-password">
                    <TextInput
                        id="current-password"
                        label=if due() { "Temporary password" } else { "Current password" }
                        value=current
                        kind="password"
                        autocomplete="current-password"
                        width="govuk-!-width-one-half"
                        form
                    />
                    <TextInput
                        id="new-password"
                        label="New password"
                        hint="At least 12 characters. Do not use a commonly used password or your username."
                        value=new
                        kind="password"
                        autocomplete="new-password"
                        width="govuk-!-width-one-half"
                        form
                    />
                    <SubmitButton submit=save testid="save-password" label="Change password" />
                </Form>
            </div>
        </div>
    }
}

/// The first administrator, from the setup link's token: their username, name and password;
/// then they are signed in and sent on to create the others' accounts.
#[component]
pub(crate) fn SetupPage() -> impl IntoView {
    set_title("Set up SEND Planner");
    let session = use_session();
    let query = use_query_map();
    let token = move || query.with(|q| q.get("token").unwrap_or_default());
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let form = FormState::new(&[
        ("token", "setup-form", "The setup link"),
        ("username", "username", "The username"),
        ("display_name", "display-name", "Your full name"),
        ("password", "password", "The password"),
    ]);
    let create = form_action(move || {
        let request = CreateFirstAdministratorRequest {
            token: query.with_untracked(|q| q.get("token").unwrap_or_default()),
            username: username.get_untracked().trim().to_owned(),
            display_name: display_name.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        let login = (request.username.clone(), request.password.clone());
        async move {
            let call = async move {
                api::create_first_administrator(request).await?;
                api::sign_in(login.0, login.1).await
            };
            settle(form, call, move |person: Person| session.auth.set(Auth::SignedIn(person))).await;
        }
    });
    let signed_in = move || session.person().filter(|p| p.role() == Role::Administrator);
    view! {
        <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
                {move || match signed_in() {
                    Some(person) => view! {
                        <div class="govuk-panel govuk-panel--confirmation" data-testid="setup-done">
                            <h1 class="govuk-panel__title">"SEND Planner is set up"</h1>
                            <div class="govuk-panel__body">{format!("You are signed in as {}", person.display_name)}</div>
                        </div>
                        <p class="govuk-body">"Next, create the accounts of the people who will use SEND Planner."</p>
                        <A href="/accounts" attr:class="govuk-button" attr:data-testid="to-accounts">"Create accounts"</A>
                    }
                    .into_any(),
                    None if token().is_empty() => view! {
                        <h1 class="govuk-heading-l">"Set up SEND Planner"</h1>
                        <p class="govuk-body" data-testid="setup-no-token">
                            "This setup link is not complete. Copy the whole link from the message SEND Planner \
                             wrote when it started, or ask an administrator for an account."
                        </p>
                    }
                    .into_any(),
                    None => view! {
                        <FormError form reload=None />
                        <h1 class="govuk-heading-l">"Set up SEND Planner"</h1>
                        <p class="govuk-body">
                            "Create the first administrator's account: yours. Administrators create everyone \
                             else's accounts. This link works once, for an hour after SEND Planner started."
                        </p>
                        <Form submit=create testid="setup-form">
                            <span id="setup-form"></span>
                            <TextInput id="username" label="Username" value=username autocomplete="username" width="govuk-!-width-one-half" form />
                            <TextInput id="display-name" label="Your full name" value=display_name autocomplete="name" width="govuk-!-width-one-half" form />
                            <TextInput
                                id="password"
                                label="Password"
                                hint="At least 12 characters. Do not use a commonly used password or your username."
                                value=password
                                kind="password"
                                autocomplete="new-password"
                                width="govuk-!-width-one-half"
                                form
                            />
                            <SubmitButton submit=create testid="create-administrator" label="Create account" />
                        </Form>
                    }
                    .into_any(),
                }}
            </div>
        </div>
    }
}
