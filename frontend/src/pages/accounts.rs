//! Accounts, for administrators: everyone who can sign in, ending their sessions, and creating
//! accounts.

use leptos::prelude::*;
use proto::pb::{CreatePersonRequest, Inspectorate, Person, RecipientBody, Region, Role};

use crate::{
    api::{self, ApiError},
    components::{
        AreaSelect, Checkbox, ErrorSummary, Form, FormError, FormState, Loaded, NotificationBanner, Radios,
        Select, SubmitButton, Table, TextInput, columns, form_action, set_title, settle,
    },
    session::role_label,
};

/// The roles an administrator can give, in the order offered: (role, id suffix).
const ROLES: [(Role, &str); 6] = [
    (Role::NationalPlanner, "national-planner"),
    (Role::RegionalLead, "regional-lead"),
    (Role::LocalAreaUser, "local-area-user"),
    (Role::Inspector, "inspector"),
    (Role::RecipientBody, "recipient-body"),
    (Role::Administrator, "administrator"),
];

/// The role radios, in the order offered.
pub(crate) fn role_radios() -> Vec<crate::components::Radio<Role>> {
    radios(ROLES.into_iter().map(|(role, suffix)| (role, format!("role-{suffix}"), role_label(role))))
}

/// Radio choices: (value, input id, label) with no hints.
fn radios<T>(
    options: impl IntoIterator<Item = (T, String, &'static str)>,
) -> Vec<crate::components::Radio<T>> {
    options.into_iter().map(|(value, id, label)| (value, id, label.to_owned(), None)).collect()
}

/// The people table, its "Revoke sessions" buttons and the "Create an account" form. What
/// happened last (sessions ended, an account created, or the server's refusal) shows at the top.
#[component]
pub(crate) fn AccountsPage() -> impl IntoView {
    set_title("Accounts");
    let people = LocalResource::new(api::list_people);
    let regions = LocalResource::new(api::list_regions);
    let notice = RwSignal::new(None::<String>);
    let revoke_error = RwSignal::new(None::<ApiError>);
    let revoke = Action::new_local(move |person_id: &String| {
        let person_id = person_id.clone();
        async move {
            match api::revoke_sessions(person_id).await {
                Ok(revoked) => {
                    revoke_error.set(None);
                    notice.set(Some(format!("Sessions ended: {revoked}")));
                }
                Err(e) => {
                    notice.set(None);
                    revoke_error.set(Some(e));
                }
            }
        }
    });
    let fields = NewPerson::default();
    let form = FormState::new(&[
        ("username", "new-username", "The username"),
        ("display_name", "new-display-name", "The full name"),
        ("password", "new-password", "The password"),
        ("email", "new-email", "The email address"),
        ("role", "role", "The role"),
        ("region_code", "region-code", "The region"),
        ("local_area_code", "local-area", "The local area"),
        ("inspectorate", "inspectorate", "The inspectorate"),
        ("recipient_body", "recipient-body", "The recipient body"),
    ]);
    let create = form_action(move || {
        // The last success no longer stands beside a new attempt's problems.
        notice.set(None);
        let call = api::create_person(fields.request());
        settle(form, call, move |person: Person| {
            notice.set(Some(format!("Account created for {} ({})", person.display_name, person.username)));
            fields.clear();
            people.refetch();
        })
    });
    let table = move |list: proto::pb::ListPeopleResponse| {
        view! {
            <PeopleTable
                people=list.people
                more=!list.next_page_token.is_empty()
                on_revoke=Callback::new(move |id: String| {
                    revoke.dispatch(id);
                })
                busy=revoke.pending()
            />
        }
    };
    let roles = role_radios();
    view! {
        {move || notice.get().map(|text| view! { <NotificationBanner text success=true /> })}
        {move || revoke_error.get().map(|error| view! { <ErrorSummary error /> })}
        <FormError form reload=None />
        <h1 class="govuk-heading-l" data-testid="start-page">"Accounts"</h1>
        <Loaded resource=people what="people" show=table />
        <h2 class="govuk-heading-m">"Create an account"</h2>
        <Form submit=create testid="create-person">
            <TextInput id="new-username" label="Username" value=fields.username width="govuk-!-width-one-half" form />
            <TextInput id="new-display-name" label="Full name" value=fields.display_name width="govuk-!-width-one-half" form />
            <TextInput
                id="new-password"
                label="Password"
                hint="At least 12 characters. Do not use a commonly used password."
                value=fields.password
                kind="password"
                autocomplete="new-password"
                width="govuk-!-width-one-half"
                form
            />
            <TextInput
                id="new-email"
                label="Email address (optional)"
                hint="Where SEND Planner says that something waits for them. Without one, they get no emails."
                value=fields.email
                kind="email"
                autocomplete="off"
                width="govuk-!-width-two-thirds"
                form
            />
            <Radios legend="Role" name="role" options=roles value=fields.role form />
            <ScopeFields fields regions form />
            <SubmitButton submit=create testid="create" label="Create account" />
        </Form>
    }
}

/// Everyone who can sign in, each with a button ending their sessions.
#[component]
fn PeopleTable(
    people: Vec<Person>,
    /// More people exist than are shown.
    more: bool,
    /// Called with a person's id to end their sessions.
    on_revoke: Callback<String>,
    /// A revocation is under way.
    #[prop(into)]
    busy: Signal<bool>,
) -> impl IntoView {
    let rows = people
        .into_iter()
        .map(|person| {
            let id = person.id.clone();
            let role = role_label(person.role());
            let person_status = person.clone();
            view! {
                <tr class="govuk-table__row" data-username=person.username.clone()>
                    <th scope="row" class="govuk-table__header">
                        <a class="govuk-link" href=format!("/accounts/{}", person.id)>{person.username.clone()}</a>
                    </th>
                    <td class="govuk-table__cell">{person.display_name}</td>
                    <td class="govuk-table__cell">{role}</td>
                    <td class="govuk-table__cell">{person.scope_label}</td>
                    <td class="govuk-table__cell">{status_words(&person_status)}</td>
                    <td class="govuk-table__cell">
                        <button
                            type="button"
                            class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"
                            data-testid="revoke"
                            disabled=busy
                            on:click=move |_| on_revoke.run(id.clone())
                        >
                            "Revoke sessions"
                            <span class="govuk-visually-hidden">{format!(" of {}", person.username)}</span>
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Table testid="people" caption="People who can sign in" columns=columns(&["Username", "Name", "Role", "Scope", "Status", "Sessions"])>
            {rows}
        </Table>
        {more.then(|| view! { <p class="govuk-body">"Only the first 200 people are shown."</p> })}
    }
}

/// Whether an account can be used, in words.
pub(crate) fn status_words(person: &Person) -> &'static str {
    if person.disabled {
        "Disabled"
    } else if person.must_change_password {
        "Active, with a temporary password"
    } else {
        "Active"
    }
}

/// The "Create an account" form's values (and the role fields of "Change the role").
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewPerson {
    username: RwSignal<String>,
    display_name: RwSignal<String>,
    password: RwSignal<String>,
    email: RwSignal<String>,
    pub(crate) role: RwSignal<Role>,
    region_code: RwSignal<String>,
    local_area_code: RwSignal<String>,
    inspectorate: RwSignal<Inspectorate>,
    social_care: RwSignal<bool>,
    recipient_body: RwSignal<RecipientBody>,
}

impl Default for NewPerson {
    fn default() -> Self {
        Self {
            username: RwSignal::new(String::new()),
            display_name: RwSignal::new(String::new()),
            password: RwSignal::new(String::new()),
            email: RwSignal::new(String::new()),
            role: RwSignal::new(Role::Unspecified),
            region_code: RwSignal::new(String::new()),
            local_area_code: RwSignal::new(String::new()),
            inspectorate: RwSignal::new(Inspectorate::Unspecified),
            social_care: RwSignal::new(false),
            recipient_body: RwSignal::new(RecipientBody::Unspecified),
        }
    }
}

impl NewPerson {
    /// The role fields filled in with `person`'s role and scope.
    pub(crate) fn of(person: &Person) -> Self {
        let fields = Self::default();
        fields.role.set(person.role());
        fields.region_code.set(person.region_code.clone());
        fields.local_area_code.set(person.local_area_code.clone());
        fields.inspectorate.set(person.inspectorate());
        fields.social_care.set(person.social_care);
        fields.recipient_body.set(person.recipient_body());
        fields
    }

    /// The request changing `person`'s role and scope to the form's values.
    pub(crate) fn change_role(&self, person: &Person) -> proto::pb::ChangeRoleRequest {
        let chosen = self.request();
        proto::pb::ChangeRoleRequest {
            person_id: person.id.clone(),
            version: person.version,
            role: chosen.role,
            region_code: chosen.region_code,
            local_area_code: chosen.local_area_code,
            inspectorate: chosen.inspectorate,
            social_care: chosen.social_care,
            recipient_body: chosen.recipient_body,
        }
    }

    /// The request for the form's values. Only the chosen role's scope fields are sent (the
    /// others are hidden); the server checks everything and names any bad field.
    fn request(&self) -> CreatePersonRequest {
        let role = self.role.get_untracked();
        let mut request = CreatePersonRequest {
            username: self.username.get_untracked().trim().to_owned(),
            display_name: self.display_name.get_untracked().trim().to_owned(),
            password: self.password.get_untracked(),
            email: self.email.get_untracked().trim().to_owned(),
            role: role.into(),
            ..Default::default()
        };
        match role {
            Role::RegionalLead => request.region_code = self.region_code.get_untracked(),
            Role::LocalAreaUser => {
                request.local_area_code = self.local_area_code.get_untracked().trim().to_owned();
            }
            Role::Inspector => {
                request.region_code = self.region_code.get_untracked();
                request.inspectorate = self.inspectorate.get_untracked().into();
                request.social_care = self.social_care.get_untracked();
            }
            Role::RecipientBody => request.recipient_body = self.recipient_body.get_untracked().into(),
            Role::NationalPlanner | Role::Administrator | Role::Unspecified => {}
        }
        request
    }

    /// Empties the form after an account is created.
    fn clear(&self) {
        self.username.set(String::new());
        self.display_name.set(String::new());
        self.password.set(String::new());
        self.email.set(String::new());
        self.role.set(Role::Unspecified);
        self.region_code.set(String::new());
        self.local_area_code.set(String::new());
        self.inspectorate.set(Inspectorate::Unspecified);
        self.social_care.set(false);
        self.recipient_body.set(RecipientBody::Unspecified);
    }
}

/// The scope fields the chosen role needs: a region, a local area, an inspectorate or a
/// recipient body.
#[component]
pub(crate) fn ScopeFields(
    fields: NewPerson,
    regions: LocalResource<Result<Vec<Region>, ApiError>>,
    form: FormState,
) -> impl IntoView {
    move || match fields.role.get() {
        Role::RegionalLead => view! { <RegionField fields regions label="Region" form /> }.into_any(),
        // The local area by name: its region first, then one of the region's current areas.
        Role::LocalAreaUser => {
            Effect::new(move |_| {
                fields.region_code.track();
                fields.local_area_code.set(String::new());
            });
            view! {
                <RegionField fields regions label="Region of the local area" form />
                <AreaSelect region_code=fields.region_code local_area_code=fields.local_area_code form />
            }
            .into_any()
        }
        Role::Inspector => {
            let inspectorates = radios([
                (Inspectorate::Ofsted, "inspectorate-ofsted".to_owned(), "Ofsted"),
                (Inspectorate::Cqc, "inspectorate-cqc".to_owned(), "Care Quality Commission (CQC)"),
            ]);
            view! {
                <RegionField fields regions label="Home region" form />
                <Radios legend="Inspectorate" name="inspectorate" options=inspectorates value=fields.inspectorate form />
                <Checkbox id="social-care" label="Social care specialism (Ofsted inspectors)" value=fields.social_care />
            }
            .into_any()
        }
        Role::RecipientBody => {
            let bodies = radios([
                (RecipientBody::Dfe, "recipient-body-dfe".to_owned(), "Department for Education (DfE)"),
                (RecipientBody::NhsEngland, "recipient-body-nhs-england".to_owned(), "NHS England"),
            ]);
            view! { <Radios legend="Recipient body" name="recipient-body" options=bodies value=fields.recipient_body form /> }
                .into_any()
        }
        Role::NationalPlanner | Role::Administrator | Role::Unspecified => ().into_any(),
    }
}

/// A region, chosen from the list of regions (or typed as a code if the list cannot be read).
#[component]
fn RegionField(
    fields: NewPerson,
    regions: LocalResource<Result<Vec<Region>, ApiError>>,
    label: &'static str,
    form: FormState,
) -> impl IntoView {
    move || match regions.get() {
        Some(Err(_)) => view! {
            <TextInput
                id="region-code"
                label=label
                hint="The ONS region code, for example E13000001 for Inner London"
                value=fields.region_code
                width="govuk-!-width-one-half"
                form
            />
        }
        .into_any(),
        listed => {
            let choices: Vec<crate::components::Choice<String>> = listed
                .and_then(Result::ok)
                .unwrap_or_default()
                .into_iter()
                .map(|region| (region.code.clone(), region.code, region.name))
                .collect();
            view! {
                <Select
                    id="region-code"
                    label=label
                    choices=Signal::stored(choices)
                    value=fields.region_code
                    placeholder=("Choose a region", String::new())
                    form
                />
            }
            .into_any()
        }
    }
}
