//! The regional board: a region's engagements in an academic year, week by week, with their
//! state, notice, onsite days and team. Regional leads see their own region; national planners
//! choose one (or all of England).

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};
use proto::pb::{Engagement, EngagementState, Role};

use crate::{
    api,
    components::{
        Choice, EngagementStateTag, ErrorSummary, Loaded, Select, Table, choices, columns, listed, set_title,
    },
    format::{
        ENGAGEMENT_STATES, academic_year_label, count, current_academic_year, date_label,
        engagement_kind_label, engagement_state_label, range_label, team_role_label, week_of,
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
    let years: Vec<Choice<i32>> =
        (this_year - 2..=this_year + 2).map(|y| (y, y.to_string(), academic_year_label(y))).collect();
    let states = choices(&ENGAGEMENT_STATES, engagement_state_label);
    let show = move |list: Vec<Engagement>| {
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
    };
    view! {
        <h1 class="govuk-heading-l" data-testid="board-title">{heading}</h1>
        <p class="govuk-body">
            "Inspections, interim visits and engagement meetings in the academic year, by week of the first onsite day. Proposed engagements are not yet known to the local area."
        </p>
        <div class="govuk-button-group">
            <A href=schedule_href attr:class="govuk-button" attr:data-testid="schedule-engagement">
                "Schedule an engagement"
            </A>
            <A href="/programme/proposal" attr:class="govuk-button govuk-button--secondary" attr:data-testid="propose-programme">
                "Propose a programme"
            </A>
        </div>
        <div class="app-filters">
            {is_planner
                .then(|| {
                    view! {
                        {move || regions.get().and_then(Result::err).map(|error| view! { <ErrorSummary error /> })}
                        <Select
                            id="board-region"
                            label="Region"
                            choices=listed(regions, |r| (r.code, r.name))
                            value=region
                            placeholder=("All of England", String::new())
                        />
                    }
                })}
            <Select id="board-year" label="Academic year" choices=years value=year placeholder=("This academic year", 0) />
            <Select
                id="board-state"
                label="Show engagements that are"
                choices=states
                value=state
                placeholder=("In any state", EngagementState::Unspecified)
            />
        </div>
        <Loaded resource=engagements what="engagements" show=show />
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
    let caption = count(engagements.len(), "engagement", "engagements");
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
    let names = ["Week", "Local area", "Kind", "State", "Notification", "Onsite", "Team"];
    view! {
        <Table testid="engagements" caption columns=columns(&names) modifier="govuk-table--small-text-until-tablet">
            {rows}
        </Table>
    }
}
