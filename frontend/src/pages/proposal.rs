//! A proposed programme (issue 13): start one for your scope, follow its progress (it streams
//! from the server), see it as a change to the current programme, and accept it after checking
//! it. `/programme/proposal` starts one; `?id=ID` shows it; `?id=ID&step=accept` checks it
//! before it is accepted.

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
};
use proto::pb::{Proposal, ProposalChange, ProposalChangeKind, ProposalProgress, ProposalState, TeamMember};

use crate::{
    api,
    components::{ErrorSummary, Loaded, Table, columns, set_title},
    format::{count, engagement_kind_label, range_label, team_role_label},
};

/// The page: start a proposal, or the one named in the query.
#[component]
pub(crate) fn ProposalPage() -> impl IntoView {
    let query = use_query_map();
    move || {
        let (id, step) = query.with(|q| (q.get("id").unwrap_or_default(), q.get("step").unwrap_or_default()));
        if id.is_empty() {
            view! { <StartProposal /> }.into_any()
        } else {
            view! { <ProposalView id step /> }.into_any()
        }
    }
}

/// One row of a GOV.UK summary list.
fn row(key: &'static str, value: String, testid: &'static str) -> impl IntoView {
    view! {
        <div class="govuk-summary-list__row">
            <dt class="govuk-summary-list__key">{key}</dt>
            <dd class="govuk-summary-list__value" data-testid=testid>{value}</dd>
        </div>
    }
}

/// Starts a proposal and shows its progress as it streams in, with a way to cancel it.
#[component]
fn StartProposal() -> impl IntoView {
    set_title("Propose a programme");
    let progress = RwSignal::new(None::<ProposalProgress>);
    let failed = RwSignal::new(None::<api::ApiError>);
    let cancelled = RwSignal::new(false);
    let running = RwSignal::new(false);
    let navigate = use_navigate();
    let start = move |_| {
        failed.set(None);
        cancelled.set(false);
        progress.set(None);
        running.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let result = api::start_proposal(move |p| progress.set(Some(p.clone()))).await;
            running.set(false);
            match result {
                Ok(last) if last.state() == ProposalState::Ready => {
                    navigate(&format!("/programme/proposal?id={}", last.proposal_id), Default::default());
                }
                Ok(_) => cancelled.set(true),
                Err(error) => failed.set(Some(error)),
            }
        });
    };
    let cancel = move |_| {
        if let Some(id) = progress.get_untracked().map(|p| p.proposal_id) {
            leptos::task::spawn_local(async move {
                if let Err(error) = api::cancel_proposal(id).await {
                    failed.set(Some(error));
                }
            });
        }
    };
    let panel = move || {
        progress.get().filter(|_| running.get()).map(|p| {
            view! {
                <h2 class="govuk-heading-m">"Working out a proposal"</h2>
                <dl class="govuk-summary-list">
                    {row("Best score so far (lower is better)", p.best_score.to_string(), "best-score")}
                    {row("Placed", p.placed.to_string(), "placed")}
                    {row("Not placed yet", p.unplaced.to_string(), "unplaced")}
                </dl>
            }
        })
    };
    view! {
        {move || failed.get().map(|error| view! { <ErrorSummary error /> })}
        <h1 class="govuk-heading-l">"Propose a programme"</h1>
        <p class="govuk-body">
            "The scheduler gives each proposed inspection and interim visit of your programme a start week and a team. It keeps every notified engagement where it is and breaks no rule: team composition, availability, conflicts of interest, notice, written consent and each inspector's limit per term."
        </p>
        <p class="govuk-body">
            "It takes a few seconds. Nothing changes until you have checked the proposal and accepted it."
        </p>
        <Show when=move || cancelled.get()>
            <div class="govuk-inset-text" data-testid="proposal-cancelled">
                "The proposal was cancelled. Nothing has changed."
            </div>
        </Show>
        <div aria-live="polite" data-testid="proposal-progress">{panel}</div>
        {move || {
            if running.get() {
                view! {
                    <button type="button" class="govuk-button govuk-button--secondary" data-testid="cancel-proposal" on:click=cancel>
                        "Cancel"
                    </button>
                }
                .into_any()
            } else {
                view! {
                    <button type="button" class="govuk-button" data-testid="start-proposal" on:click=start.clone()>
                        "Propose a programme"
                    </button>
                }
                .into_any()
            }
        }}
    }
}

/// A proposal read from the server: its changes, or the check before accepting it.
#[component]
fn ProposalView(id: String, step: String) -> impl IntoView {
    let proposal = LocalResource::new(move || api::get_proposal(id.clone()));
    view! {
        <Loaded
            resource=proposal
            what="the proposal"
            show=move |p: Proposal| {
                if step == "accept" && p.state() == ProposalState::Ready {
                    view! { <CheckProposal proposal=p /> }.into_any()
                } else {
                    view! { <Changes proposal=p /> }.into_any()
                }
            }
        />
    }
}

fn team_words(team: &[TeamMember]) -> String {
    if team.is_empty() {
        return "No team".to_owned();
    }
    team.iter()
        .map(|m| format!("{} ({})", m.name, team_role_label(m.role()).to_lowercase()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn change_words(c: &ProposalChange) -> &'static str {
    match c.change() {
        ProposalChangeKind::Added => "Given dates and a team",
        ProposalChangeKind::Moved => "Moved",
        ProposalChangeKind::Unchanged if c.pinned => "Unchanged (notified)",
        ProposalChangeKind::Unchanged => "Unchanged",
        ProposalChangeKind::Unplaced => "Could not be placed",
        ProposalChangeKind::Unspecified => "",
    }
}

/// How many engagements accepting `p` changes.
fn changed(p: &Proposal) -> u32 {
    p.added
        + p.moved
        + p.changes
            .iter()
            .filter(|c| c.change() == ProposalChangeKind::Unplaced && !c.current_team.is_empty())
            .count() as u32
}

/// The proposal as a change to the current programme.
#[component]
fn Changes(proposal: Proposal) -> impl IntoView {
    set_title("Proposed programme");
    let p = proposal;
    let banner = (p.state() == ProposalState::Accepted).then(|| {
        let n = changed(&p) as usize;
        view! {
            <div class="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby="accepted-title" data-testid="proposal-accepted">
                <div class="govuk-notification-banner__header">
                    <h2 class="govuk-notification-banner__title" id="accepted-title">"Success"</h2>
                </div>
                <div class="govuk-notification-banner__content">
                    <p class="govuk-notification-banner__heading">"The programme has been changed"</p>
                    <p class="govuk-body">
                        {format!("{} now have the dates and teams this proposal set. ", count(n, "engagement", "engagements"))}
                        <A href="/board" attr:class="govuk-notification-banner__link">"See the programme"</A>
                    </p>
                </div>
            </div>
        }
    });
    let note = match p.state() {
        ProposalState::Cancelled => Some("This proposal was cancelled. Nothing changed."),
        ProposalState::Running => Some("This proposal is still being worked out."),
        _ => None,
    };
    let rows = p
        .changes
        .clone()
        .into_iter()
        .map(|c| {
            let name = c.local_area_name.clone();
            let (now, proposed, what) = (
                format!("{}. {}", range_label(c.current_onsite.as_ref()), team_words(&c.current_team)),
                format!("{}. {}", range_label(c.proposed_onsite.as_ref()), team_words(&c.proposed_team)),
                change_words(&c),
            );
            view! {
                <tr class="govuk-table__row">
                    <td class="govuk-table__cell">
                        <A href=format!("/engagements/{}", c.engagement_id) attr:class="govuk-link">{name}</A>
                        <br />
                        {engagement_kind_label(c.kind())}
                    </td>
                    <td class="govuk-table__cell">{now}</td>
                    <td class="govuk-table__cell">{proposed}</td>
                    <td class="govuk-table__cell" data-testid="change">{what}</td>
                </tr>
            }
        })
        .collect_view();
    let unplaced: Vec<_> =
        p.changes.iter().filter(|c| c.change() == ProposalChangeKind::Unplaced).cloned().collect();
    let unplaced = (!unplaced.is_empty()).then(|| {
        let items = unplaced
            .into_iter()
            .map(|c| view! { <li>{format!("{}, {}: {}", c.local_area_name, engagement_kind_label(c.kind()).to_lowercase(), c.reason)}</li> })
            .collect_view();
        view! {
            <h2 class="govuk-heading-m">"What could not be placed"</h2>
            <p class="govuk-body">"If you accept the proposal, these keep their dates and have no team."</p>
            <ul class="govuk-list govuk-list--bullet" data-testid="unplaced-reasons">{items}</ul>
        }
    });
    let accept = (p.state() == ProposalState::Ready).then(|| {
        view! {
            <div class="govuk-button-group">
                <A href=format!("/programme/proposal?id={}&step=accept", p.id) attr:class="govuk-button" attr:data-testid="accept-proposal">
                    "Accept this programme"
                </A>
                <A href="/programme/proposal" attr:class="govuk-link">"Start again"</A>
            </div>
        }
    });
    view! {
        {banner}
        <h1 class="govuk-heading-l">{format!("Proposed programme for {}", p.scope_name)}</h1>
        {note.map(|text| view! { <div class="govuk-inset-text">{text}</div> })}
        <dl class="govuk-summary-list" data-testid="proposal-counts">
            {row("Given dates and a team", p.added.to_string(), "added")}
            {row("Moved", p.moved.to_string(), "moved")}
            {row("Unchanged", p.unchanged.to_string(), "unchanged")}
            {row("Could not be placed", p.unplaced.to_string(), "unplaced")}
            {row("Score (lower is better)", p.score.to_string(), "score")}
        </dl>
        {accept}
        <Table testid="proposal-changes" caption="Each engagement, now and as proposed" columns=columns(&["Engagement", "Now", "Proposed", "Change"]) small=true>
            {rows}
        </Table>
        {unplaced}
    }
}

/// Check your answers before accepting: what accepting does, then the button.
#[component]
fn CheckProposal(proposal: Proposal) -> impl IntoView {
    set_title("Check the proposed programme");
    let navigate = use_navigate();
    let id = proposal.id.clone();
    let n = changed(&proposal) as usize;
    let target = proposal.clone();
    let accept = Action::new_local(move |(): &()| {
        let target = target.clone();
        async move { api::accept_proposal(&target).await }
    });
    Effect::new(move || {
        if let Some(Ok(_)) = accept.value().get() {
            navigate(&format!("/programme/proposal?id={id}"), Default::default());
        }
    });
    let failed = move || accept.value().get().and_then(Result::err);
    let p = proposal;
    view! {
        {move || failed().map(|error| view! { <ErrorSummary error /> })}
        <h1 class="govuk-heading-l">"Check the proposed programme before you accept it"</h1>
        <dl class="govuk-summary-list">
            {row("Programme", p.scope_name.clone(), "scope")}
            {row("Given dates and a team", p.added.to_string(), "added")}
            {row("Moved", p.moved.to_string(), "moved")}
            {row("Unchanged", p.unchanged.to_string(), "unchanged")}
            {row("Could not be placed", p.unplaced.to_string(), "unplaced")}
        </dl>
        <div class="govuk-warning-text">
            <span class="govuk-warning-text__icon" aria-hidden="true">"!"</span>
            <strong class="govuk-warning-text__text">
                <span class="govuk-visually-hidden">"Warning"</span>
                {format!(
                    "Accepting changes the dates and teams of {} at once. Engagements that could not be placed lose their team; notified engagements are not touched. If the programme has changed since the proposal began, nothing is changed.",
                    count(n, "engagement", "engagements"),
                )}
            </strong>
        </div>
        <div class="govuk-button-group">
            <button type="button" class="govuk-button" data-testid="confirm-accept" disabled=accept.pending() on:click=move |_| {
                accept.dispatch(());
            }>
                "Accept this programme"
            </button>
            <A href=format!("/programme/proposal?id={}", p.id) attr:class="govuk-link">"Back to the proposal"</A>
        </div>
    }
}
