//! Accounts, for administrators: everyone who can sign in, ending their sessions, and creating
//! accounts.

use leptos::{ev::SubmitEvent, prelude::*};
use proto::pb::{CreatePersonRequest, Inspectorate, Person, RecipientBody, Region, Role};

use crate::{
    api::{self, ApiError},
    components::{ErrorSummary, Loading, NotificationBanner, set_title},
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

/// The people table, its "Revoke sessions" buttons and the "Create an account" form. What
/// happened last (sessions ended, an account created, or the server's refusal) shows at the top.
#[component]
pub(crate) fn AccountsPage() -> impl IntoView {
    set_title("Accounts");
    let people = LocalResource::new(api::list_people);
    let regions = LocalResource::new(api::list_regions);
    let notice = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let revoke = Action::new_local(move |person_id: &String| {
        let person_id = person_id.clone();
        async move {
            match api::revoke_sessions(person_id).await {
                Ok(revoked) => {
                    error.set(None);
                    notice.set(Some(format!("Sessions ended: {revoked}")));
                }
                Err(e) => {
                    notice.set(None);
                    error.set(Some(e));
                }
            }
        }
    });
    let form = NewPerson::default();
    let create = Action::new_local(move |request: &CreatePersonRequest| {
        let request = request.clone();
        async move {
            match api::create_person(request).await {
                Ok(person) => {
                    error.set(None);
                    notice.set(Some(format!(
                        "Account created for {} ({})",
                        person.display_name, person.username
                    )));
                    form.clear();
                    people.refetch();
                }
                Err(e) => {
                    notice.set(None);
                    error.set(Some(e));
                }
            }
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        create.dispatch(form.request());
    };
    view! {
        {move || notice.get().map(|text| view! { <NotificationBanner text success=true /> })}
        {move || error.get().map(|error| view! { <ErrorSummary error /> })}
        <h1 class="govuk-heading-l" data-testid="start-page">"Accounts"</h1>
        {move || match people.get() {
            None => view! { <Loading what="people" /> }.into_any(),
            Some(Err(error)) => view! { <ErrorSummary error /> }.into_any(),
            Some(Ok(list)) => view! {
                <PeopleTable
                    people=list.people
                    more=!list.next_page_token.is_empty()
                    on_revoke=Callback::new(move |id: String| {
                        revoke.dispatch(id);
                    })
                    busy=revoke.pending()
                />
            }
                .into_any(),
        }}
        <h2 class="govuk-heading-m">"Create an account"</h2>
        <form novalidate on:submit=on_submit data-testid="create-person">
            <TextField id="new-username" label="Username" value=form.username autocomplete="off" />
            <TextField id="new-display-name" label="Full name" value=form.display_name autocomplete="off" />
            <TextField
                id="new-password"
                label="Password"
                hint="At least 12 characters. Do not use a commonly used password."
                value=form.password
                kind="password"
                autocomplete="new-password"
            />
            <div class="govuk-form-group">
                <fieldset class="govuk-fieldset">
                    <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">"Role"</legend>
                    <div class="govuk-radios govuk-radios--small">
                        {ROLES
                            .into_iter()
                            .map(|(role, suffix)| {
                                let id = format!("role-{suffix}");
                                view! {
                                    <div class="govuk-radios__item">
                                        <input
                                            class="govuk-radios__input"
                                            id=id.clone()
                                            name="role"
                                            type="radio"
                                            value=suffix
                                            prop:checked=move || form.role.get() == role
                                            on:change=move |_| form.role.set(role)
                                        />
                                        <label class="govuk-label govuk-radios__label" for=id>
                                            {role_label(role)}
                                        </label>
                                    </div>
                                }
                            })
                            .collect_view()}
                    </div>
                </fieldset>
            </div>
            <ScopeFields form regions />
            <button type="submit" class="govuk-button" data-testid="create" disabled=create.pending()>
                "Create account"
            </button>
        </form>
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
            view! {
                <tr class="govuk-table__row" data-username=person.username.clone()>
                    <th scope="row" class="govuk-table__header">{person.username.clone()}</th>
                    <td class="govuk-table__cell">{person.display_name}</td>
                    <td class="govuk-table__cell">{role}</td>
                    <td class="govuk-table__cell">{person.scope_label}</td>
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
        <table class="govuk-table" data-testid="people">
            <caption class="govuk-table__caption govuk-table__caption--m">"People who can sign in"</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"Username"</th>
                    <th scope="col" class="govuk-table__header">"Name"</th>
                    <th scope="col" class="govuk-table__header">"Role"</th>
                    <th scope="col" class="govuk-table__header">"Scope"</th>
                    <th scope="col" class="govuk-table__header">"Sessions"</th>
                </tr>
            </thead>
            <tbody class="govuk-table__body">{rows}</tbody>
        </table>
        {more.then(|| view! { <p class="govuk-body">"Only the first 200 people are shown."</p> })}
    }
}

/// The "Create an account" form's values.
#[derive(Debug, Clone, Copy)]
struct NewPerson {
    username: RwSignal<String>,
    display_name: RwSignal<String>,
    password: RwSignal<String>,
    role: RwSignal<Role>,
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
    /// The request for the form's values. Only the chosen role's scope fields are sent (the
    /// others are hidden); the server checks everything and names any bad field.
    fn request(&self) -> CreatePersonRequest {
        let role = self.role.get_untracked();
        let mut request = CreatePersonRequest {
            username: self.username.get_untracked().trim().to_owned(),
            display_name: self.display_name.get_untracked().trim().to_owned(),
            password: self.password.get_untracked(),
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
        self.role.set(Role::Unspecified);
        self.region_code.set(String::new());
        self.local_area_code.set(String::new());
        self.inspectorate.set(Inspectorate::Unspecified);
        self.social_care.set(false);
        self.recipient_body.set(RecipientBody::Unspecified);
    }
}

/// A labelled GOV.UK text input bound to a signal.
#[component]
fn TextField(
    /// The input's id and name.
    id: &'static str,
    label: &'static str,
    /// The signal the input reads and writes.
    value: RwSignal<String>,
    /// A hint under the label.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// The input's type; "text" unless given.
    #[prop(optional)]
    kind: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
) -> impl IntoView {
    let hint_id = hint.map(|_| format!("{id}-hint"));
    view! {
        <div class="govuk-form-group">
            <label class="govuk-label" for=id>{label}</label>
            {hint.map(|hint| view! { <div class="govuk-hint" id=format!("{id}-hint")>{hint}</div> })}
            <input
                class="govuk-input govuk-!-width-one-half"
                id=id
                name=id
                type=kind.unwrap_or("text")
                spellcheck="false"
                autocomplete=autocomplete
                aria-describedby=hint_id
                prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </div>
    }
}

/// The scope fields the chosen role needs: a region, a local area, an inspectorate or a
/// recipient body.
#[component]
fn ScopeFields(form: NewPerson, regions: LocalResource<Result<Vec<Region>, ApiError>>) -> impl IntoView {
    move || match form.role.get() {
        Role::RegionalLead => view! { <RegionField form regions label="Region" /> }.into_any(),
        Role::LocalAreaUser => view! {
            <TextField
                id="local-area-code"
                label="Local area ONS code"
                hint="For example E09000007 for Camden"
                value=form.local_area_code
                autocomplete="off"
            />
        }
        .into_any(),
        Role::Inspector => view! {
            <RegionField form regions label="Home region" />
            <Choice
                legend="Inspectorate"
                name="inspectorate"
                options=vec![
                    (Inspectorate::Ofsted, "inspectorate-ofsted", "Ofsted"),
                    (Inspectorate::Cqc, "inspectorate-cqc", "Care Quality Commission (CQC)"),
                ]
                value=form.inspectorate
            />
            <div class="govuk-form-group">
                <div class="govuk-checkboxes govuk-checkboxes--small">
                    <div class="govuk-checkboxes__item">
                        <input
                            class="govuk-checkboxes__input"
                            id="social-care"
                            name="social-care"
                            type="checkbox"
                            prop:checked=form.social_care
                            on:change=move |ev| form.social_care.set(event_target_checked(&ev))
                        />
                        <label class="govuk-label govuk-checkboxes__label" for="social-care">
                            "Social care specialism (Ofsted inspectors)"
                        </label>
                    </div>
                </div>
            </div>
        }
        .into_any(),
        Role::RecipientBody => view! {
            <Choice
                legend="Recipient body"
                name="recipient-body"
                options=vec![
                    (RecipientBody::Dfe, "recipient-body-dfe", "Department for Education (DfE)"),
                    (RecipientBody::NhsEngland, "recipient-body-nhs-england", "NHS England"),
                ]
                value=form.recipient_body
            />
        }
        .into_any(),
        Role::NationalPlanner | Role::Administrator | Role::Unspecified => ().into_any(),
    }
}

/// A region, chosen from the list of regions (or typed as a code if the list cannot be read).
#[component]
fn RegionField(
    form: NewPerson,
    regions: LocalResource<Result<Vec<Region>, ApiError>>,
    label: &'static str,
) -> impl IntoView {
    move || match regions.get() {
        Some(Err(_)) => view! {
            <TextField
                id="region-code"
                label=label
                hint="The ONS region code, for example E13000001 for Inner London"
                value=form.region_code
                autocomplete="off"
            />
        }
        .into_any(),
        listed => {
            let options = listed
                .and_then(Result::ok)
                .unwrap_or_default()
                .into_iter()
                .map(|region| {
                    let code = region.code.clone();
                    let selected = move || form.region_code.get() == code;
                    view! { <option value=region.code prop:selected=selected>{region.name}</option> }
                })
                .collect_view();
            view! {
                <div class="govuk-form-group">
                    <label class="govuk-label" for="region-code">{label}</label>
                    <select
                        class="govuk-select"
                        id="region-code"
                        name="region-code"
                        on:change=move |ev| form.region_code.set(event_target_value(&ev))
                    >
                        <option value="" prop:selected=move || form.region_code.get().is_empty()>
                            "Choose a region"
                        </option>
                        {options}
                    </select>
                </div>
            }
            .into_any()
        }
    }
}

/// GOV.UK radios choosing one value of an enum.
#[component]
fn Choice<T>(
    legend: &'static str,
    name: &'static str,
    /// (value, input id, label).
    options: Vec<(T, &'static str, &'static str)>,
    value: RwSignal<T>,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    view! {
        <div class="govuk-form-group">
            <fieldset class="govuk-fieldset">
                <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>
                <div class="govuk-radios govuk-radios--small">
                    {options
                        .into_iter()
                        .map(|(option, id, text)| {
                            view! {
                                <div class="govuk-radios__item">
                                    <input
                                        class="govuk-radios__input"
                                        id=id
                                        name=name
                                        type="radio"
                                        value=id
                                        prop:checked=move || value.get() == option
                                        on:change=move |_| value.set(option)
                                    />
                                    <label class="govuk-label govuk-radios__label" for=id>{text}</label>
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </div>
    }
}
