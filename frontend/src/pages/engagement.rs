//! One engagement: its facts, its notice and three weeks (inspections), its team and the
//! warnings about it, and the actions the server allows the person now
//! (`Engagement.allowed_actions`): notify the local area, assign the team, reschedule, postpone,
//! record the outcome.
//!
//! An engagement the person may not see answers NOT_FOUND, exactly like a missing one, and the
//! page shows "Page not found" for both.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos_router::components::A;
use proto::pb::{
    DateRange, Engagement, EngagementAction, EngagementState, Inspector, Outcome, Region, Role, TeamMember,
    TeamRole, Timeline,
};

use crate::{
    api,
    components::{
        ActionForm, DateInput, DateValue, EngagementStateTag, FormState, Loaded, Radios, Record, RecordPage,
        Select, SubmitButton, SummaryRow, Table, TextArea, WarningText, choices, columns, form_action,
        set_title, settle,
    },
    format::{
        OUTCOMES, TEAM_ROLES, date_label, engagement_kind_label, inspectorate_label, outcome_label,
        range_label, team_role_label,
    },
    pages::letters::EngagementLetters,
    session::use_session,
};

/// The engagement in the address.
#[component]
pub(crate) fn EngagementPage() -> impl IntoView {
    view! {
        <RecordPage
            title="Engagement"
            what="the engagement"
            back=("/board", "Back to the programme")
            load=api::get_engagement
            show=|engagement, record| view! { <EngagementView engagement record /> }
        />
    }
}

/// The engagement's facts, timeline, team, warnings and the actions the server allows.
#[component]
fn EngagementView(engagement: Engagement, record: Record<Engagement>) -> impl IntoView {
    let kind = engagement.kind();
    let state = engagement.state();
    let title = format!("{}: {}", engagement_kind_label(kind), engagement.local_area_name);
    set_title(&title);
    let session = use_session();
    let role = session.person().map_or(Role::Unspecified, |person| person.role());
    let allowed: Vec<EngagementAction> = engagement.allowed_actions().collect();
    let may = move |action: EngagementAction| allowed.contains(&action);
    // People read the warning's sentence; its rule id is for tests and programs.
    let warnings = (!engagement.warnings.is_empty()).then(|| {
        view! {
            <div data-testid="warnings">
                {engagement
                    .warnings
                    .iter()
                    .map(|w| view! { <div data-rule=w.rule.clone()><WarningText text=w.message.clone() /></div> })
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
    // The written consent behind an interim visit: only planners and the region's lead get it.
    let consent = engagement.consent.clone().map(|c| {
        let state = crate::format::state_label(c.state());
        let href = format!("/requests/{}", c.request_id);
        let signed = format!("Signed by {} on {}", c.signatory_name, date_label(&c.date_signed));
        view! {
            <SummaryRow key="Written consent">
                <span data-testid="consent">{format!("{state}. {signed}.")}</span>
                " "
                <A href=href attr:class="govuk-link">"View the visit request"</A>
            </SummaryRow>
        }
    });
    let timeline = engagement.timeline.clone().map(|timeline| view! { <TimelineTable timeline /> });
    let onsite = range_label(engagement.onsite.as_ref());
    // Letters are national planners' business (and the team's, from "Your visits").
    let letters = (role == Role::NationalPlanner).then(|| {
        view! { <EngagementLetters engagement_id=engagement.id.clone() engagement=engagement.clone() /> }
    });
    let actions = view! {
        {may(EngagementAction::Notify).then(|| view! { <NotifyForm engagement=engagement.clone() record /> })}
        {may(EngagementAction::AssignTeam).then(|| view! { <TeamForm engagement=engagement.clone() record /> })}
        {may(EngagementAction::RecordOutcome).then(|| view! { <OutcomeForm engagement=engagement.clone() record /> })}
        {may(EngagementAction::Reschedule).then(|| view! { <RescheduleForm engagement=engagement.clone() record /> })}
        {may(EngagementAction::Postpone).then(|| view! { <PostponeForm engagement=engagement.clone() record /> })}
    };
    view! {
        <A href="/board" attr:class="govuk-back-link">"Back to the programme"</A>
        <span class="govuk-caption-l">{engagement.region_name.clone()}</span>
        <h1 class="govuk-heading-l" data-testid="engagement-title">{title}</h1>
        {warnings}
        <dl class="govuk-summary-list" data-testid="engagement-summary">
            <SummaryRow key="Local area">{engagement.local_area_name.clone()}</SummaryRow>
            <SummaryRow key="Region">{engagement.region_name.clone()}</SummaryRow>
            <SummaryRow key="Kind">{engagement_kind_label(kind)}</SummaryRow>
            <SummaryRow key="State"><EngagementStateTag state /></SummaryRow>
            <SummaryRow key="Onsite">
                <span data-testid="onsite">{onsite}</span>
            </SummaryRow>
            {notification}
            {consent}
            {postponed}
            <SummaryRow key="Note">{note}</SummaryRow>
        </dl>
        {timeline}
        <TeamTable team=engagement.team.clone() />
        <p class="govuk-body">
            <A href=format!("/engagements/{}/case-studies", engagement.id) attr:class="govuk-link" attr:data-testid="case-studies-link">
                "Case studies"
            </A>
        </p>
        {letters}
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
        <Table testid="timeline" caption="Timeline" columns=columns(&["Step", "Dates"])>
            {row("Local area notified", date_label(&timeline.notification_date))}
            {row("Week 1: offsite", range_label(timeline.week_one_offsite.as_ref()))}
            {row("Week 2: offsite and onsite", range_label(timeline.week_two_offsite_onsite.as_ref()))}
            {row("Week 3: onsite", range_label(timeline.week_three_onsite.as_ref()))}
        </Table>
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
    view! { <Table testid="team" caption="Team" columns=columns(&["Inspector", "Role"])>{rows}</Table> }
        .into_any()
}

/// Records that the local area has been notified.
#[component]
fn NotifyForm(engagement: Engagement, record: Record<Engagement>) -> impl IntoView {
    let form = FormState::new(&[]);
    let (id, version) = (engagement.id, engagement.version);
    let submit = form_action(move || {
        settle(
            form,
            api::notify_local_area(id.clone(), version),
            record.changed("The local area has been notified."),
        )
    });
    let when = match engagement.timeline {
        Some(timeline) => format!(
            "Notify the local area on {}, as the inspection's notice requires.",
            date_label(&timeline.notification_date)
        ),
        None => "Tell the local area about the engagement, then record it here.".to_owned(),
    };
    view! {
        <ActionForm testid="notify-form" heading="Notify the local area" form submit reload=record.reload what="the engagement">
            <p class="govuk-body">{when}</p>
            <p class="govuk-body">
                "Once notified, the local area sees the engagement and its dates, never the team. Changes after that need a reason."
            </p>
            <SubmitButton submit testid="notify" label="Record that the local area is notified" />
        </ActionForm>
    }
}

/// A region's name by its code, or the code.
fn region_name(regions: &[Region], code: &str) -> String {
    regions.iter().find(|r| r.code == code).map_or_else(|| code.to_owned(), |r| r.name.clone())
}

/// The hint of a reason field: when the server requires it.
const REASON_HINT: &str = "Required once the local area has been notified";

/// Chooses the team: a role (or "Not in team") for each inspector.
#[component]
fn TeamForm(engagement: Engagement, record: Record<Engagement>) -> impl IntoView {
    let form =
        FormState::new(&[("members", "team-choices", "The team"), ("reason", "team-reason", "The reason")]);
    let inspectors = LocalResource::new(api::list_inspectors);
    let regions = LocalResource::new(api::list_regions);
    let chosen: HashMap<String, RwSignal<TeamRole>> =
        engagement.team.iter().map(|m| (m.inspector_id.clone(), RwSignal::new(m.role()))).collect();
    let chosen = StoredValue::new(chosen);
    // Role signals for inspectors not yet in the team belong to the form, not to the table
    // that shows them (which is built again whenever the inspectors are read again).
    let owner = Owner::current();
    let reason = RwSignal::new(String::new());
    let (id, version) = (engagement.id, engagement.version);
    let submit = form_action(move || {
        let order: Vec<String> = inspectors
            .get_untracked()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|i| i.id)
            .collect();
        let members = chosen.with_value(|roles| {
            order
                .into_iter()
                .filter_map(|inspector_id| {
                    let role = roles.get(&inspector_id)?.get_untracked();
                    (role != TeamRole::Unspecified).then(|| TeamMember {
                        inspector_id,
                        name: String::new(),
                        role: role.into(),
                    })
                })
                .collect()
        });
        let call = api::assign_team(id.clone(), version, members, reason.get_untracked().trim().to_owned());
        settle(form, call, record.changed("The team is assigned."))
    });
    let no_inspectors = ViewFn::from(|| {
        view! {
            <p class="govuk-body" data-testid="no-inspectors">
                "There are no inspectors yet. "
                <A href="/inspectors" attr:class="govuk-link">"Add inspectors"</A>
                " first."
            </p>
        }
    });
    let choices = move |list: Vec<Inspector>| {
        let owner = owner.clone();
        let role_of = move |id: &str| {
            chosen.with_value(|c| c.get(id).copied()).unwrap_or_else(|| {
                let role = match &owner {
                    Some(owner) => owner.with(|| RwSignal::new(TeamRole::Unspecified)),
                    None => RwSignal::new(TeamRole::Unspecified),
                };
                chosen.update_value(|c| {
                    c.insert(id.to_owned(), role);
                });
                role
            })
        };
        view! { <TeamChoices inspectors=list regions role_of form /> }
    };
    view! {
        <ActionForm testid="team-form" heading="Assign the team" form submit reload=record.reload what="the engagement">
            <p class="govuk-body">
                "A full or monitoring inspection needs a lead HMI, an Ofsted inspector, a CQC inspector and a social care inspector; an interim visit needs 2 Ofsted inspectors (one from social care) and 1 CQC inspector. Inspectors must be free, not double booked and without a conflict of interest."
            </p>
            <Loaded resource=inspectors what="inspectors" is_empty=Vec::is_empty empty=no_inspectors show=choices />
            <TextArea id="team-reason" label="Why is the team changing?" hint=REASON_HINT value=reason form />
            <SubmitButton submit testid="assign-team" label="Assign the team" />
        </ActionForm>
    }
}

/// One row per inspector with a role select.
#[component]
fn TeamChoices(
    inspectors: Vec<Inspector>,
    regions: LocalResource<Result<Vec<Region>, api::ApiError>>,
    /// The signal holding an inspector's role in the team.
    role_of: impl Fn(&str) -> RwSignal<TeamRole>,
    form: FormState,
) -> impl IntoView {
    let rows = inspectors
        .into_iter()
        .map(|inspector| {
            let role = role_of(&inspector.id);
            let home = inspector.home_region_code.clone();
            let home = move || region_name(&regions.get().and_then(Result::ok).unwrap_or_default(), &home);
            let specialism = if inspector.social_care { ", social care" } else { "" };
            view! {
                <tr class="govuk-table__row" data-inspector=inspector.id.clone()>
                    <th scope="row" class="govuk-table__header">{inspector.name.clone()}</th>
                    <td class="govuk-table__cell">
                        {format!("{}{specialism}", inspectorate_label(inspector.inspectorate()))}
                    </td>
                    <td class="govuk-table__cell">{home}</td>
                    <td class="govuk-table__cell">
                        <Select
                            id=format!("role-{}", inspector.id)
                            label=format!("Role of {}", inspector.name)
                            hidden_label=true
                            choices=choices(&TEAM_ROLES, team_role_label)
                            value=role
                            placeholder=("Not in team", TeamRole::Unspecified)
                        />
                    </td>
                </tr>
            }
        })
        .collect_view();
    let message = move || {
        form.message("team-choices").map(|text| {
            view! {
                <p class="govuk-error-message" id="team-choices-error">
                    <span class="govuk-visually-hidden">"Error: "</span>
                    {text}
                </p>
            }
        })
    };
    let group = move || {
        if form.message("team-choices").is_some() {
            "govuk-form-group govuk-form-group--error"
        } else {
            "govuk-form-group"
        }
    };
    view! {
        <div class=group id="team-choices">
            {message}
            <Table testid="team-choices" caption="Inspectors and their roles" small=true columns=columns(&["Inspector", "Inspectorate", "Home region", "Role"])>
                {rows}
            </Table>
        </div>
    }
}

/// New onsite days, with a reason once the local area has been notified.
#[component]
fn RescheduleForm(engagement: Engagement, record: Record<Engagement>) -> impl IntoView {
    let form = FormState::new(&[
        ("onsite", "reschedule-first-day", "The onsite days"),
        ("onsite.first_day", "reschedule-first-day", "The first onsite day"),
        ("onsite.last_day", "reschedule-last-day", "The last onsite day"),
        ("reason", "reschedule-reason", "The reason"),
    ]);
    let first_day = DateValue::new();
    let last_day = DateValue::new();
    let reason = RwSignal::new(String::new());
    let (id, version) = (engagement.id, engagement.version);
    let submit = form_action(move || {
        let onsite = DateRange { first_day: first_day.iso(), last_day: last_day.iso() };
        let call =
            api::reschedule_engagement(id.clone(), version, onsite, reason.get_untracked().trim().to_owned());
        settle(form, call, record.changed("The engagement has new dates."))
    });
    view! {
        <ActionForm testid="reschedule-form" heading="Reschedule" form submit reload=record.reload what="the engagement">
            <p class="govuk-body">
                "Once the local area has been notified, new dates take the engagement back to proposed: the local area has to be notified again."
            </p>
            <DateInput id="reschedule-first-day" legend="New first onsite day" value=first_day form />
            <DateInput id="reschedule-last-day" legend="New last onsite day" value=last_day form />
            <TextArea id="reschedule-reason" label="Why are the dates changing?" hint=REASON_HINT value=reason form />
            <SubmitButton submit testid="reschedule" label="Reschedule" modifier="govuk-button--secondary" />
        </ActionForm>
    }
}

/// Puts the engagement off, saying why.
#[component]
fn PostponeForm(engagement: Engagement, record: Record<Engagement>) -> impl IntoView {
    let form = FormState::new(&[("reason", "postpone-reason", "The reason")]);
    let reason = RwSignal::new(String::new());
    let (id, version) = (engagement.id, engagement.version);
    let submit = form_action(move || {
        let call = api::postpone_engagement(id.clone(), version, reason.get_untracked().trim().to_owned());
        settle(form, call, record.changed("The engagement is postponed."))
    });
    view! {
        <ActionForm testid="postpone-form" heading="Postpone" form submit reload=record.reload what="the engagement">
            <TextArea id="postpone-reason" label="Why is the engagement postponed?" hint="For example, a local outbreak" value=reason form />
            <SubmitButton submit testid="postpone" label="Postpone" modifier="govuk-button--warning" />
        </ActionForm>
    }
}

/// Closes the engagement: an inspection with its outcome (`Engagement.is_inspection`), anything
/// else as done.
#[component]
fn OutcomeForm(engagement: Engagement, record: Record<Engagement>) -> impl IntoView {
    let form = FormState::new(&[("outcome", "outcome", "The outcome")]);
    let inspection = engagement.is_inspection;
    let outcome = RwSignal::new(Outcome::Unspecified);
    let (id, version) = (engagement.id, engagement.version);
    let submit = form_action(move || {
        let text = if inspection { "The outcome is recorded." } else { "The engagement is done." };
        settle(form, api::record_outcome(id.clone(), version, outcome.get_untracked()), record.changed(text))
    });
    let options = OUTCOMES
        .into_iter()
        .map(|(o, suffix)| (o, format!("outcome-{suffix}"), outcome_label(o).to_owned(), None))
        .collect::<Vec<_>>();
    let heading = if inspection { "Record the outcome" } else { "Mark as done" };
    view! {
        <ActionForm testid="outcome-form" heading form submit reload=record.reload what="the engagement">
            {inspection.then(|| view! { <Radios legend="Outcome" name="outcome" options value=outcome form /> })}
            <SubmitButton submit testid="record-outcome" label=heading />
        </ActionForm>
    }
}
