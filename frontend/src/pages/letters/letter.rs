//! One letter (`/letters/<id>`): its facts, its text, who receives it, and the actions the server
//! allows the person now (`Letter.allowed_actions`).

use leptos::prelude::*;
use leptos_router::components::A;
use proto::pb::{EngagementKind, Letter, LetterAction, Recipient, Role};

use super::{
    LetterBody, LetterStateTag,
    actions::{
        ApproveForm, CheckSection, CorrectForm, DistributionForm, EditDraftForm, IssueCheck, IssueForm,
        PublicationForm, PublishCheck, ReturnForm, RevokeCheck, SubmitForm,
    },
    when,
};
use crate::{
    api::{self, ApiError},
    components::{
        ActionButton, ErrorSummary, Loaded, Record, RecordPage, SummaryRow, Table, Tag, columns, nothing,
        set_title, step_href, use_step,
    },
    format::{engagement_kind_label, recipient_label, time_label},
    session::{role_label, use_session},
};

/// The letter in the address.
#[component]
pub(crate) fn LetterPage() -> impl IntoView {
    view! {
        <RecordPage
            title="Letter"
            what="the letter"
            load=api::get_letter
            show=|letter, record| view! { <LetterView letter record /> }
        />
    }
}

/// The letter's page, or a check before something that cannot be undone (`?task=…`): issuing it,
/// publishing it, or ending a recipient's access. A check the server does not allow the person
/// now shows the letter instead.
#[component]
fn LetterView(letter: Letter, record: Record<Letter>) -> impl IntoView {
    let task = use_step("task");
    let allowed: Vec<LetterAction> = letter.allowed_actions().collect();
    let may = move |action: LetterAction| allowed.contains(&action);
    // The publication time typed before the issue is checked.
    let publish_at = RwSignal::new(String::new());
    move || {
        let letter = letter.clone();
        match task.get().as_deref() {
            Some(task @ ("edit" | "approve" | "return" | "distribution" | "issue" | "correct"))
                if may(task_action(task)) =>
            {
                view! { <LetterTask letter record task=task.to_owned() publish_at /> }.into_any()
            }
            Some("check-issue") if may(LetterAction::Issue) => {
                view! { <IssueCheck letter record publish_at /> }.into_any()
            }
            Some("check-publish") if may(LetterAction::SetPublication) && !letter.published => {
                view! { <PublishCheck letter record /> }.into_any()
            }
            Some(step) if may(LetterAction::Revoke) && step.starts_with("revoke-") => {
                let recipient = step
                    .trim_start_matches("revoke-")
                    .parse::<i32>()
                    .ok()
                    .and_then(|r| Recipient::try_from(r).ok());
                let has_access = |r: Recipient| {
                    letter.distribution.iter().any(|d| d.recipient() == r && d.revoked_at.is_empty())
                };
                match recipient.filter(|r| has_access(*r)) {
                    Some(recipient) => view! { <RevokeCheck letter record recipient /> }.into_any(),
                    None => view! { <LetterSummary letter record /> }.into_any(),
                }
            }
            _ => view! { <LetterSummary letter record /> }.into_any(),
        }
    }
}

/// The action a task page of the letter does.
fn task_action(task: &str) -> LetterAction {
    match task {
        "edit" => LetterAction::Edit,
        "approve" => LetterAction::Approve,
        "return" => LetterAction::Return,
        "distribution" => LetterAction::SetDistribution,
        "issue" => LetterAction::Issue,
        "correct" => LetterAction::Correct,
        _ => LetterAction::Unspecified,
    }
}

/// One of the letter's tasks on its own page: the way back, the letter's caption and the form
/// (with the content checks beside the draft and the approval).
#[component]
fn LetterTask(
    letter: Letter,
    record: Record<Letter>,
    task: String,
    publish_at: RwSignal<String>,
) -> impl IntoView {
    let caption = format!("{}: {}", letter.title, letter.local_area_name);
    let id = letter.id.clone();
    let (title, form) = match task.as_str() {
        "edit" => {
            ("Edit the draft", view! { <EditDraftForm letter record /> <CheckSection id /> }.into_any())
        }
        "approve" => (
            "Approve the letter",
            view! {
                <div class="govuk-inset-text" data-testid="letter-body">
                    <LetterBody body=letter.body.clone() headings=letter.section_headings.clone() />
                </div>
                <ApproveForm letter record />
                <CheckSection id />
            }
            .into_any(),
        ),
        "return" => ("Return the letter to the team", view! { <ReturnForm letter record /> }.into_any()),
        "distribution" => ("Change who receives it", view! { <DistributionForm letter record /> }.into_any()),
        "issue" => ("Issue the letter", view! { <IssueForm letter publish_at /> }.into_any()),
        _ => ("Correct the letter", view! { <CorrectForm letter record /> }.into_any()),
    };
    set_title(&format!("{title}: {caption}"));
    view! {
        <A href=step_href("task", None) attr:class="govuk-back-link">"Back to the letter"</A>
        <span class="govuk-caption-l">{caption}</span>
        {form}
    }
}

/// The letter, its distribution and the actions the server allows the person.
#[component]
fn LetterSummary(letter: Letter, record: Record<Letter>) -> impl IntoView {
    set_title(&letter.title);
    let session = use_session();
    let role = session.person().map_or(Role::Unspecified, |person| person.role());
    let allowed: Vec<LetterAction> = letter.allowed_actions().collect();
    let may = move |action: LetterAction| allowed.contains(&action);
    let kind = letter.engagement_kind();
    let back = if role == Role::NationalPlanner {
        view! {
            <A href=format!("/engagements/{}", letter.engagement_id) attr:class="govuk-back-link">
                "Back to the engagement"
            </A>
        }
        .into_any()
    } else {
        view! { <A href="/letters" attr:class="govuk-back-link">"Back to letters"</A> }.into_any()
    };
    let link_row =
        |key: &'static str, testid: &'static str, id: &str, text: &'static str, link: &'static str| {
            (!id.is_empty()).then(|| {
                let href = format!("/letters/{id}");
                view! {
                    <SummaryRow key>
                        <span data-testid=testid>{text} <A href=href attr:class="govuk-link">{link}</A></span>
                    </SummaryRow>
                }
            })
        };
    let corrects = link_row(
        "Corrects",
        "corrects",
        &letter.supersedes_id,
        "This letter corrects an earlier version. ",
        "Read the earlier version",
    );
    let superseded = link_row(
        "Superseded by",
        "superseded-by",
        &letter.superseded_by_id,
        "A corrected version replaces this letter. ",
        "Read the corrected version",
    );
    let publication = if kind == EngagementKind::InterimVisit {
        let published = if letter.published { "Published by the local area" } else { "Not published" };
        let named = if letter.named_in_national_reports {
            "May be named in national reports"
        } else {
            "Not named in national reports"
        };
        view! {
            <SummaryRow key="Publication">
                <span data-testid="publication">{published}</span>
            </SummaryRow>
            <SummaryRow key="National reports">{named}</SummaryRow>
        }
        .into_any()
    } else {
        let publish_at = when(&letter.publish_at);
        view! {
            <SummaryRow key="Publication">
                <span data-testid="publication">{publish_at}</span>
            </SummaryRow>
        }
        .into_any()
    };
    let reason = letter.returned_reason.clone();
    let returned = (!reason.is_empty()).then(|| {
        view! {
            <SummaryRow key="Returned because">
                <span data-testid="returned-reason">{reason}</span>
            </SummaryRow>
        }
    });
    let id = letter.id.clone();
    let state = letter.state();
    let issued = when(&letter.issued_at);
    let edit = may(LetterAction::Edit);
    let approve = may(LetterAction::Approve);
    // What the person may do: the small choices here, each larger one on its own page.
    let link =
        |allowed: bool, task: &'static str, testid: &'static str, words: &'static str, button: bool| {
            allowed.then(|| {
            let class = if button { "govuk-button govuk-!-margin-bottom-2" } else { "govuk-link" };
            view! {
                <li>
                    <A href=step_href("task", Some(task)) attr:class=class attr:data-testid=testid>{words}</A>
                </li>
            }
        })
        };
    let tasks = [
        link(edit, "edit", "edit-link", "Edit the draft", false),
        link(approve, "approve", "approve-link", "Approve the letter", true),
        link(may(LetterAction::Return), "return", "return-link", "Return it to the team", false),
        link(
            may(LetterAction::SetDistribution),
            "distribution",
            "distribution-link",
            "Change who receives it",
            false,
        ),
        link(may(LetterAction::Issue), "issue", "issue-link", "Issue the letter", true),
        link(may(LetterAction::Correct), "correct", "correct-link", "Correct the letter", false),
    ];
    let tasks = tasks.iter().any(Option::is_some).then(|| {
        view! {
            <h2 class="govuk-heading-m">"What you can do"</h2>
            <ul class="govuk-list" data-testid="letter-tasks">{tasks.into_iter().flatten().collect_view()}</ul>
        }
    });
    let actions = view! {
        {(edit || approve).then(|| view! { <CheckSection id=id.clone() /> })}
        {may(LetterAction::Submit).then(|| view! { <SubmitForm letter=letter.clone() record /> })}
        {tasks}
        {may(LetterAction::SetPublication).then(|| view! { <PublicationForm letter=letter.clone() record /> })}
        {may(LetterAction::ViewAudience).then(|| view! { <AccessTables id=id.clone() /> })}
    };
    view! {
        {back}
        <span class="govuk-caption-l">
            {format!("{}: {}, {}", engagement_kind_label(kind), letter.local_area_name, letter.region_name)}
        </span>
        <h1 class="govuk-heading-l" data-testid="letter-title">{letter.title.clone()}</h1>
        <dl class="govuk-summary-list" data-testid="letter-summary">
            <SummaryRow key="State"><LetterStateTag state /></SummaryRow>
            <SummaryRow key="Date issued">{issued}</SummaryRow>
            {publication}
            {returned}
            {corrects}
            {superseded}
        </dl>
        <DownloadPdf id=id.clone() />
        <div class="govuk-inset-text" data-testid="letter-body">
            <LetterBody body=letter.body.clone() headings=letter.section_headings.clone() />
        </div>
        <DistributionTable revoke=may(LetterAction::Revoke) letter=letter.clone() />
        {actions}
    }
}

/// "Download PDF", with the refusal if there is one.
#[component]
fn DownloadPdf(id: String) -> impl IntoView {
    let error = RwSignal::new(None::<ApiError>);
    let download = Action::new_local(move |(): &()| {
        let id = id.clone();
        async move {
            error.set(api::download_letter_pdf(id).await.err());
        }
    });
    view! {
        {move || error.get().map(|error| view! { <ErrorSummary error /> })}
        <ActionButton action=download testid="download-pdf" label="Download PDF" />
    }
}

/// Who the letter is distributed to; revoked recipients are marked. With `revoke`, each
/// recipient who still has access can have it ended.
#[component]
fn DistributionTable(letter: Letter, revoke: bool) -> impl IntoView {
    let rows = letter
        .distribution
        .iter()
        .map(|entry| {
            let recipient = entry.recipient();
            let revoked = !entry.revoked_at.is_empty();
            let access = if revoked {
                view! { <strong class="govuk-tag govuk-tag--red">{format!("Revoked {}", time_label(&entry.revoked_at))}</strong> }
                    .into_any()
            } else {
                view! { <Tag class="govuk-tag govuk-tag--green" label="Has access" testid="access" /> }.into_any()
            };
            let button = (revoke && !revoked).then(|| {
                let href = step_href("task", Some(&format!("revoke-{}", recipient as i32)));
                view! {
                    <A href attr:class="govuk-link" attr:data-testid="revoke">
                        "Revoke access"<span class="govuk-visually-hidden">{format!(" of {}", recipient_label(recipient))}</span>
                    </A>
                }
            });
            view! {
                <tr class="govuk-table__row" data-recipient=format!("{recipient:?}")>
                    <th scope="row" class="govuk-table__header">{recipient_label(recipient)}</th>
                    <td class="govuk-table__cell">{access}</td>
                    {revoke.then(|| view! { <td class="govuk-table__cell">{button}</td> })}
                </tr>
            }
        })
        .collect_view();
    let names: &[&str] = if revoke { &["Recipient", "Access", "Action"] } else { &["Recipient", "Access"] };
    view! { <Table testid="distribution" caption="Distribution" columns=columns(names)>{rows}</Table> }
}

/// Everyone who can see the letter now, and who has opened it.
#[component]
fn AccessTables(id: String) -> impl IntoView {
    let people = LocalResource::new({
        let id = id.clone();
        move || api::who_can_see(id.clone())
    });
    let views = LocalResource::new(move || api::list_letter_views(id.clone()));
    let people_table = |list: Vec<proto::pb::PersonWithAccess>| {
        let rows = list
            .into_iter()
            .map(|p| {
                view! {
                    <tr class="govuk-table__row">
                        <th scope="row" class="govuk-table__header">{p.display_name.clone()}</th>
                        <td class="govuk-table__cell">{p.username.clone()}</td>
                        <td class="govuk-table__cell">{role_label(p.role())}</td>
                        <td class="govuk-table__cell">{p.because.clone()}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <Table testid="who-can-see" caption="Who can see this letter now" columns=columns(&["Name", "Username", "Role", "Why"])>
                {rows}
            </Table>
        }
    };
    let views_table = |list: Vec<proto::pb::LetterView>| {
        let rows = list
            .into_iter()
            .map(|v| {
                let action = match v.action.as_str() {
                    "letter.view" => "Opened",
                    "letter.download" => "Downloaded the PDF",
                    _ => "Read",
                };
                view! {
                    <tr class="govuk-table__row">
                        <th scope="row" class="govuk-table__header">{v.person.clone()}</th>
                        <td class="govuk-table__cell">{action}</td>
                        <td class="govuk-table__cell">{time_label(&v.occurred_at)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <Table testid="letter-views" caption="Who has opened it" columns=columns(&["Person", "What", "When"])>
                {rows}
            </Table>
        }
    };
    let no_views = ViewFn::from(|| {
        view! {
            <h2 class="govuk-heading-m">"Who has opened it"</h2>
            {nothing("no-views", "Nobody has opened or downloaded it yet.").run()}
        }
    });
    view! {
        <Loaded resource=people what="who can see the letter" show=people_table />
        <Loaded resource=views what="who has opened the letter" is_empty=Vec::is_empty empty=no_views show=views_table />
    }
}
