//! "What needs your attention" on each role's start page, the safeguarding banner national
//! planners see until a concern is acknowledged, and the letters waiting for approval
//! (`/approvals`). The server decides what reaches whom: the page shows every list it answers.

use leptos::prelude::*;
use leptos_router::components::A;
use proto::pb::{CaseStudiesAsked, ConcernDue, GetStartPageResponse, LetterDue, NoticeDue, ReplyDue};

use crate::{
    api,
    components::{Loaded, set_title},
    format::{count, date_label, engagement_kind_label, phase_label, time_label},
};

fn nothing_waits(page: &GetStartPageResponse) -> bool {
    page.replies.is_empty()
        && page.unread_letters.is_empty()
        && page.returned_letters.is_empty()
        && page.letters_to_approve.is_empty()
        && page.notices.is_empty()
        && page.case_studies_asked.is_empty()
}

/// The start page's section: every list the server answered for the signed-in person, with
/// links; "Nothing needs your attention." when they are all empty. National planners also get
/// the safeguarding banner above it while a concern is unacknowledged.
#[component]
pub(crate) fn WhatNeedsAttention() -> impl IntoView {
    let page = LocalResource::new(api::get_start_page);
    view! {
        <Loaded
            resource=page
            what="what needs your attention"
            show=attention
        />
    }
}

fn attention(page: GetStartPageResponse) -> AnyView {
    let banner =
        (!page.concerns.is_empty()).then(|| view! { <SafeguardingBanner concerns=page.concerns.clone() /> });
    let body = if nothing_waits(&page) {
        view! { <p class="govuk-body" data-testid="nothing-waits">"Nothing needs your attention."</p> }
            .into_any()
    } else {
        view! {
            <Replies replies=page.replies />
            <Notices notices=page.notices />
            <ToApprove letters=page.letters_to_approve />
            <Returned letters=page.returned_letters />
            <Unread letters=page.unread_letters />
            <MoreAsked asked=page.case_studies_asked />
        }
        .into_any()
    };
    view! {
        {banner}
        <section data-testid="attention" aria-labelledby="attention-heading">
            <h2 class="govuk-heading-m" id="attention-heading">"What needs your attention"</h2>
            {body}
        </section>
    }
    .into_any()
}

/// The important banner: how many concerns wait, and the way to them.
#[component]
fn SafeguardingBanner(concerns: Vec<ConcernDue>) -> impl IntoView {
    let text = match concerns.len() {
        1 => "A safeguarding concern is waiting for a national planner to acknowledge it.".to_owned(),
        n => format!("{n} safeguarding concerns are waiting for a national planner to acknowledge them."),
    };
    view! {
        <div
            class="govuk-notification-banner"
            role="region"
            aria-labelledby="safeguarding-banner-title"
            data-testid="safeguarding-banner"
        >
            <div class="govuk-notification-banner__header">
                <h2 class="govuk-notification-banner__title" id="safeguarding-banner-title">"Important"</h2>
            </div>
            <div class="govuk-notification-banner__content">
                <p class="govuk-notification-banner__heading">
                    {text} " "
                    <A href="/safeguarding" attr:class="govuk-notification-banner__link">"View safeguarding concerns"</A>
                </p>
            </div>
        </div>
    }
}

/// A red "Overdue" tag, or nothing.
fn overdue_tag(overdue: bool, label: &'static str) -> impl IntoView {
    overdue.then(
        || view! { " " <strong class="govuk-tag govuk-tag--red" data-testid="overdue">{label}</strong> },
    )
}

#[component]
fn Replies(replies: Vec<ReplyDue>) -> impl IntoView {
    (!replies.is_empty()).then(|| {
        let heading = count(
            replies.len(),
            "visit request waiting for an answer",
            "visit requests waiting for an answer",
        );
        let items = replies
            .into_iter()
            .map(|r| {
                let when = if r.overdue {
                    format!("The reply was due by {}", date_label(&r.reply_by))
                } else {
                    format!("Reply by {}", date_label(&r.reply_by))
                };
                let link = format!(
                    "{}: interim visit in the {}",
                    r.local_area_name,
                    phase_label(r.phase.as_ref()).to_lowercase()
                );
                view! {
                    <li data-testid="reply-due">
                        <A href=format!("/requests/{}", r.request_id) attr:class="govuk-link">{link}</A>
                        <br />
                        <span data-testid="reply-by">{when}</span>
                        {overdue_tag(r.overdue, "Overdue")}
                    </li>
                }
            })
            .collect_view();
        view! {
            <h3 class="govuk-heading-s">{heading}</h3>
            <ul class="govuk-list govuk-list--spaced" data-testid="replies">{items}</ul>
        }
    })
}

#[component]
fn Notices(notices: Vec<NoticeDue>) -> impl IntoView {
    (!notices.is_empty()).then(|| {
        let heading = count(
            notices.len(),
            "local area to tell of its inspection",
            "local areas to tell of their inspections",
        );
        let items = notices
            .into_iter()
            .map(|n| {
                let when = if n.overdue {
                    format!("The local area had to be told on {}", date_label(&n.notification_date))
                } else {
                    format!("Tell the local area on {}", date_label(&n.notification_date))
                };
                let link =
                    format!("{}: {}", n.local_area_name, engagement_kind_label(n.kind()).to_lowercase());
                view! {
                    <li data-testid="notice-due">
                        <A href=format!("/engagements/{}", n.engagement_id) attr:class="govuk-link">{link}</A>
                        <br />
                        {format!("{when}; onsite from {}", date_label(&n.onsite_first))}
                        {overdue_tag(n.overdue, "Late")}
                    </li>
                }
            })
            .collect_view();
        view! {
            <h3 class="govuk-heading-s">{heading}</h3>
            <ul class="govuk-list govuk-list--spaced" data-testid="notices">{items}</ul>
        }
    })
}

#[component]
fn ToApprove(letters: Vec<LetterDue>) -> impl IntoView {
    (!letters.is_empty()).then(|| {
        let text = match letters.len() {
            1 => "1 letter is waiting for approval.".to_owned(),
            n => format!("{n} letters are waiting for approval."),
        };
        view! {
            <h3 class="govuk-heading-s">"Letters to approve"</h3>
            <p class="govuk-body" data-testid="to-approve">
                {text} " "
                <A href="/approvals" attr:class="govuk-link" attr:data-testid="approvals-link">"View letters waiting for approval"</A>
            </p>
        }
    })
}

/// One letter with a link to it and, for a returned one, the reason.
fn letter_item(l: LetterDue, testid: &'static str) -> impl IntoView {
    let reason = (!l.returned_reason.is_empty()).then(|| {
        view! {
            <br />
            <span data-testid="returned-reason">{format!("Returned because: {}", l.returned_reason)}</span>
        }
    });
    let issued =
        (!l.issued_at.is_empty()).then(|| view! { <br /> {format!("Issued {}", time_label(&l.issued_at))} });
    let about =
        format!("{}, {}", l.local_area_name, engagement_kind_label(l.engagement_kind()).to_lowercase());
    view! {
        <li data-testid=testid>
            <A href=format!("/letters/{}", l.letter_id) attr:class="govuk-link">{l.title}</A>
            <br />
            {about}
            {reason}
            {issued}
        </li>
    }
}

#[component]
fn Returned(letters: Vec<LetterDue>) -> impl IntoView {
    (!letters.is_empty()).then(|| {
        let heading = count(letters.len(), "letter returned to you", "letters returned to you");
        let items = letters.into_iter().map(|l| letter_item(l, "returned-letter")).collect_view();
        view! {
            <h3 class="govuk-heading-s">{heading}</h3>
            <ul class="govuk-list govuk-list--spaced" data-testid="returned-letters">{items}</ul>
        }
    })
}

#[component]
fn Unread(letters: Vec<LetterDue>) -> impl IntoView {
    (!letters.is_empty()).then(|| {
        let heading = count(letters.len(), "letter you have not read", "letters you have not read");
        let items = letters.into_iter().map(|l| letter_item(l, "unread-letter")).collect_view();
        view! {
            <h3 class="govuk-heading-s">{heading}</h3>
            <ul class="govuk-list govuk-list--spaced" data-testid="unread-letters">{items}</ul>
        }
    })
}

/// Local areas: the case-study lists the visiting team asked them to add children to.
#[component]
fn MoreAsked(asked: Vec<CaseStudiesAsked>) -> impl IntoView {
    (!asked.is_empty()).then(|| {
        let heading = count(
            asked.len(),
            "case-study list to add children to",
            "case-study lists to add children to",
        );
        let items = asked
            .into_iter()
            .map(|m| {
                let link = format!(
                    "Case studies for the {} of {}",
                    engagement_kind_label(m.kind()).to_lowercase(),
                    m.local_area_name
                );
                view! {
                    <li data-testid="case-studies-asked">
                        <A href=format!("/engagements/{}/case-studies", m.engagement_id) attr:class="govuk-link">{link}</A>
                        <br />
                        {format!("The visiting team asked for more children on {}", time_label(&m.asked_at))}
                    </li>
                }
            })
            .collect_view();
        view! {
            <h3 class="govuk-heading-s">{heading}</h3>
            <ul class="govuk-list govuk-list--spaced">{items}</ul>
        }
    })
}

/// National planners: the letters submitted for approval, oldest first, each linking to it.
#[component]
pub(crate) fn ApprovalsPage() -> impl IntoView {
    set_title("Letters waiting for approval");
    let page = LocalResource::new(api::get_start_page);
    view! {
        <h1 class="govuk-heading-l">"Letters waiting for approval"</h1>
        <Loaded resource=page what="letters waiting for approval" show=|page: GetStartPageResponse| {
            let letters = page.letters_to_approve;
            if letters.is_empty() {
                return view! { <p class="govuk-body" data-testid="no-approvals">"No letters are waiting for approval."</p> }.into_any();
            }
            let items = letters.into_iter().map(|l| letter_item(l, "letter-to-approve")).collect_view();
            view! { <ul class="govuk-list govuk-list--spaced" data-testid="approvals">{items}</ul> }.into_any()
        } />
    }
}
