//! The inspectors (national planners, regional leads): who they are, when they cannot work and
//! where they may not inspect; adding one, a period of unavailability or a conflict of interest.
//! An inspector sees the same page for their own record only ("My availability").

use leptos::prelude::*;
use proto::pb::{CreateInspectorRequest, DateRange, Inspector, InspectorAccount, Inspectorate, Region, Role};

use crate::{
    api::{self, ApiError},
    components::{
        ActionForm, AreaSelect, Checkbox, DateInput, DateValue, FormState, Loaded, NotificationBanner,
        Radios, RegionSelect, Select, SubmitButton, Table, TextArea, TextInput, columns, form_action, listed,
        nothing, set_title, settle,
    },
    format::{count, inspectorate_label, range_label},
    session::use_session,
};

/// Inspectors as the server answered, shared by the table and the forms.
type Inspectors = LocalResource<Result<Vec<Inspector>, ApiError>>;

/// Inspector accounts not linked to an entry yet, shared by the two forms that link one.
type Accounts = LocalResource<Result<Vec<InspectorAccount>, ApiError>>;

/// The choices of a select of accounts: each by name and username.
fn account_choices(accounts: Accounts) -> Signal<Vec<crate::components::Choice<String>>> {
    listed(accounts, |a| (a.person_id, a.label))
}

/// What a form did, for the banner at the top.
type Done = Callback<String>;

/// A region's name by its code, or the code.
fn region_name(regions: &[Region], code: &str) -> String {
    regions.iter().find(|r| r.code == code).map_or_else(|| code.to_owned(), |r| r.name.clone())
}

/// The inspectors table and the three forms.
#[component]
pub(crate) fn InspectorsPage() -> impl IntoView {
    let own = use_session().person().is_some_and(|p| p.role() == Role::Inspector);
    let inspectors: Inspectors = LocalResource::new(api::list_inspectors);
    let regions = LocalResource::new(api::list_regions);
    // Only planners link accounts: an inspector's own page never asks for them.
    let accounts: Accounts = LocalResource::new(move || async move {
        if own { Ok(Vec::new()) } else { api::list_inspector_accounts().await }
    });
    let notice = RwSignal::new(None::<String>);
    let done = Callback::new(move |text: String| {
        notice.set(Some(text));
        inspectors.refetch();
        accounts.refetch();
    });
    // The entry the link form is for, chosen by a row's "Link to an account".
    let link_to = RwSignal::new(String::new());
    let table = move |list: Vec<Inspector>| {
        let regions = regions.get().and_then(Result::ok).unwrap_or_default();
        let link_to = (!own).then_some(link_to);
        view! { <InspectorsTable inspectors=list regions link_to /> }
    };
    // An inspector's own page: the same table and forms, for their record only, and no adding.
    let (heading, intro, what, empty) = if own {
        (
            "My availability",
            "Record the days you cannot work and the local areas you must not inspect. Planners and regional leads will not put you on a team then or there; regional leads see the days and the areas, not your reasons.",
            "your record",
            "You are not on the inspectors' list yet. Ask a national planner to add you.",
        )
    } else {
        (
            "Inspectors",
            "Teams are chosen from these inspectors. SEND Planner refuses a team with an inspector who is unavailable, double booked, over their limit for the term or conflicted with the local area.",
            "inspectors",
            "There are no inspectors yet.",
        )
    };
    set_title(heading);
    view! {
        {move || notice.get().map(|text| view! { <NotificationBanner text success=true /> })}
        <h1 class="govuk-heading-l">{heading}</h1>
        <p class="govuk-body">{intro}</p>
        <Loaded
            resource=inspectors
            what=what
            is_empty=Vec::is_empty
            empty=nothing("no-inspectors", empty)
            show=table
        />
        {(!own).then(|| view! { <NewInspectorForm regions accounts done /> })}
        {(!own).then(|| view! { <LinkAccountForm inspectors accounts inspector=link_to done /> })}
        <UnavailabilityForm inspectors done />
        <ConflictForm inspectors done />
    }
}

/// One row per inspector.
#[component]
fn InspectorsTable(
    inspectors: Vec<Inspector>,
    regions: Vec<Region>,
    /// For planners: the link form's choice, which a row's "Link to an account" sets.
    link_to: Option<RwSignal<String>>,
) -> impl IntoView {
    let caption = count(inspectors.len(), "inspector", "inspectors");
    let rows = inspectors
        .into_iter()
        .map(|i| {
            let unavailable = if i.unavailable.is_empty() {
                view! { "None" }.into_any()
            } else {
                view! {
                    <ul class="govuk-list govuk-body-s">
                        {i.unavailable.iter().map(|r| view! { <li>{range_label(Some(r))}</li> }).collect_view()}
                    </ul>
                }
                .into_any()
            };
            let conflicts = if i.conflicts.is_empty() {
                view! { "None" }.into_any()
            } else {
                view! {
                    <ul class="govuk-list govuk-body-s">
                        {i
                            .conflicts
                            .iter()
                            .map(|c| {
                                let text = if c.reason.is_empty() {
                                    c.local_area_name.clone()
                                } else {
                                    format!("{}: {}", c.local_area_name, c.reason)
                                };
                                view! { <li>{text}</li> }
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            };
            let account = link_to.map(|link_to| {
                let cell = if i.account_label.is_empty() {
                    let (id, name) = (i.id.clone(), i.name.clone());
                    view! {
                        "Not linked "
                        <a
                            href="#link-form-heading"
                            class="govuk-link app-block"
                            data-testid="link-account"
                            on:click=move |_| link_to.set(id.clone())
                        >
                            "Link to an account"
                            <span class="govuk-visually-hidden">{format!(" for {name}")}</span>
                        </a>
                    }
                    .into_any()
                } else {
                    view! { {i.account_label.clone()} }.into_any()
                };
                view! { <td class="govuk-table__cell">{cell}</td> }
            });
            view! {
                <tr class="govuk-table__row" data-inspector=i.id.clone()>
                    <th scope="row" class="govuk-table__header">{i.name.clone()}</th>
                    <td class="govuk-table__cell">{inspectorate_label(i.inspectorate())}</td>
                    <td class="govuk-table__cell">{if i.social_care { "Yes" } else { "No" }}</td>
                    <td class="govuk-table__cell">{region_name(&regions, &i.home_region_code)}</td>
                    <td class="govuk-table__cell govuk-table__cell--numeric">{i.max_engagements_per_term}</td>
                    <td class="govuk-table__cell">{unavailable}</td>
                    <td class="govuk-table__cell">{conflicts}</td>
                    {account}
                </tr>
            }
        })
        .collect_view();
    let mut names = vec![
        "Name",
        "Inspectorate",
        "Social care",
        "Home region",
        "Most engagements a term",
        "Unavailable",
        "Conflicts of interest",
    ];
    if link_to.is_some() {
        names.push("Account");
    }
    view! {
        <Table testid="inspectors" caption columns=columns(&names) numeric=&[4] modifier="govuk-table--small-text-until-tablet">
            {rows}
        </Table>
    }
}

/// A select of the inspectors, for the unavailability and conflict forms.
#[component]
fn InspectorSelect(
    id: &'static str,
    inspectors: Inspectors,
    value: RwSignal<String>,
    form: FormState,
) -> impl IntoView {
    // An inspector's own page lists one record: it is the one chosen.
    Effect::new(move |_| {
        if let Some(Ok(list)) = inspectors.get()
            && let [only] = list.as_slice()
            && value.get_untracked().is_empty()
        {
            value.set(only.id.clone());
        }
    });
    view! {
        <Select
            id
            label="Inspector"
            choices=listed(inspectors, |i| (i.id, i.name))
            value
            placeholder=("Choose an inspector", String::new())
            form
        />
    }
}

/// Adds an inspector.
#[component]
fn NewInspectorForm(
    regions: LocalResource<Result<Vec<Region>, ApiError>>,
    accounts: Accounts,
    done: Done,
) -> impl IntoView {
    let form = FormState::new(&[
        ("person_id", "inspector-account", "The account"),
        ("name", "inspector-name", "The full name"),
        ("inspectorate", "inspectorate", "The inspectorate"),
        ("social_care", "inspector-social-care", "The social care specialism"),
        ("home_region_code", "inspector-home-region", "The home region"),
        ("max_engagements_per_term", "inspector-max", "The most engagements in a term"),
    ]);
    let session = use_session();
    // A regional lead's inspectors live in their region unless they say otherwise.
    let home = session
        .person()
        .filter(|p| p.role() == Role::RegionalLead)
        .map(|p| p.region_code)
        .unwrap_or_default();
    let name = RwSignal::new(String::new());
    let inspectorate = RwSignal::new(Inspectorate::Unspecified);
    let social_care = RwSignal::new(false);
    let home_region = RwSignal::new(home);
    let max = RwSignal::new("4".to_owned());
    let account = RwSignal::new(String::new());
    let submit = form_action(move || {
        let request = CreateInspectorRequest {
            name: name.get_untracked().trim().to_owned(),
            inspectorate: inspectorate.get_untracked().into(),
            social_care: social_care.get_untracked(),
            home_region_code: home_region.get_untracked(),
            // Not a number: 0, which the server names as out of range.
            max_engagements_per_term: max.get_untracked().trim().parse().unwrap_or_default(),
            person_id: account.get_untracked(),
        };
        settle(form, api::create_inspector(request), move |created| {
            name.set(String::new());
            social_care.set(false);
            account.set(String::new());
            done.run(format!("{} is added to the inspectors.", created.name));
        })
    });
    let inspectorates = vec![
        (Inspectorate::Ofsted, "inspectorate-ofsted".to_owned(), "Ofsted".to_owned(), None),
        (Inspectorate::Cqc, "inspectorate-cqc".to_owned(), "Care Quality Commission (CQC)".to_owned(), None),
    ];
    view! {
        <ActionForm testid="new-inspector-form" heading="Add an inspector" form submit>
            <TextInput id="inspector-name" label="Full name" value=name form />
            <Radios legend="Inspectorate" name="inspectorate" options=inspectorates value=inspectorate form />
            <Checkbox id="inspector-social-care" label="Social care specialism (Ofsted inspectors)" value=social_care />
            <Select
                id="inspector-home-region"
                label="Home region"
                choices=listed(regions, |r| (r.code, r.name))
                value=home_region
                placeholder=("Choose a region", String::new())
                form
            />
            <TextInput
                id="inspector-max"
                label="Most engagements in a term"
                hint="Between 1 and 30"
                value=max
                width="govuk-input--width-3"
                inputmode="numeric"
                form
            />
            <Select
                id="inspector-account"
                label="Their account"
                hint="So that they see their own visits when they sign in. Accounts with the role Inspector that are not linked to an inspector yet."
                choices=account_choices(accounts)
                value=account
                placeholder=("Not linked to an account yet", String::new())
                form
            />
            <SubmitButton submit testid="add-inspector" label="Add the inspector" />
        </ActionForm>
    }
}

/// Links an inspector's entry that has no account to their own account.
#[component]
fn LinkAccountForm(
    inspectors: Inspectors,
    accounts: Accounts,
    /// The entry chosen, here or by a row's "Link to an account".
    inspector: RwSignal<String>,
    done: Done,
) -> impl IntoView {
    let form = FormState::new(&[
        ("inspector_id", "link-inspector", "The inspector"),
        ("person_id", "link-account", "The account"),
    ]);
    let account = RwSignal::new(String::new());
    let unlinked = Signal::derive(move || {
        inspectors
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|i| i.account_label.is_empty())
            .map(|i| (i.id.clone(), i.id, i.name))
            .collect::<Vec<_>>()
    });
    let submit = form_action(move || {
        let id = inspector.get_untracked();
        let version = inspectors
            .get_untracked()
            .and_then(Result::ok)
            .and_then(|list| list.into_iter().find(|i| i.id == id).map(|i| i.version))
            .unwrap_or_default();
        // Nobody chosen: the server answers that there is no such inspector.
        settle(form, api::link_inspector_account(id, version, account.get_untracked()), move |linked| {
            inspector.set(String::new());
            account.set(String::new());
            done.run(format!("{} is linked to their account ({}).", linked.name, linked.account_label));
        })
    });
    // Nothing to link: no form.
    let any = Signal::derive(move || unlinked.with(|list| !list.is_empty()));
    move || {
        any.get().then(|| {
            view! {
                <ActionForm testid="link-form" heading="Link an inspector to their account" form submit reload=inspectors_reload(inspectors) what="the inspectors">
                    <Select
                        id="link-inspector"
                        label="Inspector"
                        hint="Inspectors not linked to an account yet"
                        choices=unlinked
                        value=inspector
                        placeholder=("Choose an inspector", String::new())
                        form
                    />
                    <Select
                        id="link-account"
                        label="Their account"
                        hint="Accounts with the role Inspector that are not linked to an inspector yet"
                        choices=account_choices(accounts)
                        value=account
                        placeholder=("Choose an account", String::new())
                        form
                    />
                    <SubmitButton submit testid="link-account-submit" label="Link the account" modifier="govuk-button--secondary" />
                </ActionForm>
            }
        })
    }
}

/// Reads the inspectors again (after someone else changed an entry meanwhile).
fn inspectors_reload(inspectors: Inspectors) -> Callback<()> {
    Callback::new(move |()| inspectors.refetch())
}

/// Records days an inspector cannot work.
#[component]
fn UnavailabilityForm(inspectors: Inspectors, done: Done) -> impl IntoView {
    let form = FormState::new(&[
        ("inspector_id", "unavailable-inspector", "The inspector"),
        ("period", "unavailable-first-day", "The period"),
        ("period.first_day", "unavailable-first-day", "The first day"),
        ("period.last_day", "unavailable-last-day", "The last day"),
    ]);
    let inspector = RwSignal::new(String::new());
    let from = DateValue::new();
    let to = DateValue::new();
    let submit = form_action(move || {
        let period = DateRange { first_day: from.iso(), last_day: to.iso() };
        // Nobody chosen: the server answers that there is no such inspector.
        settle(form, api::add_unavailability(inspector.get_untracked(), period), move |updated| {
            done.run(format!("The unavailability of {} is recorded.", updated.name));
        })
    });
    view! {
        <ActionForm testid="unavailability-form" heading="Add a period of unavailability" form submit>
            <InspectorSelect id="unavailable-inspector" inspectors value=inspector form />
            <DateInput id="unavailable-first-day" legend="First day unavailable" value=from form />
            <DateInput id="unavailable-last-day" legend="Last day unavailable" value=to form />
            <SubmitButton submit testid="add-unavailability" label="Add the period" modifier="govuk-button--secondary" />
        </ActionForm>
    }
}

/// Declares an inspector's conflict of interest with a local area.
#[component]
fn ConflictForm(inspectors: Inspectors, done: Done) -> impl IntoView {
    let form = FormState::new(&[
        ("inspector_id", "conflict-inspector", "The inspector"),
        ("local_area_code", "local-area", "The local area"),
        ("reason", "conflict-reason", "The reason"),
    ]);
    let inspector = RwSignal::new(String::new());
    let region = RwSignal::new(String::new());
    let area = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let submit = form_action(move || {
        let call = api::declare_conflict(
            inspector.get_untracked(),
            area.get_untracked(),
            reason.get_untracked().trim().to_owned(),
        );
        settle(form, call, move |updated| {
            area.set(String::new());
            reason.set(String::new());
            done.run(format!("The conflict of interest of {} is recorded.", updated.name));
        })
    });
    view! {
        <ActionForm testid="conflict-form" heading="Declare a conflict of interest" form submit>
            <InspectorSelect id="conflict-inspector" inspectors value=inspector form />
            <RegionSelect region_code=region local_area_code=area form />
            <AreaSelect region_code=region local_area_code=area form />
            <TextArea id="conflict-reason" label="Reason" hint="For example, a close relative works there" value=reason form />
            <SubmitButton submit testid="declare-conflict" label="Declare the conflict" modifier="govuk-button--secondary" />
        </ActionForm>
    }
}
