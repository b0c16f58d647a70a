//! One engagement: its facts, its notice and three weeks (inspections), its team and the
//! warnings about it, and what a national planner or the region's lead may do next: notify the
//! local area, assign the team, reschedule, postpone, record the outcome.
//!
//! An engagement the person may not see answers NOT_FOUND, exactly like a missing one, and the
//! page shows "Page not found" for both.

use std::collections::HashMap;

use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::{components::A, hooks::use_params_map};
use proto::pb::{
    DateRange, Engagement, EngagementState, Inspector, Outcome, Region, Role, TeamMember, TeamRole, Timeline,
};
use tonic::Code;

use crate::{
    api::{self, ApiError},
    components::{
        DateInput, DateValue, EngagementStateTag, ErrorSummary, FormError, Loading, NotificationBanner,
        Radios, SummaryRow, TextArea, WarningText, set_title, settle,
    },
    format::{
        OUTCOMES, TEAM_ROLES, date_label, engagement_kind_label, inspectorate_label, is_inspection,
        outcome_label, range_label, team_role_label,
    },
    pages::{letters::EngagementLetters, not_found::NotFound},
    session::use_session,
};

/// A change made on the page: the engagement as it now stands, and what happened in one
/// sentence.
type Changed = (Engagement, String);

/// The engagement in the address. After any change the page shows the engagement the server
/// returned, with a success banner.
#[component]
pub(crate) fn EngagementPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let engagement = LocalResource::new(move || api::get_engagement(id()));
    let notice = RwSignal::new(None::<String>);
    let on_change = Callback::new(move |(updated, text): Changed| {
        notice.set(Some(text));
        engagement.set(Some(Ok(updated)));
    });
    let reload = Callback::new(move |()| {
        notice.set(None);
        engagement.refetch();
    });
    move || match engagement.get() {
        None => {
            set_title("Engagement");
            view! { <Loading what="the engagement" /> }.into_any()
        }
        Some(Err(error)) if error.code == Code::NotFound => view! { <NotFound /> }.into_any(),
        Some(Err(error)) => {
            set_title("Sorry, there is a problem");
            view! {
                <ErrorSummary error />
                <h1 class="govuk-heading-l">"Engagement"</h1>
                <p class="govuk-body"><A href="/board" attr:class="govuk-link">"Back to the programme"</A></p>
            }
            .into_any()
        }
        Some(Ok(engagement)) => view! { <EngagementView engagement notice on_change reload /> }.into_any(),
    }
}

/// The engagement's facts, timeline, team, warnings and actions.
#[component]
fn EngagementView(
    engagement: Engagement,
    /// What the last change did, shown as a success banner.
    notice: RwSignal<Option<String>>,
    /// Called with the changed engagement.
    on_change: Callback<Changed>,
    /// Reads the engagement again (after someone else changed it meanwhile).
    reload: Callback<()>,
) -> impl IntoView {
    let kind = engagement.kind();
    let state = engagement.state();
    let title = format!("{}: {}", engagement_kind_label(kind), engagement.local_area_name);
    set_title(&title);
    let session = use_session();
    let role = session.person().map_or(Role::Unspecified, |person| person.role());
    let inspectorate = matches!(role, Role::NationalPlanner | Role::RegionalLead);
    let live = matches!(state, EngagementState::Proposed | EngagementState::Notified);
    let warnings = (!engagement.warnings.is_empty()).then(|| {
        view! {
            <div data-testid="warnings">
                {engagement
                    .warnings
                    .iter()
                    .map(|w| view! { <WarningText text=format!("{}: {}", w.rule, w.message) /> })
                    .collect_view()}
            </div>
        }
    });
    let notification = engagement.timeline.as_ref().map(|t| date_label(&t.notification_date)).map(|date| {
        view! {
            <SummaryRow key="Notification date">
                <span data-testid="notification-date">{date}</span>
            </SummaryRow>
        }
    });
    let note = if engagement.note.is_empty() { "None".to_owned() } else { engagement.note.clone() };
    let postponed =
        (state == EngagementState::Postponed).then(|| engagement.postponed_reason.clone()).map(|reason| {
            view! { <SummaryRow key="Why it was postponed">{reason}</SummaryRow> }
        });
    let timeline = engagement.timeline.clone().map(|timeline| view! { <TimelineTable timeline /> });
    let (id, version) = (engagement.id.clone(), engagement.version);
    let actions = inspectorate.then(|| {
        view! {
            {(state == EngagementState::Proposed)
                .then(|| {
                    let date = engagement.timeline.as_ref().map(|t| t.notification_date.clone());
                    view! { <NotifyForm id=id.clone() version date on_change reload /> }
                })}
            {live
                .then(|| {
                    view! {
                        <TeamForm
                            id=id.clone()
                            version
                            team=engagement.team.clone()
                            notified=state != EngagementState::Proposed
                            on_change
                            reload
                        />
                    }
                })}
            {matches!(state, EngagementState::Onsite | EngagementState::Reporting)
                .then(|| view! { <OutcomeForm id=id.clone() version inspection=is_inspection(kind) on_change reload /> })}
            {(live || state == EngagementState::Postponed)
                .then(|| {
                    view! {
                        <RescheduleForm
                            id=id.clone()
                            version
                            notified=state != EngagementState::Proposed
                            on_change
                            reload
                        />
                    }
                })}
            {live.then(|| view! { <PostponeForm id=id.clone() version on_change reload /> })}
        }
    });
    view! {
        <A href="/board" attr:class="govuk-back-link">"Back to the programme"</A>
        {move || notice.get().map(|text| view! { <NotificationBanner text success=true /> })}
        <span class="govuk-caption-l">{engagement.region_name.clone()}</span>
        <h1 class="govuk-heading-l" data-testid="engagement-title">{title}</h1>
        {warnings}
        <dl class="govuk-summary-list" data-testid="engagement-summary">
            <SummaryRow key="Local area">{engagement.local_area_name.clone()}</SummaryRow>
            <SummaryRow key="Region">{engagement.region_name.clone()}</SummaryRow>
            <SummaryRow key="Kind">{engagement_kind_label(kind)}</SummaryRow>
            <SummaryRow key="State"><EngagementStateTag state /></SummaryRow>
            <SummaryRow key="Onsite">
                <span data-testid="onsite">{range_label(engagement.onsite.as_ref())}</span>
            </SummaryRow>
            {notification}
            {postponed}
            <SummaryRow key="Note">{note}</SummaryRow>
        </dl>
        {timeline}
        <TeamTable team=engagement.team.clone() />
        // Letters are national planners' business (and the team's, from "Your visits").
        {(role == Role::NationalPlanner)
            .then(|| view! { <EngagementLetters engagement_id=engagement.id.clone() writer=false /> })}
        {actions}
    }
}

/// The notification date and the three working weeks of an inspection.
#[component]
fn TimelineTable(timeline: Timeline) -> impl IntoView {
    let row = |what: &'static str, when: String| {
        view! {
            <tr class="govuk-table__row">
                <th scope="row" class="govuk-table__header">{what}</th>
                <td class="govuk-table__cell">{when}</td>
            </tr>
        }
    };
    view! {
        <table class="govuk-table" data-testid="timeline">
            <caption class="govuk-table__caption govuk-table__caption--m">"Timeline"</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"Step"</th>
                    <th scope="col" class="govuk-table__header">"Dates"</th>
                </tr>
            </thead>
            <tbody class="govuk-table__body">
                {row("Local area notified", date_label(&timeline.notification_date))}
                {row("Week 1: offsite", range_label(timeline.week_one_offsite.as_ref()))}
                {row("Week 2: offsite and onsite", range_label(timeline.week_two_offsite_onsite.as_ref()))}
                {row("Week 3: onsite", range_label(timeline.week_three_onsite.as_ref()))}
            </tbody>
        </table>
    }
}

/// The team, or that there is none yet.
#[component]
fn TeamTable(team: Vec<TeamMember>) -> impl IntoView {
    if team.is_empty() {
        return view! {
            <h2 class="govuk-heading-m">"Team"</h2>
            <p class="govuk-body" data-testid="no-team">"No team has been assigned yet."</p>
        }
        .into_any();
    }
    let rows = team
        .into_iter()
        .map(|member| {
            view! {
                <tr class="govuk-table__row">
                    <th scope="row" class="govuk-table__header">{member.name.clone()}</th>
                    <td class="govuk-table__cell">{team_role_label(member.role())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="govuk-table" data-testid="team">
            <caption class="govuk-table__caption govuk-table__caption--m">"Team"</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"Inspector"</th>
                    <th scope="col" class="govuk-table__header">"Role"</th>
                </tr>
            </thead>
            <tbody class="govuk-table__body">{rows}</tbody>
        </table>
    }
    .into_any()
}

/// Records that the local area has been notified.
#[component]
fn NotifyForm(
    id: String,
    version: i64,
    /// The notification date of an inspection (ISO).
    date: Option<String>,
    on_change: Callback<Changed>,
    reload: Callback<()>,
) -> impl IntoView {
    let error = RwSignal::new(None::<ApiError>);
    let submit = Action::new_local(move |(): &()| {
        let id = id.clone();
        async move {
            settle(
                api::notify_local_area(id, version),
                error,
                on_change,
                "The local area has been notified.",
            )
            .await;
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    let when = match date {
        Some(date) => {
            format!("Notify the local area on {}, as the inspection's notice requires.", date_label(&date))
        }
        None => "Tell the local area about the engagement, then record it here.".to_owned(),
    };
    view! {
        <section class="app-action" data-testid="notify-form" aria-labelledby="notify-heading">
            <h2 class="govuk-heading-m" id="notify-heading">"Notify the local area"</h2>
            <FormError error reload what="the engagement" />
            <p class="govuk-body">{when}</p>
            <p class="govuk-body">
                "Once notified, the local area sees the engagement and its dates, never the team. Changes after that need a reason."
            </p>
            <form novalidate on:submit=on_submit>
                <button type="submit" class="govuk-button" data-testid="notify" disabled=submit.pending()>
                    "Record that the local area is notified"
                </button>
            </form>
        </section>
    }
}

/// A role select's value as a team role (`Unspecified` for "Not in team").
fn role_of(value: &str) -> TeamRole {
    TEAM_ROLES.iter().find(|(_, v)| *v == value).map_or(TeamRole::Unspecified, |(role, _)| *role)
}

/// A region's name by its code, or the code.
fn region_name(regions: &[Region], code: &str) -> String {
    regions.iter().find(|r| r.code == code).map_or_else(|| code.to_owned(), |r| r.name.clone())
}

/// Chooses the team: a role (or "Not in team") for each inspector.
#[component]
fn TeamForm(
    id: String,
    version: i64,
    team: Vec<TeamMember>,
    /// The local area has been notified: a reason is required.
    notified: bool,
    on_change: Callback<Changed>,
    reload: Callback<()>,
) -> impl IntoView {
    let inspectors = LocalResource::new(api::list_inspectors);
    let regions = LocalResource::new(api::list_regions);
    let chosen = RwSignal::new(
        team.iter().map(|m| (m.inspector_id.clone(), m.role())).collect::<HashMap<String, TeamRole>>(),
    );
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let submit = Action::new_local(move |(): &()| {
        let order: Vec<String> = inspectors
            .get_untracked()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|i| i.id)
            .collect();
        let roles = chosen.get_untracked();
        let members = order
            .into_iter()
            .filter_map(|inspector_id| {
                let role = *roles.get(&inspector_id)?;
                (role != TeamRole::Unspecified).then(|| TeamMember {
                    inspector_id,
                    name: String::new(),
                    role: role.into(),
                })
            })
            .collect();
        let (id, reason) = (id.clone(), reason.get_untracked().trim().to_owned());
        async move {
            settle(api::assign_team(id, version, members, reason), error, on_change, "The team is assigned.")
                .await;
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    let table = move || match inspectors.get() {
        None => view! { <Loading what="inspectors" /> }.into_any(),
        Some(Err(error)) => view! { <ErrorSummary error /> }.into_any(),
        Some(Ok(list)) if list.is_empty() => view! {
            <p class="govuk-body" data-testid="no-inspectors">
                "There are no inspectors yet. "
                <A href="/inspectors" attr:class="govuk-link">"Add inspectors"</A>
                " first."
            </p>
        }
        .into_any(),
        Some(Ok(list)) => {
            let regions = regions.get().and_then(Result::ok).unwrap_or_default();
            view! { <TeamChoices inspectors=list regions chosen /> }.into_any()
        }
    };
    view! {
        <section class="app-action" data-testid="team-form" aria-labelledby="team-heading">
            <h2 class="govuk-heading-m" id="team-heading">"Assign the team"</h2>
            <FormError error reload what="the engagement" />
            <p class="govuk-body">
                "A full or monitoring inspection needs a lead HMI, an Ofsted inspector, a CQC inspector and a social care inspector; an interim visit needs 2 Ofsted inspectors (one from social care) and 1 CQC inspector. Inspectors must be free, not double booked and without a conflict of interest."
            </p>
            <form novalidate on:submit=on_submit>
                {table}
                {notified
                    .then(|| {
                        view! {
                            <TextArea
                                id="team-reason"
                                label="Why is the team changing?"
                                hint="Required: the local area has been notified"
                                value=reason
                            />
                        }
                    })}
                <button type="submit" class="govuk-button" data-testid="assign-team" disabled=submit.pending()>
                    "Assign the team"
                </button>
            </form>
        </section>
    }
}

/// One row per inspector with a role select.
#[component]
fn TeamChoices(
    inspectors: Vec<Inspector>,
    regions: Vec<Region>,
    chosen: RwSignal<HashMap<String, TeamRole>>,
) -> impl IntoView {
    let rows = inspectors
        .into_iter()
        .map(|inspector| {
            let select_id = format!("role-{}", inspector.id);
            let key = inspector.id.clone();
            let current =
                Signal::derive(move || chosen.with(|c| c.get(&key).copied().unwrap_or(TeamRole::Unspecified)));
            let key = inspector.id.clone();
            let options = TEAM_ROLES
                .into_iter()
                .map(|(role, value)| {
                    view! {
                        <option value=value prop:selected=move || current.get() == role>{team_role_label(role)}</option>
                    }
                })
                .collect_view();
            let specialism = if inspector.social_care { ", social care" } else { "" };
            view! {
                <tr class="govuk-table__row" data-inspector=inspector.id.clone()>
                    <th scope="row" class="govuk-table__header">{inspector.name.clone()}</th>
                    <td class="govuk-table__cell">
                        {format!("{}{specialism}", inspectorate_label(inspector.inspectorate()))}
                    </td>
                    <td class="govuk-table__cell">{region_name(&regions, &inspector.home_region_code)}</td>
                    <td class="govuk-table__cell">
                        <label class="govuk-label govuk-visually-hidden" for=select_id.clone()>
                            {format!("Role of {}", inspector.name)}
                        </label>
                        <select
                            class="govuk-select"
                            id=select_id.clone()
                            name=select_id
                            on:change=move |ev| {
                                let role = role_of(&event_target_value(&ev));
                                chosen.update(|c| {
                                    c.insert(key.clone(), role);
                                });
                            }
                        >
                            <option value="" prop:selected=move || current.get() == TeamRole::Unspecified>
                                "Not in team"
                            </option>
                            {options}
                        </select>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="govuk-table" data-testid="team-choices">
            <caption class="govuk-table__caption govuk-table__caption--s">"Inspectors and their roles"</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"Inspector"</th>
                    <th scope="col" class="govuk-table__header">"Inspectorate"</th>
                    <th scope="col" class="govuk-table__header">"Home region"</th>
                    <th scope="col" class="govuk-table__header">"Role"</th>
                </tr>
            </thead>
            <tbody class="govuk-table__body">{rows}</tbody>
        </table>
    }
}

/// New onsite days; a reason once the local area has been notified.
#[component]
fn RescheduleForm(
    id: String,
    version: i64,
    notified: bool,
    on_change: Callback<Changed>,
    reload: Callback<()>,
) -> impl IntoView {
    let first_day = DateValue::new();
    let last_day = DateValue::new();
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let submit = Action::new_local(move |(): &()| {
        let onsite = DateRange { first_day: first_day.iso(), last_day: last_day.iso() };
        let (id, reason) = (id.clone(), reason.get_untracked().trim().to_owned());
        async move {
            settle(
                api::reschedule_engagement(id, version, onsite, reason),
                error,
                on_change,
                "The engagement has new dates.",
            )
            .await;
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    view! {
        <section class="app-action" data-testid="reschedule-form" aria-labelledby="reschedule-heading">
            <h2 class="govuk-heading-m" id="reschedule-heading">"Reschedule"</h2>
            <FormError error reload what="the engagement" />
            {notified
                .then(|| {
                    view! {
                        <p class="govuk-body">
                            "New dates take the engagement back to proposed: the local area has to be notified again."
                        </p>
                    }
                })}
            <form novalidate on:submit=on_submit>
                <DateInput id="reschedule-first-day" legend="New first onsite day" value=first_day />
                <DateInput id="reschedule-last-day" legend="New last onsite day" value=last_day />
                {notified
                    .then(|| {
                        view! {
                            <TextArea
                                id="reschedule-reason"
                                label="Why are the dates changing?"
                                hint="Required: the local area has been notified"
                                value=reason
                            />
                        }
                    })}
                <button
                    type="submit"
                    class="govuk-button govuk-button--secondary"
                    data-testid="reschedule"
                    disabled=submit.pending()
                >
                    "Reschedule"
                </button>
            </form>
        </section>
    }
}

/// Puts the engagement off, saying why.
#[component]
fn PostponeForm(
    id: String,
    version: i64,
    on_change: Callback<Changed>,
    reload: Callback<()>,
) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let submit = Action::new_local(move |(): &()| {
        let (id, reason) = (id.clone(), reason.get_untracked().trim().to_owned());
        async move {
            settle(
                api::postpone_engagement(id, version, reason),
                error,
                on_change,
                "The engagement is postponed.",
            )
            .await;
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    view! {
        <section class="app-action" data-testid="postpone-form" aria-labelledby="postpone-heading">
            <h2 class="govuk-heading-m" id="postpone-heading">"Postpone"</h2>
            <FormError error reload what="the engagement" />
            <form novalidate on:submit=on_submit>
                <TextArea
                    id="postpone-reason"
                    label="Why is the engagement postponed?"
                    hint="For example, a local outbreak"
                    value=reason
                />
                <button type="submit" class="govuk-button govuk-button--warning" data-testid="postpone" disabled=submit.pending()>
                    "Postpone"
                </button>
            </form>
        </section>
    }
}

/// Closes the engagement: an inspection with its outcome, anything else as done.
#[component]
fn OutcomeForm(
    id: String,
    version: i64,
    inspection: bool,
    on_change: Callback<Changed>,
    reload: Callback<()>,
) -> impl IntoView {
    let outcome = RwSignal::new(Outcome::Unspecified);
    let error = RwSignal::new(None::<ApiError>);
    let submit = Action::new_local(move |(): &()| {
        let (id, chosen) = (id.clone(), outcome.get_untracked());
        let text = if inspection { "The outcome is recorded." } else { "The engagement is done." };
        async move {
            settle(api::record_outcome(id, version, chosen), error, on_change, text).await;
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    let options = OUTCOMES
        .into_iter()
        .map(|(o, suffix)| (o, format!("outcome-{suffix}"), outcome_label(o).to_owned(), None))
        .collect::<Vec<_>>();
    let heading = if inspection { "Record the outcome" } else { "Mark as done" };
    view! {
        <section class="app-action" data-testid="outcome-form" aria-labelledby="outcome-heading">
            <h2 class="govuk-heading-m" id="outcome-heading">{heading}</h2>
            <FormError error reload what="the engagement" />
            <form novalidate on:submit=on_submit>
                {inspection.then(|| view! { <Radios legend="Outcome" name="outcome" options value=outcome /> })}
                <button type="submit" class="govuk-button" data-testid="record-outcome" disabled=submit.pending()>
                    {heading}
                </button>
            </form>
        </section>
    }
}
