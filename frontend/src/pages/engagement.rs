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
        ActionForm, BackToRecord, CheckAnswers, CheckRow, DateInput, DateValue, EngagementStateTag,
        FormState, Loaded, Loading, QuestionPage, Radios, Record, RecordPage, Select, SubmitButton, Table,
        Task, TaskList, TaskStatus, TextArea, WarningText, back_to_fault, choices, columns, form_action,
        set_title, settle, step_href, step_navigator, use_step,
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

/// The engagement's page: its summary and task list, or one of its tasks (`?task=…`): the dates,
/// the team, the notice (checked before it is sent), its letter, postponing or the outcome (both
/// checked before they are recorded). A task the server does not allow the person now shows the
/// summary instead.
#[component]
fn EngagementView(engagement: Engagement, record: Record<Engagement>) -> impl IntoView {
    let task = use_step("task");
    let session = use_session();
    let role = session.person().map_or(Role::Unspecified, |person| person.role());
    let allowed: Vec<EngagementAction> = engagement.allowed_actions().collect();
    let may = move |action: EngagementAction| allowed.contains(&action);
    let area = engagement.local_area_name.clone();
    // The answers of the steps, kept while the person moves between the question and its check.
    let drafts = Drafts {
        postpone: FormState::new(&[("reason", "postpone-reason", "The reason")]),
        reason: RwSignal::new(String::new()),
        outcome_form: FormState::new(&[("outcome", "outcome", "The outcome")]),
        outcome: RwSignal::new(Outcome::Unspecified),
    };
    move || {
        let engagement = engagement.clone();
        let caption = format!("{}: {area}", engagement_kind_label(engagement.kind()));
        match task.get().as_deref() {
            Some("dates") if may(EngagementAction::Reschedule) => {
                set_title(&format!("New dates: {area}"));
                view! { <RescheduleForm engagement record /> }.into_any()
            }
            Some("team") if may(EngagementAction::AssignTeam) => {
                set_title(&format!("Assign the team: {area}"));
                view! { <TeamForm engagement record /> }.into_any()
            }
            Some("notify") if may(EngagementAction::Notify) => {
                set_title(&format!("Check before you notify {area}"));
                view! { <NotifyCheck engagement record /> }.into_any()
            }
            Some(step @ ("postpone" | "check-postpone")) if may(EngagementAction::Postpone) => {
                view! { <PostponeSteps engagement record check=step == "check-postpone" drafts /> }.into_any()
            }
            Some(step @ ("outcome" | "check-outcome")) if may(EngagementAction::RecordOutcome) => {
                view! { <OutcomeSteps engagement record check=step == "check-outcome" drafts /> }.into_any()
            }
            Some("letter") if role == Role::NationalPlanner => {
                set_title(&format!("Letters: {area}"));
                let back = step_href("task", None);
                view! {
                    <A href=back attr:class="govuk-back-link">"Back to the engagement"</A>
                    <span class="govuk-caption-l">{caption}</span>
                    <EngagementLetters engagement_id=engagement.id.clone() engagement=engagement.clone() page=true />
                }
                .into_any()
            }
            _ => view! { <Overview engagement role /> }.into_any(),
        }
    }
}

/// The engagement's summary (with Change links where the person may change it), its task list,
/// timeline and team.
#[component]
fn Overview(engagement: Engagement, role: Role) -> impl IntoView {
    let kind = engagement.kind();
    let state = engagement.state();
    let title = format!("{}: {}", engagement_kind_label(kind), engagement.local_area_name);
    set_title(&title);
    let allowed: Vec<EngagementAction> = engagement.allowed_actions().collect();
    let may = |action: EngagementAction| allowed.contains(&action);
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
    let change = |allowed: bool, task: &str, what: &'static str| {
        allowed.then(|| {
            let href = step_href("task", Some(task));
            view! {
                <dd class="govuk-summary-list__actions">
                    <A href=href attr:class="govuk-link">
                        "Change"<span class="govuk-visually-hidden">{format!(" {what}")}</span>
                    </A>
                </dd>
            }
        })
    };
    let row = |key: &'static str, value: AnyView, action: Option<AnyView>| {
        let class = if action.is_none() {
            "govuk-summary-list__row govuk-summary-list__row--no-actions"
        } else {
            "govuk-summary-list__row"
        };
        view! {
            <div class=class>
                <dt class="govuk-summary-list__key">{key}</dt>
                <dd class="govuk-summary-list__value">{value}</dd>
                {action}
            </div>
        }
    };
    let notification = engagement.timeline.as_ref().map(|t| date_label(&t.notification_date)).map(|date| {
        row(
            "Notification date",
            view! { <span data-testid="notification-date">{date}</span> }.into_any(),
            None,
        )
    });
    let note = if engagement.note.is_empty() { "None".to_owned() } else { engagement.note.clone() };
    let postponed = (state == EngagementState::Postponed)
        .then(|| row("Why it was postponed", engagement.postponed_reason.clone().into_any(), None));
    // The written consent behind an interim visit: only planners and the region's lead get it.
    let consent = engagement.consent.clone().map(|c| {
        let state = crate::format::state_label(c.state());
        let href = format!("/requests/{}", c.request_id);
        let signed = format!("Signed by {} on {}", c.signatory_name, date_label(&c.date_signed));
        row(
            "Written consent",
            view! {
                <span data-testid="consent">{format!("{state}. {signed}.")}</span>
                " "
                <A href=href attr:class="govuk-link">"View the visit request"</A>
            }
            .into_any(),
            None,
        )
    });
    let team_names = (!engagement.team.is_empty()).then(|| {
        engagement
            .team
            .iter()
            .map(|m| format!("{} ({})", m.name, team_role_label(m.role())))
            .collect::<Vec<_>>()
    });
    let team_value =
        team_names.clone().map_or_else(|| "Not assigned yet".to_owned(), |names| names.join(", "));
    let timeline = engagement.timeline.clone().map(|timeline| view! { <TimelineTable timeline /> });
    let onsite = range_label(engagement.onsite.as_ref());
    let tasks = tasks(&engagement, role, team_names);
    let postpone = may(EngagementAction::Postpone).then(|| {
        let href = step_href("task", Some("postpone"));
        view! {
            <p class="govuk-body">
                <A href=href attr:class="govuk-link" attr:data-testid="postpone-link">"Postpone the engagement"</A>
            </p>
        }
    });
    view! {
        <A href="/board" attr:class="govuk-back-link">"Back to the programme"</A>
        <span class="govuk-caption-l">{engagement.region_name.clone()}</span>
        <h1 class="govuk-heading-l" data-testid="engagement-title">{title}</h1>
        {warnings}
        <dl class="govuk-summary-list" data-testid="engagement-summary">
            {row("Local area", engagement.local_area_name.clone().into_any(), None)}
            {row("Region", engagement.region_name.clone().into_any(), None)}
            {row("Kind", engagement_kind_label(kind).into_any(), None)}
            {row("State", view! { <EngagementStateTag state /> }.into_any(), None)}
            {row(
                "Onsite",
                view! { <span data-testid="onsite">{onsite}</span> }.into_any(),
                change(may(EngagementAction::Reschedule), "dates", "the onsite days").map(IntoAny::into_any),
            )}
            {notification}
            {row(
                "Team",
                team_value.into_any(),
                change(may(EngagementAction::AssignTeam), "team", "the team").map(IntoAny::into_any),
            )}
            {consent}
            {postponed}
            {row("Note", note.into_any(), None)}
        </dl>
        <h2 class="govuk-heading-m">"What the engagement needs"</h2>
        {tasks}
        {postpone}
        {timeline}
        <TeamTable team=engagement.team.clone() />
    }
}

/// The engagement's task list: dates, team, notice, case studies, letter (planners) and the
/// outcome, each with its status and, when the person can do it now, a link to its page.
fn tasks(engagement: &Engagement, role: Role, team_names: Option<Vec<String>>) -> impl IntoView + use<> {
    let allowed: Vec<EngagementAction> = engagement.allowed_actions().collect();
    let may = |action: EngagementAction| allowed.contains(&action);
    let state = engagement.state();
    let done = |s: EngagementState| {
        matches!(
            s,
            EngagementState::Notified
                | EngagementState::Onsite
                | EngagementState::Reporting
                | EngagementState::Done
        )
    };
    let link = |allowed: bool, task: &str| allowed.then(|| step_href("task", Some(task)));
    let base = vec![
        Task {
            testid: "task-dates",
            name: "Dates".to_owned(),
            hint: Some(format!("Onsite {}", range_label(engagement.onsite.as_ref()))),
            href: link(may(EngagementAction::Reschedule), "dates"),
            status: TaskStatus::Completed,
        },
        Task {
            testid: "task-team",
            name: "Team".to_owned(),
            hint: team_names.as_ref().map(|names| names.join(", ")),
            href: link(may(EngagementAction::AssignTeam), "team"),
            status: if team_names.is_some() { TaskStatus::Completed } else { TaskStatus::NotYetStarted },
        },
        Task {
            testid: "task-notice",
            name: "Notice to the local area".to_owned(),
            hint: engagement
                .timeline
                .as_ref()
                .map(|t| format!("Due on {}", date_label(&t.notification_date))),
            href: link(may(EngagementAction::Notify), "notify"),
            status: if done(state) {
                TaskStatus::Completed
            } else if may(EngagementAction::Notify) {
                TaskStatus::NotYetStarted
            } else {
                TaskStatus::CannotStartYet
            },
        },
    ];
    let outcome = Task {
        testid: "task-outcome",
        name: if engagement.is_inspection { "Outcome".to_owned() } else { "Mark as done".to_owned() },
        hint: None,
        href: link(may(EngagementAction::RecordOutcome), "outcome"),
        status: if state == EngagementState::Done {
            TaskStatus::Completed
        } else if may(EngagementAction::RecordOutcome) {
            TaskStatus::NotYetStarted
        } else {
            TaskStatus::CannotStartYet
        },
    };
    let id = engagement.id.clone();
    let samples = LocalResource::new({
        let id = id.clone();
        move || api::get_case_study_sample(id.clone())
    });
    let letters = LocalResource::new({
        let id = id.clone();
        move || {
            let id = id.clone();
            async move {
                if role == Role::NationalPlanner { api::list_letters(id).await.map(Some) } else { Ok(None) }
            }
        }
    });
    let inspection = engagement.is_inspection;
    move || {
        // One list, once both are read: a link is never replaced under the person's pointer.
        let (Some(samples), Some(letters)) = (samples.get(), letters.get()) else {
            return view! { <Loading what="what the engagement needs" /> }.into_any();
        };
        let mut tasks = base.clone();
        // Case studies: only for engagements that have them, and for those who may read them.
        if let Ok(sample) = samples
            && sample.has_case_studies
        {
            let both = sample.area_agreed.is_some() && sample.team_agreed.is_some();
            tasks.push(Task {
                testid: "task-case-studies",
                name: "Case studies".to_owned(),
                hint: Some(crate::format::count(
                    sample.entries.len(),
                    "child or young person in the sample",
                    "children and young people in the sample",
                )),
                href: Some(format!("/engagements/{id}/case-studies")),
                status: if both {
                    TaskStatus::Completed
                } else if sample.entries.is_empty() {
                    TaskStatus::NotYetStarted
                } else {
                    TaskStatus::InProgress
                },
            });
        }
        if let Ok(Some(list)) = letters {
            let finished = list.iter().any(|l| {
                matches!(l.state(), proto::pb::LetterState::Issued | proto::pb::LetterState::Superseded)
            });
            tasks.push(Task {
                testid: "task-letter",
                name: if inspection { "Report".to_owned() } else { "Letter".to_owned() },
                hint: list.first().map(|l| crate::format::letter_state_label(l.state()).to_owned()),
                href: Some(step_href("task", Some("letter"))),
                status: if finished {
                    TaskStatus::Completed
                } else if list.is_empty() {
                    TaskStatus::NotYetStarted
                } else {
                    TaskStatus::InProgress
                },
            });
        }
        tasks.push(outcome.clone());
        view! { <TaskList tasks testid="tasks" /> }.into_any()
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

/// Checks before the local area is notified: the dates and who is told, and what follows.
#[component]
fn NotifyCheck(engagement: Engagement, record: Record<Engagement>) -> impl IntoView {
    let form = FormState::new(&[]);
    let back = step_href("task", None);
    let done = BackToRecord::new(record);
    let area = engagement.local_area_name.clone();
    let (id, version) = (engagement.id.clone(), engagement.version);
    let submit = form_action(move || {
        settle(
            form,
            api::notify_local_area(id.clone(), version),
            done.with("The local area has been notified."),
        )
    });
    let mut answers = vec![
        CheckRow { key: "Local area", value: area.clone(), change: None },
        CheckRow { key: "Onsite", value: range_label(engagement.onsite.as_ref()), change: None },
    ];
    if let Some(timeline) = &engagement.timeline {
        answers.push(CheckRow {
            key: "Notice due on",
            value: date_label(&timeline.notification_date),
            change: None,
        });
    }
    let team = if engagement.team.is_empty() {
        "Not assigned yet".to_owned()
    } else {
        engagement.team.iter().map(|m| m.name.clone()).collect::<Vec<_>>().join(", ")
    };
    answers.push(CheckRow { key: "Team", value: team, change: None });
    let consequence = format!(
        "Once notified, {area} sees the engagement and its dates, never the team. Changing the dates or the team after that needs a reason, and new dates mean notifying {area} again."
    );
    view! {
        <CheckAnswers
            testid="notify-form"
            heading=format!("Check before you notify {area}")
            answers
            consequence
            form
            submit
            button=("notify", "Record that the local area is notified", "")
            back
            reload=record.reload
            what="the engagement"
        >
            <p class="govuk-body">"Tell the local area about the engagement, then record it here."</p>
        </CheckAnswers>
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
    let caption = caption(&engagement);
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
    let done = BackToRecord::new(record);
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
        settle(form, call, done.with("The team is assigned."))
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
        <A href=step_href("task", None) attr:class="govuk-back-link">"Back to the engagement"</A>
        <span class="govuk-caption-l">{caption}</span>
        <ActionForm testid="team-form" heading="Assign the team" form submit reload=record.reload what="the engagement" page=true>
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
    let caption = caption(&engagement);
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
    let done = BackToRecord::new(record);
    let submit = form_action(move || {
        let onsite = DateRange { first_day: first_day.iso(), last_day: last_day.iso() };
        let call =
            api::reschedule_engagement(id.clone(), version, onsite, reason.get_untracked().trim().to_owned());
        settle(form, call, done.with("The engagement has new dates."))
    });
    view! {
        <A href=step_href("task", None) attr:class="govuk-back-link">"Back to the engagement"</A>
        <span class="govuk-caption-l">{caption}</span>
        <ActionForm testid="reschedule-form" heading="Change the onsite days" form submit reload=record.reload what="the engagement" page=true>
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

/// The caption above a task's heading: the engagement's kind and local area.
fn caption(engagement: &Engagement) -> String {
    format!("{}: {}", engagement_kind_label(engagement.kind()), engagement.local_area_name)
}

/// The answers of an engagement's two-step tasks, and their forms' refusals.
#[derive(Debug, Clone, Copy)]
struct Drafts {
    postpone: FormState,
    reason: RwSignal<String>,
    outcome_form: FormState,
    outcome: RwSignal<Outcome>,
}

/// Puts the engagement off: why (one question), then a check stating what follows. A check
/// reached without an answer (a reload) is refused by the server and goes back to the question.
#[component]
fn PostponeSteps(
    engagement: Engagement,
    record: Record<Engagement>,
    check: bool,
    drafts: Drafts,
) -> impl IntoView {
    let (form, reason) = (drafts.postpone, drafts.reason);
    back_to_fault(form, "task", "check-postpone", |field| (field == "reason").then_some("postpone"));
    let area = engagement.local_area_name.clone();
    let caption = caption(&engagement);
    let (id, version) = (engagement.id.clone(), engagement.version);
    let done = BackToRecord::new(record);
    let submit = form_action(move || {
        let call = api::postpone_engagement(id.clone(), version, reason.get_untracked().trim().to_owned());
        settle(form, call, done.with("The engagement is postponed."))
    });
    let go = step_navigator("task");
    let on_continue = Callback::new(move |()| {
        form.error.set(None);
        go(Some("check-postpone"));
    });
    {
        if check {
            set_title(&format!("Check before you postpone: {area}"));
            let answers = vec![CheckRow {
                key: "Why it is postponed",
                value: reason.get_untracked(),
                change: Some((step_href("task", Some("postpone")), "why it is postponed")),
            }];
            view! {
                <CheckAnswers
                    testid="postpone-form"
                    heading=format!("Check before you postpone the engagement in {area}")
                    answers
                    consequence="The engagement leaves the programme until new dates are set. If the local area has been notified, it sees that the engagement is postponed and why."
                    form
                    submit
                    button=("postpone", "Postpone the engagement", "govuk-button--warning")
                    back=step_href("task", Some("postpone"))
                    reload=record.reload
                    what="the engagement"
                />
            }
            .into_any()
        } else {
            set_title(&format!("Why is the engagement postponed? {area}"));
            view! {
                <QuestionPage
                    testid="postpone-question"
                    heading="Why is the engagement postponed?"
                    caption=caption.clone()
                    form
                    on_continue
                    back=step_href("task", None)
                >
                    <TextArea id="postpone-reason" label="Reason" hint="For example, a local outbreak" value=reason form />
                </QuestionPage>
            }
            .into_any()
        }
    }
}

/// Closes the engagement: an inspection's outcome (one question) or that it is done, then a check
/// stating that this cannot be undone.
#[component]
fn OutcomeSteps(
    engagement: Engagement,
    record: Record<Engagement>,
    check: bool,
    drafts: Drafts,
) -> impl IntoView {
    let (form, outcome) = (drafts.outcome_form, drafts.outcome);
    let inspection = engagement.is_inspection;
    back_to_fault(form, "task", "check-outcome", |field| (field == "outcome").then_some("outcome"));
    let area = engagement.local_area_name.clone();
    let caption = caption(&engagement);
    let (id, version) = (engagement.id.clone(), engagement.version);
    let done = BackToRecord::new(record);
    let submit = form_action(move || {
        let text = if inspection { "The outcome is recorded." } else { "The engagement is done." };
        settle(form, api::record_outcome(id.clone(), version, outcome.get_untracked()), done.with(text))
    });
    let go = step_navigator("task");
    let on_continue = Callback::new(move |()| {
        form.error.set(None);
        go(Some("check-outcome"));
    });
    let options = OUTCOMES
        .into_iter()
        .map(|(o, suffix)| (o, format!("outcome-{suffix}"), outcome_label(o).to_owned(), None))
        .collect::<Vec<_>>();
    {
        // Interim visits and meetings have no outcome: their one page is the check.
        if check || !inspection {
            set_title(&format!("Check before you close the engagement: {area}"));
            let answers = if inspection {
                vec![CheckRow {
                    key: "Outcome",
                    value: outcome_label(outcome.get_untracked()).to_owned(),
                    change: Some((step_href("task", Some("outcome")), "the outcome")),
                }]
            } else {
                vec![CheckRow { key: "Local area", value: area.clone(), change: None }]
            };
            let (heading, consequence, label) = if inspection {
                (
                    format!("Check the outcome of the inspection in {area}"),
                    "The outcome sets when the next full inspection is due, and a widespread or systemic failings outcome means a monitoring inspection. It cannot be changed once recorded.",
                    "Record the outcome",
                )
            } else {
                (
                    format!("Check before you mark the engagement in {area} as done"),
                    "The engagement is closed and leaves the live programme. This cannot be undone.",
                    "Mark as done",
                )
            };
            let back = if inspection { step_href("task", Some("outcome")) } else { step_href("task", None) };
            view! {
                <CheckAnswers
                    testid="outcome-form"
                    heading
                    answers
                    consequence
                    form
                    submit
                    button=("record-outcome", label, "")
                    back
                    reload=record.reload
                    what="the engagement"
                />
            }
            .into_any()
        } else {
            set_title(&format!("What was the outcome? {area}"));
            view! {
                <QuestionPage
                    testid="outcome-question"
                    heading="What was the outcome of the inspection?"
                    caption=caption.clone()
                    form
                    on_continue
                    back=step_href("task", None)
                >
                    <Radios legend="Outcome" name="outcome" options=options.clone() value=outcome form />
                </QuestionPage>
            }
            .into_any()
        }
    }
}
