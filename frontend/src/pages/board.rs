//! The regional board: a region's engagements in an academic year, week by week, with their
//! state, notice, onsite days and team. Regional leads see their own region; national planners
//! choose one (or all of England).

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};
use proto::pb::{Engagement, EngagementState, Role};

use crate::{
    api,
    components::{EngagementStateTag, ErrorSummary, Loading, set_title},
    format::{
        ENGAGEMENT_STATES, academic_year_label, current_academic_year, date_label, engagement_kind_label,
        engagement_state_label, range_label, team_role_label, week_of,
    },
    session::use_session,
};

/// The board: filters, counts by state and the engagements table.
#[component]
pub(crate) fn BoardPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let person = session.person();
    let is_planner = person.as_ref().is_some_and(|p| p.role() == Role::NationalPlanner);
    let own_region = person.as_ref().filter(|_| !is_planner).map(|p| p.scope_label.clone());
    // Planners may arrive with a region chosen (`?region=`); leads always see their own.
    let region = RwSignal::new(if is_planner {
        query.read_untracked().get("region").unwrap_or_default()
    } else {
        String::new()
    });
    let year = RwSignal::new(0_i32);
    let state = RwSignal::new(EngagementState::Unspecified);
    let engagements = LocalResource::new(move || api::list_engagements(region.get(), year.get()));
    let regions = LocalResource::new(move || async move {
        if is_planner { api::list_regions().await } else { Ok(Vec::new()) }
    });
    let region_name = move || {
        if let Some(own) = own_region.clone() {
            return own;
        }
        let code = region.get();
        if code.is_empty() {
            return "England".to_owned();
        }
        regions
            .get()
            .and_then(Result::ok)
            .and_then(|list| list.into_iter().find(|r| r.code == code).map(|r| r.name))
            .unwrap_or_else(|| "Region".to_owned())
    };
    let heading = Signal::derive(move || format!("Programme: {}", region_name()));
    Effect::new(move || set_title(&heading.get()));
    let schedule_href = move || {
        let code = region.get();
        if is_planner && !code.is_empty() {
            format!("/engagements/new?region={code}")
        } else {
            "/engagements/new".to_owned()
        }
    };
    let this_year = current_academic_year();
    view! {
        <h1 class="govuk-heading-l" data-testid="board-title">{heading}</h1>
        <p class="govuk-body">
            "Inspections, interim visits and engagement meetings in the academic year, by week of the first onsite day. Proposed engagements are not yet known to the local area."
        </p>
        <A href=schedule_href attr:class="govuk-button" attr:data-testid="schedule-engagement">
            "Schedule an engagement"
        </A>
        <div class="app-filters">
            {is_planner
                .then(|| {
                    view! {
                        {move || regions.get().and_then(Result::err).map(|error| view! { <ErrorSummary error /> })}
                        <div class="govuk-form-group">
                            <label class="govuk-label" for="board-region">"Region"</label>
                            <select
                                class="govuk-select"
                                id="board-region"
                                name="board-region"
                                on:change=move |ev| region.set(event_target_value(&ev))
                            >
                                <option value="" prop:selected=move || region.get().is_empty()>"All of England"</option>
                                {move || {
                                    regions
                                        .get()
                                        .and_then(Result::ok)
                                        .unwrap_or_default()
                                        .into_iter()
                                        .map(|r| {
                                            let code = r.code.clone();
                                            view! {
                                                <option value=r.code prop:selected=move || region.get() == code>
                                                    {r.name}
                                                </option>
                                            }
                                        })
                                        .collect_view()
                                }}
                            </select>
                        </div>
                    }
                })}
            <div class="govuk-form-group">
                <label class="govuk-label" for="board-year">"Academic year"</label>
                <select
                    class="govuk-select"
                    id="board-year"
                    name="board-year"
                    on:change=move |ev| year.set(event_target_value(&ev).parse().unwrap_or_default())
                >
                    <option value="0" prop:selected=move || year.get() == 0>"This academic year"</option>
                    {(this_year - 2..=this_year + 2)
                        .map(|y| {
                            view! {
                                <option value=y.to_string() prop:selected=move || year.get() == y>
                                    {academic_year_label(y)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="govuk-form-group">
                <label class="govuk-label" for="board-state">"Show engagements that are"</label>
                <select
                    class="govuk-select"
                    id="board-state"
                    name="board-state"
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        state
                            .set(
                                ENGAGEMENT_STATES
                                    .into_iter()
                                    .find(|(_, name)| *name == value)
                                    .map_or(EngagementState::Unspecified, |(s, _)| s),
                            );
                    }
                >
                    <option value="" prop:selected=move || state.get() == EngagementState::Unspecified>
                        "In any state"
                    </option>
                    {ENGAGEMENT_STATES
                        .into_iter()
                        .map(|(option, name)| {
                            view! {
                                <option value=name prop:selected=move || state.get() == option>
                                    {engagement_state_label(option)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
        </div>
        {move || match engagements.get() {
            None => view! { <Loading what="engagements" /> }.into_any(),
            Some(Err(error)) => view! { <ErrorSummary error /> }.into_any(),
            Some(Ok(list)) => {
                let counts = view! { <StateCounts engagements=list.clone() /> };
                let chosen = state.get();
                let shown: Vec<Engagement> = list
                    .into_iter()
                    .filter(|e| chosen == EngagementState::Unspecified || e.state() == chosen)
                    .collect();
                let table = if shown.is_empty() {
                    view! {
                        <p class="govuk-body" data-testid="no-engagements">
                            "No engagements match. Schedule one, or choose another year or state."
                        </p>
                    }
                        .into_any()
                } else {
                    view! { <EngagementsTable engagements=shown all_regions=is_planner && region.get().is_empty() /> }
                        .into_any()
                };
                view! {
                    {counts}
                    {table}
                }
                    .into_any()
            }
        }}
    }
}

/// How many engagements are in each state, as a GOV.UK summary list.
#[component]
fn StateCounts(engagements: Vec<Engagement>) -> impl IntoView {
    let items = ENGAGEMENT_STATES
        .into_iter()
        .map(|(state, name)| {
            let count = engagements.iter().filter(|e| e.state() == state).count();
            view! {
                <li data-state=name>
                    <EngagementStateTag state />
                    " "
                    <span data-testid="state-count">{count}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <h2 class="govuk-heading-m">"By state"</h2>
        <ul class="govuk-list app-state-counts" data-testid="state-counts">{items}</ul>
    }
}

/// One row per engagement, by week of the first onsite day.
#[component]
fn EngagementsTable(engagements: Vec<Engagement>, all_regions: bool) -> impl IntoView {
    let caption = match engagements.len() {
        1 => "1 engagement".to_owned(),
        n => format!("{n} engagements"),
    };
    let rows = engagements
        .into_iter()
        .map(|e| {
            let state = e.state();
            let onsite = e.onsite.clone().unwrap_or_default();
            let week = format!("Week of {}", date_label(&week_of(&onsite.first_day)));
            let notification =
                e.timeline.as_ref().map_or_else(|| "No notice".to_owned(), |t| date_label(&t.notification_date));
            let team = if e.team.is_empty() {
                view! { "None yet" }.into_any()
            } else {
                view! {
                    <ul class="govuk-list govuk-body-s">
                        {e
                            .team
                            .iter()
                            .map(|m| view! { <li>{format!("{} ({})", m.name, team_role_label(m.role()))}</li> })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            };
            let area = if all_regions {
                format!("{}, {}", e.local_area_name, e.region_name)
            } else {
                e.local_area_name.clone()
            };
            view! {
                <tr class="govuk-table__row" data-engagement=e.id.clone()>
                    <td class="govuk-table__cell">{week}</td>
                    <th scope="row" class="govuk-table__header">
                        <A href=format!("/engagements/{}", e.id) attr:class="govuk-link">{area}</A>
                    </th>
                    <td class="govuk-table__cell">{engagement_kind_label(e.kind())}</td>
                    <td class="govuk-table__cell"><EngagementStateTag state /></td>
                    <td class="govuk-table__cell">{notification}</td>
                    <td class="govuk-table__cell">{range_label(Some(&onsite))}</td>
                    <td class="govuk-table__cell">{team}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="govuk-table govuk-table--small-text-until-tablet" data-testid="engagements">
            <caption class="govuk-table__caption govuk-table__caption--m">{caption}</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"Week"</th>
                    <th scope="col" class="govuk-table__header">"Local area"</th>
                    <th scope="col" class="govuk-table__header">"Kind"</th>
                    <th scope="col" class="govuk-table__header">"State"</th>
                    <th scope="col" class="govuk-table__header">"Notification"</th>
                    <th scope="col" class="govuk-table__header">"Onsite"</th>
                    <th scope="col" class="govuk-table__header">"Team"</th>
                </tr>
            </thead>
            <tbody class="govuk-table__body">{rows}</tbody>
        </table>
    }
}
