//! The inspectors (national planners, regional leads): who they are, when they cannot work and
//! where they may not inspect; adding one, a period of unavailability or a conflict of interest.

use leptos::{ev::SubmitEvent, prelude::*};
use proto::pb::{CreateInspectorRequest, DateRange, Inspector, Inspectorate, Region, Role};

use crate::{
    api::{self, ApiError},
    components::{
        DateInput, DateValue, ErrorSummary, Loading, NotificationBanner, Radios, TextArea, TextInput,
        set_title,
    },
    format::{inspectorate_label, range_label},
    session::use_session,
};

/// Inspectors as the server answered, shared by the table and the forms.
type Inspectors = LocalResource<Result<Vec<Inspector>, ApiError>>;

/// What a form did, for the banner at the top.
type Done = Callback<String>;

/// A region's name by its code, or the code.
fn region_name(regions: &[Region], code: &str) -> String {
    regions.iter().find(|r| r.code == code).map_or_else(|| code.to_owned(), |r| r.name.clone())
}

/// The inspectors table and the three forms.
#[component]
pub(crate) fn InspectorsPage() -> impl IntoView {
    set_title("Inspectors");
    let inspectors: Inspectors = LocalResource::new(api::list_inspectors);
    let regions = LocalResource::new(api::list_regions);
    let notice = RwSignal::new(None::<String>);
    let done = Callback::new(move |text: String| {
        notice.set(Some(text));
        inspectors.refetch();
    });
    let table = move || match inspectors.get() {
        None => view! { <Loading what="inspectors" /> }.into_any(),
        Some(Err(error)) => view! { <ErrorSummary error /> }.into_any(),
        Some(Ok(list)) if list.is_empty() => {
            view! { <p class="govuk-body" data-testid="no-inspectors">"There are no inspectors yet."</p> }
                .into_any()
        }
        Some(Ok(list)) => {
            let regions = regions.get().and_then(Result::ok).unwrap_or_default();
            view! { <InspectorsTable inspectors=list regions /> }.into_any()
        }
    };
    view! {
        {move || notice.get().map(|text| view! { <NotificationBanner text success=true /> })}
        <h1 class="govuk-heading-l">"Inspectors"</h1>
        <p class="govuk-body">
            "Teams are chosen from these inspectors. SEND Planner refuses a team with an inspector who is unavailable, double booked, over their limit for the term or conflicted with the local area."
        </p>
        {table}
        <NewInspectorForm regions done />
        <UnavailabilityForm inspectors done />
        <ConflictForm inspectors done />
    }
}

/// One row per inspector.
#[component]
fn InspectorsTable(inspectors: Vec<Inspector>, regions: Vec<Region>) -> impl IntoView {
    let caption = match inspectors.len() {
        1 => "1 inspector".to_owned(),
        n => format!("{n} inspectors"),
    };
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
                            .map(|c| view! { <li>{format!("{}: {}", c.local_area_code, c.reason)}</li> })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            };
            view! {
                <tr class="govuk-table__row" data-inspector=i.id.clone()>
                    <th scope="row" class="govuk-table__header">{i.name.clone()}</th>
                    <td class="govuk-table__cell">{inspectorate_label(i.inspectorate())}</td>
                    <td class="govuk-table__cell">{if i.social_care { "Yes" } else { "No" }}</td>
                    <td class="govuk-table__cell">{region_name(&regions, &i.home_region_code)}</td>
                    <td class="govuk-table__cell govuk-table__cell--numeric">{i.max_engagements_per_term}</td>
                    <td class="govuk-table__cell">{unavailable}</td>
                    <td class="govuk-table__cell">{conflicts}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="govuk-table govuk-table--small-text-until-tablet" data-testid="inspectors">
            <caption class="govuk-table__caption govuk-table__caption--m">{caption}</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"Name"</th>
                    <th scope="col" class="govuk-table__header">"Inspectorate"</th>
                    <th scope="col" class="govuk-table__header">"Social care"</th>
                    <th scope="col" class="govuk-table__header">"Home region"</th>
                    <th scope="col" class="govuk-table__header govuk-table__header--numeric">"Most engagements a term"</th>
                    <th scope="col" class="govuk-table__header">"Unavailable"</th>
                    <th scope="col" class="govuk-table__header">"Conflicts of interest"</th>
                </tr>
            </thead>
            <tbody class="govuk-table__body">{rows}</tbody>
        </table>
    }
}

/// A select of the inspectors, for the unavailability and conflict forms.
#[component]
fn InspectorSelect(id: &'static str, inspectors: Inspectors, value: RwSignal<String>) -> impl IntoView {
    let options = move || {
        inspectors
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|i| {
                let code = i.id.clone();
                view! { <option value=i.id prop:selected=move || value.get() == code>{i.name}</option> }
            })
            .collect_view()
    };
    view! {
        <div class="govuk-form-group">
            <label class="govuk-label" for=id>"Inspector"</label>
            <select class="govuk-select" id=id name=id on:change=move |ev| value.set(event_target_value(&ev))>
                <option value="" prop:selected=move || value.get().is_empty()>"Choose an inspector"</option>
                {options}
            </select>
        </div>
    }
}

/// Adds an inspector.
#[component]
fn NewInspectorForm(regions: LocalResource<Result<Vec<Region>, ApiError>>, done: Done) -> impl IntoView {
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
    let error = RwSignal::new(None::<ApiError>);
    let submit = Action::new_local(move |(): &()| {
        let request = CreateInspectorRequest {
            name: name.get_untracked().trim().to_owned(),
            inspectorate: inspectorate.get_untracked().into(),
            social_care: social_care.get_untracked(),
            home_region_code: home_region.get_untracked(),
            // Not a number: 0, which the server names as out of range.
            max_engagements_per_term: max.get_untracked().trim().parse().unwrap_or_default(),
            ..Default::default()
        };
        async move {
            match api::create_inspector(request).await {
                Ok(created) => {
                    error.set(None);
                    name.set(String::new());
                    social_care.set(false);
                    done.run(format!("{} is added to the inspectors.", created.name));
                }
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    let inspectorates = vec![
        (Inspectorate::Ofsted, "inspectorate-ofsted".to_owned(), "Ofsted".to_owned(), None),
        (Inspectorate::Cqc, "inspectorate-cqc".to_owned(), "Care Quality Commission (CQC)".to_owned(), None),
    ];
    let region_options = move || {
        regions
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                let code = r.code.clone();
                view! { <option value=r.code prop:selected=move || home_region.get() == code>{r.name}</option> }
            })
            .collect_view()
    };
    view! {
        <section class="app-action" data-testid="new-inspector-form" aria-labelledby="new-inspector-heading">
            <h2 class="govuk-heading-m" id="new-inspector-heading">"Add an inspector"</h2>
            {move || error.get().map(|error| view! { <ErrorSummary error /> })}
            <form novalidate on:submit=on_submit>
                <TextInput id="inspector-name" label="Full name" value=name autocomplete="off" />
                <Radios legend="Inspectorate" name="inspectorate" options=inspectorates value=inspectorate />
                <div class="govuk-form-group">
                    <div class="govuk-checkboxes govuk-checkboxes--small">
                        <div class="govuk-checkboxes__item">
                            <input
                                class="govuk-checkboxes__input"
                                id="inspector-social-care"
                                name="inspector-social-care"
                                type="checkbox"
                                prop:checked=social_care
                                on:change=move |ev| social_care.set(event_target_checked(&ev))
                            />
                            <label class="govuk-label govuk-checkboxes__label" for="inspector-social-care">
                                "Social care specialism (Ofsted inspectors)"
                            </label>
                        </div>
                    </div>
                </div>
                <div class="govuk-form-group">
                    <label class="govuk-label" for="inspector-home-region">"Home region"</label>
                    <select
                        class="govuk-select"
                        id="inspector-home-region"
                        name="inspector-home-region"
                        on:change=move |ev| home_region.set(event_target_value(&ev))
                    >
                        <option value="" prop:selected=move || home_region.get().is_empty()>"Choose a region"</option>
                        {region_options}
                    </select>
                </div>
                <TextInput
                    id="inspector-max"
                    label="Most engagements in a term"
                    hint="Between 1 and 30"
                    value=max
                    width="govuk-input--width-3"
                    inputmode="numeric"
                />
                <button type="submit" class="govuk-button" data-testid="add-inspector" disabled=submit.pending()>
                    "Add the inspector"
                </button>
            </form>
        </section>
    }
}

/// Records days an inspector cannot work.
#[component]
fn UnavailabilityForm(inspectors: Inspectors, done: Done) -> impl IntoView {
    let inspector = RwSignal::new(String::new());
    let from = DateValue::new();
    let to = DateValue::new();
    let error = RwSignal::new(None::<ApiError>);
    let submit = Action::new_local(move |(): &()| {
        let id = inspector.get_untracked();
        let period = DateRange { first_day: from.iso(), last_day: to.iso() };
        async move {
            // Nobody chosen: the server answers that there is no such inspector.
            match api::add_unavailability(id, period).await {
                Ok(updated) => {
                    error.set(None);
                    done.run(format!("The unavailability of {} is recorded.", updated.name));
                }
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    view! {
        <section class="app-action" data-testid="unavailability-form" aria-labelledby="unavailability-heading">
            <h2 class="govuk-heading-m" id="unavailability-heading">"Add a period of unavailability"</h2>
            {move || error.get().map(|error| view! { <ErrorSummary error /> })}
            <form novalidate on:submit=on_submit>
                <InspectorSelect id="unavailable-inspector" inspectors value=inspector />
                <DateInput id="unavailable-first-day" legend="First day unavailable" value=from />
                <DateInput id="unavailable-last-day" legend="Last day unavailable" value=to />
                <button
                    type="submit"
                    class="govuk-button govuk-button--secondary"
                    data-testid="add-unavailability"
                    disabled=submit.pending()
                >
                    "Add the period"
                </button>
            </form>
        </section>
    }
}

/// Declares an inspector's conflict of interest with a local area.
#[component]
fn ConflictForm(inspectors: Inspectors, done: Done) -> impl IntoView {
    let inspector = RwSignal::new(String::new());
    let area = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let submit = Action::new_local(move |(): &()| {
        let (id, area_code, why) = (
            inspector.get_untracked(),
            area.get_untracked().trim().to_uppercase(),
            reason.get_untracked().trim().to_owned(),
        );
        async move {
            match api::declare_conflict(id, area_code, why).await {
                Ok(updated) => {
                    error.set(None);
                    area.set(String::new());
                    reason.set(String::new());
                    done.run(format!("The conflict of interest of {} is recorded.", updated.name));
                }
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    view! {
        <section class="app-action" data-testid="conflict-form" aria-labelledby="conflict-heading">
            <h2 class="govuk-heading-m" id="conflict-heading">"Declare a conflict of interest"</h2>
            {move || error.get().map(|error| view! { <ErrorSummary error /> })}
            <form novalidate on:submit=on_submit>
                <InspectorSelect id="conflict-inspector" inspectors value=inspector />
                <TextInput
                    id="conflict-area"
                    label="Local area's ONS code"
                    hint="For example, E09000007 for Camden"
                    value=area
                    width="govuk-input--width-10"
                />
                <TextArea id="conflict-reason" label="Reason" hint="For example, a close relative works there" value=reason />
                <button
                    type="submit"
                    class="govuk-button govuk-button--secondary"
                    data-testid="declare-conflict"
                    disabled=submit.pending()
                >
                    "Declare the conflict"
                </button>
            </form>
        </section>
    }
}
