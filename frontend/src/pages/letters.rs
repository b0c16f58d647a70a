//! Letters and reports: the inbox (`/letters`), one letter with what each role may do with it
//! (`/letters/<id>`), an engagement's letters with the writer's "Start the letter" form, the
//! public page of published letters (`/published`) and the anonymised national report
//! (`/national-report`).
//!
//! A letter the person may not see answers NOT_FOUND, exactly like a missing one, and the page
//! shows "Page not found" for both.

use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map},
};
use proto::pb::{CheckFinding, CheckOverride, EngagementKind, Letter, LetterState, Recipient, Role};
use tonic::Code;

use crate::{
    api::{self, ApiError},
    components::{
        ErrorSummary, FormError, Loading, NotificationBanner, SummaryRow, TextInput, set_title, settle,
    },
    format::{
        INTERIM_LETTER_TEMPLATE, LetterBlock, RECIPIENTS, engagement_kind_label, is_inspection,
        letter_blocks, letter_state_label, letter_state_tag_class, recipient_label, time_label,
    },
    pages::not_found::NotFound,
    session::{role_label, use_session},
};

/// A change made on the page: the letter as it now stands, and what happened in one sentence.
type Changed = (Letter, String);

/// A letter's state as a GOV.UK tag.
#[component]
fn LetterStateTag(state: LetterState) -> impl IntoView {
    view! { <strong class=letter_state_tag_class(state) data-testid="letter-state">{letter_state_label(state)}</strong> }
}

/// An RFC 3339 time in words, or "Not yet" when empty.
fn when(rfc3339: &str) -> String {
    if rfc3339.is_empty() { "Not yet".to_owned() } else { time_label(rfc3339) }
}

/// A table of letters linking to each. In the inbox, each row says whether the person has
/// opened it; otherwise it shows the letter's state.
#[component]
fn LetterList(letters: Vec<Letter>, #[prop(into)] caption: String, inbox: bool) -> impl IntoView {
    let rows = letters
        .into_iter()
        .map(|letter| {
            let status = if inbox {
                let (label, class) = if letter.first_opened_at.is_empty() {
                    ("Unread", "govuk-tag govuk-tag--blue")
                } else {
                    ("Read", "govuk-tag govuk-tag--grey")
                };
                view! { <strong class=class data-testid="read-state">{label}</strong> }.into_any()
            } else {
                view! { <LetterStateTag state=letter.state() /> }.into_any()
            };
            view! {
                <tr class="govuk-table__row" data-letter=letter.id.clone()>
                    <th scope="row" class="govuk-table__header">
                        <A href=format!("/letters/{}", letter.id) attr:class="govuk-link">{letter.title.clone()}</A>
                    </th>
                    <td class="govuk-table__cell">{format!("{}, {}", letter.local_area_name, letter.region_name)}</td>
                    <td class="govuk-table__cell">{when(&letter.issued_at)}</td>
                    <td class="govuk-table__cell">{status}</td>
                </tr>
            }
        })
        .collect_view();
    let last = if inbox { "Read" } else { "State" };
    view! {
        <table class="govuk-table" data-testid="letters">
            <caption class="govuk-table__caption govuk-table__caption--m">{caption}</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"Title"</th>
                    <th scope="col" class="govuk-table__header">"Local area"</th>
                    <th scope="col" class="govuk-table__header">"Date issued"</th>
                    <th scope="col" class="govuk-table__header">{last}</th>
                </tr>
            </thead>
            <tbody class="govuk-table__body">{rows}</tbody>
        </table>
    }
}

/// "Letters": those distributed to the person (recipient bodies, local area users) or issued
/// for their visits (inspectors), newest first, unread or read.
#[component]
pub(crate) fn LettersPage() -> impl IntoView {
    set_title("Letters");
    let letters = LocalResource::new(api::list_inbox);
    let list = move || match letters.get() {
        None => view! { <Loading what="your letters" /> }.into_any(),
        Some(Err(error)) => view! { <ErrorSummary error /> }.into_any(),
        Some(Ok(list)) if list.is_empty() => view! {
            <p class="govuk-body" data-testid="no-letters">"No letters have been distributed to you yet."</p>
        }
        .into_any(),
        Some(Ok(list)) => {
            let caption = format!("{} letters", list.len());
            view! { <LetterList letters=list caption inbox=true /> }.into_any()
        }
    };
    view! {
        <h1 class="govuk-heading-l" data-testid="start-page">"Letters"</h1>
        {list}
    }
}

/// A letter's text: its section headings and paragraphs. `level` is the headings' level.
#[component]
fn LetterBody(body: String, #[prop(optional)] small: bool) -> impl IntoView {
    letter_blocks(&body)
        .into_iter()
        .map(|block| match block {
            LetterBlock::Heading(text) if small => {
                view! { <h3 class="govuk-heading-s">{text}</h3> }.into_any()
            }
            LetterBlock::Heading(text) => view! { <h2 class="govuk-heading-m">{text}</h2> }.into_any(),
            LetterBlock::Paragraph(text) => view! { <p class="govuk-body">{text}</p> }.into_any(),
        })
        .collect_view()
}

/// The letter in the address. After any change the page shows the letter the server returned,
/// with a success banner.
#[component]
pub(crate) fn LetterPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let letter = LocalResource::new(move || api::get_letter(id()));
    let notice = RwSignal::new(None::<String>);
    let on_change = Callback::new(move |(updated, text): Changed| {
        notice.set(Some(text));
        letter.set(Some(Ok(updated)));
    });
    let reload = Callback::new(move |()| {
        notice.set(None);
        letter.refetch();
    });
    move || match letter.get() {
        None => {
            set_title("Letter");
            view! { <Loading what="the letter" /> }.into_any()
        }
        Some(Err(error)) if error.code == Code::NotFound => view! { <NotFound /> }.into_any(),
        Some(Err(error)) => {
            set_title("Sorry, there is a problem");
            view! {
                <ErrorSummary error />
                <h1 class="govuk-heading-l">"Letter"</h1>
            }
            .into_any()
        }
        Some(Ok(letter)) => view! { <LetterView letter notice on_change reload /> }.into_any(),
    }
}

/// The letter, its distribution and the actions of the person's role in its state.
#[component]
fn LetterView(
    letter: Letter,
    notice: RwSignal<Option<String>>,
    on_change: Callback<Changed>,
    reload: Callback<()>,
) -> impl IntoView {
    set_title(&letter.title);
    let session = use_session();
    let role = session.person().map_or(Role::Unspecified, |person| person.role());
    let state = letter.state();
    let kind = letter.engagement_kind();
    let interim = kind == EngagementKind::InterimVisit;
    let planner = role == Role::NationalPlanner;
    let back = if planner {
        view! {
            <A href=format!("/engagements/{}", letter.engagement_id) attr:class="govuk-back-link">
                "Back to the engagement"
            </A>
        }
        .into_any()
    } else {
        view! { <A href="/letters" attr:class="govuk-back-link">"Back to letters"</A> }.into_any()
    };
    let corrects = (!letter.supersedes_id.is_empty()).then(|| {
        let href = format!("/letters/{}", letter.supersedes_id);
        view! {
            <SummaryRow key="Corrects">
                <span data-testid="corrects">
                    "This letter corrects an earlier version. "
                    <A href=href attr:class="govuk-link">"Read the earlier version"</A>
                </span>
            </SummaryRow>
        }
    });
    let superseded = (!letter.superseded_by_id.is_empty()).then(|| {
        let href = format!("/letters/{}", letter.superseded_by_id);
        view! {
            <SummaryRow key="Superseded by">
                <span data-testid="superseded-by">
                    "A corrected version replaces this letter. "
                    <A href=href attr:class="govuk-link">"Read the corrected version"</A>
                </span>
            </SummaryRow>
        }
    });
    let publish_at = when(&letter.publish_at);
    let publication = if interim {
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
        view! {
            <SummaryRow key="Publication">
                <span data-testid="publication">{publish_at}</span>
            </SummaryRow>
        }
        .into_any()
    };
    let issued = when(&letter.issued_at);
    let id = letter.id.clone();
    let version = letter.version;
    let writing = role == Role::Inspector && state == LetterState::Draft;
    let actions = view! {
        {writing
            .then(|| {
                view! {
                    <EditDraftForm id=id.clone() version title=letter.title.clone() body=letter.body.clone() on_change reload />
                }
            })}
        {(writing || (planner && state == LetterState::Submitted)).then(|| view! { <CheckSection id=id.clone() /> })}
        {writing.then(|| view! { <SubmitForm id=id.clone() version on_change reload /> })}
        {(planner && state == LetterState::Submitted)
            .then(|| {
                view! {
                    <ApproveForm id=id.clone() version on_change reload />
                    <ReturnForm id=id.clone() version on_change reload />
                }
            })}
        {(planner && matches!(state, LetterState::Draft | LetterState::Submitted | LetterState::Approved))
            .then(|| {
                let current = letter
                    .distribution
                    .iter()
                    .filter(|d| d.revoked_at.is_empty())
                    .map(|d| d.recipient())
                    .collect::<Vec<_>>();
                view! { <DistributionForm id=id.clone() version current on_change reload /> }
            })}
        {(planner && state == LetterState::Approved)
            .then(|| view! { <IssueForm id=id.clone() version report=is_inspection(kind) on_change reload /> })}
        {(planner && state == LetterState::Issued)
            .then(|| {
                view! { <CorrectForm id=id.clone() title=letter.title.clone() body=letter.body.clone() notice /> }
            })}
        {(role == Role::LocalAreaUser && interim && state == LetterState::Issued)
            .then(|| {
                view! {
                    <PublicationForm
                        id=id.clone()
                        published=letter.published
                        named=letter.named_in_national_reports
                        on_change
                        reload
                    />
                }
            })}
        {planner.then(|| view! { <AccessTables id=id.clone() /> })}
    };
    view! {
        {back}
        {move || notice.get().map(|text| view! { <NotificationBanner text success=true /> })}
        <span class="govuk-caption-l">
            {format!("{}: {}, {}", engagement_kind_label(kind), letter.local_area_name, letter.region_name)}
        </span>
        <h1 class="govuk-heading-l" data-testid="letter-title">{letter.title.clone()}</h1>
        <dl class="govuk-summary-list" data-testid="letter-summary">
            <SummaryRow key="State"><LetterStateTag state /></SummaryRow>
            <SummaryRow key="Date issued">{issued}</SummaryRow>
            {publication}
            {corrects}
            {superseded}
        </dl>
        <DownloadPdf id=id.clone() />
        <div class="govuk-inset-text" data-testid="letter-body">
            <LetterBody body=letter.body.clone() />
        </div>
        <DistributionTable letter=letter.clone() revoke=planner && state == LetterState::Issued on_change reload />
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
        <button
            type="button"
            class="govuk-button govuk-button--secondary"
            data-testid="download-pdf"
            disabled=download.pending()
            on:click=move |_| {
                download.dispatch(());
            }
        >
            "Download PDF"
        </button>
    }
}

/// Who the letter is distributed to; revoked recipients are marked. A national planner may
/// revoke a recipient of an issued letter.
#[component]
fn DistributionTable(
    letter: Letter,
    revoke: bool,
    on_change: Callback<Changed>,
    reload: Callback<()>,
) -> impl IntoView {
    let error = RwSignal::new(None::<ApiError>);
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
                view! { <strong class="govuk-tag govuk-tag--green">"Has access"</strong> }.into_any()
            };
            let button = (revoke && !revoked).then(|| {
                let id = letter.id.clone();
                let action = Action::new_local(move |(): &()| {
                    let id = id.clone();
                    async move {
                        settle(
                            api::revoke_recipient(id, recipient),
                            error,
                            on_change,
                            &format!("{} no longer has access.", recipient_label(recipient)),
                        )
                        .await;
                    }
                });
                view! {
                    <button
                        type="button"
                        class="govuk-button govuk-button--warning govuk-!-margin-bottom-0"
                        data-testid="revoke"
                        disabled=action.pending()
                        on:click=move |_| {
                            action.dispatch(());
                        }
                    >
                        "Revoke" <span class="govuk-visually-hidden">{format!(" {}", recipient_label(recipient))}</span>
                    </button>
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
    view! {
        <FormError error reload what="the letter" />
        <table class="govuk-table" data-testid="distribution">
            <caption class="govuk-table__caption govuk-table__caption--m">"Distribution"</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"Recipient"</th>
                    <th scope="col" class="govuk-table__header">"Access"</th>
                    {revoke.then(|| view! { <th scope="col" class="govuk-table__header">"Action"</th> })}
                </tr>
            </thead>
            <tbody class="govuk-table__body">{rows}</tbody>
        </table>
    }
}

/// A labelled textarea for a letter's text, bound to a signal.
#[component]
fn BodyInput(id: &'static str, #[prop(into)] label: String, value: RwSignal<String>) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <div class="govuk-form-group">
            <label class="govuk-label govuk-label--s" for=id>{label}</label>
            <div class="govuk-hint" id=hint_id.clone()>
                "Put each section heading on a line of its own. An interim-visit letter needs the sections Context, What we found and Next steps; a full inspection report Summary, Outcome and Recommendations."
            </div>
            <textarea
                class="govuk-textarea"
                id=id
                name=id
                rows="14"
                aria-describedby=hint_id
                prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
        </div>
    }
}

/// The team changes the draft's title and text.
#[component]
fn EditDraftForm(
    id: String,
    version: i64,
    title: String,
    body: String,
    on_change: Callback<Changed>,
    reload: Callback<()>,
) -> impl IntoView {
    let title = RwSignal::new(title);
    let body = RwSignal::new(body);
    let error = RwSignal::new(None::<ApiError>);
    let submit = Action::new_local(move |(): &()| {
        let (id, title, body) = (id.clone(), title.get_untracked(), body.get_untracked());
        async move {
            settle(api::update_draft(id, version, title, body), error, on_change, "The draft is saved.")
                .await;
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    view! {
        <section class="app-action" data-testid="edit-form" aria-labelledby="edit-heading">
            <h2 class="govuk-heading-m" id="edit-heading">"Edit the draft"</h2>
            <FormError error reload what="the letter" />
            <form novalidate on:submit=on_submit>
                <TextInput id="draft-title" label="Title" value=title />
                <BodyInput id="draft-body" label="Letter" value=body />
                <button type="submit" class="govuk-button govuk-button--secondary" data-testid="save-draft" disabled=submit.pending()>
                    "Save the draft"
                </button>
            </form>
        </section>
    }
}

/// One finding as "rule at line L, column C: message".
fn finding_label(finding: &CheckFinding) -> String {
    if finding.line == 0 {
        format!("{}: {}", finding.rule, finding.message)
    } else {
        format!("{} at line {}, column {}: {}", finding.rule, finding.line, finding.column, finding.message)
    }
}

/// The content checks, as the letter stands.
#[component]
fn CheckSection(id: String) -> impl IntoView {
    let error = RwSignal::new(None::<ApiError>);
    let findings = RwSignal::new(None::<Vec<CheckFinding>>);
    let check = Action::new_local(move |(): &()| {
        let id = id.clone();
        async move {
            match api::check_letter(id).await {
                Ok(found) => {
                    error.set(None);
                    findings.set(Some(found));
                }
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let results = move || {
        findings.get().map(|found| {
            if found.is_empty() {
                view! { <p class="govuk-body" data-testid="no-findings">"The checks found no problems."</p> }
                    .into_any()
            } else {
                let items = found.iter().map(|f| view! { <li>{finding_label(f)}</li> }).collect_view();
                view! { <ul class="govuk-list govuk-list--bullet" data-testid="findings">{items}</ul> }
                    .into_any()
            }
        })
    };
    view! {
        <section class="app-action" data-testid="check-section" aria-labelledby="check-heading">
            <h2 class="govuk-heading-m" id="check-heading">"Check the letter"</h2>
            {move || error.get().map(|error| view! { <ErrorSummary error /> })}
            <p class="govuk-body">
                "The checks look for judgement or recommendation wording in an interim-visit letter and for the sections it needs. An approver must give a reason to let a finding stand."
            </p>
            <button
                type="button"
                class="govuk-button govuk-button--secondary"
                data-testid="check-letter"
                disabled=check.pending()
                on:click=move |_| {
                    check.dispatch(());
                }
            >
                "Check the letter"
            </button>
            <div aria-live="polite">{results}</div>
        </section>
    }
}

/// The team sends the draft for approval.
#[component]
fn SubmitForm(id: String, version: i64, on_change: Callback<Changed>, reload: Callback<()>) -> impl IntoView {
    let error = RwSignal::new(None::<ApiError>);
    let submit = Action::new_local(move |(): &()| {
        let id = id.clone();
        async move {
            settle(
                api::submit_letter(id, version),
                error,
                on_change,
                "The letter is submitted for approval.",
            )
            .await;
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    view! {
        <section class="app-action" data-testid="submit-form" aria-labelledby="submit-heading">
            <h2 class="govuk-heading-m" id="submit-heading">"Submit for approval"</h2>
            <FormError error reload what="the letter" />
            <p class="govuk-body">"Save any changes first. A national planner then approves the letter or returns it to you."</p>
            <form novalidate on:submit=on_submit>
                <button type="submit" class="govuk-button" data-testid="submit-letter" disabled=submit.pending()>
                    "Submit for approval"
                </button>
            </form>
        </section>
    }
}

/// A national planner approves. When a check refuses the approval, its findings are shown with a
/// reason field for each failing rule; the approval goes through with the reasons given.
#[component]
fn ApproveForm(
    id: String,
    version: i64,
    on_change: Callback<Changed>,
    reload: Callback<()>,
) -> impl IntoView {
    let error = RwSignal::new(None::<ApiError>);
    // The failing findings, and a reason per rule, once an approval was refused.
    let failing = RwSignal::new(Vec::<CheckFinding>::new());
    let reasons = RwSignal::new(Vec::<(String, RwSignal<String>)>::new());
    let submit = Action::new_local(move |(): &()| {
        let id = id.clone();
        let overrides = reasons
            .get_untracked()
            .into_iter()
            .map(|(rule, reason)| CheckOverride { rule, reason: reason.get_untracked() })
            .collect::<Vec<_>>();
        async move {
            match api::approve_letter(id.clone(), version, overrides).await {
                Ok(updated) => on_change.run((updated, "The letter is approved.".to_owned())),
                Err(e) => {
                    if e.code == Code::FailedPrecondition
                        && let Ok(found) = api::check_letter(id).await
                    {
                        let mut rules: Vec<String> = Vec::new();
                        for finding in &found {
                            if !rules.contains(&finding.rule) {
                                rules.push(finding.rule.clone());
                            }
                        }
                        let kept = reasons.get_untracked();
                        reasons.set(
                            rules
                                .into_iter()
                                .map(|rule| {
                                    let reason = kept
                                        .iter()
                                        .find(|(r, _)| *r == rule)
                                        .map_or_else(|| RwSignal::new(String::new()), |(_, reason)| *reason);
                                    (rule, reason)
                                })
                                .collect(),
                        );
                        failing.set(found);
                    }
                    error.set(Some(e));
                }
            }
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    let overrides = move || {
        let list = reasons.get();
        (!list.is_empty()).then(|| {
            let found = failing.get();
            let fields = list
                .into_iter()
                .enumerate()
                .map(|(i, (rule, reason))| {
                    let field = format!("override-{i}");
                    let where_ = found
                        .iter()
                        .filter(|f| f.rule == rule)
                        .map(finding_label)
                        .collect::<Vec<_>>()
                        .join("; ");
                    view! {
                        <div class="govuk-form-group">
                            <label class="govuk-label" for=field.clone()>{format!("Why may {rule} stand?")}</label>
                            <div class="govuk-hint" id=format!("{field}-hint")>{where_}</div>
                            <textarea
                                class="govuk-textarea"
                                id=field.clone()
                                name=field.clone()
                                rows="2"
                                aria-describedby=format!("{field}-hint")
                                prop:value=reason
                                on:input=move |ev| reason.set(event_target_value(&ev))
                            ></textarea>
                        </div>
                    }
                })
                .collect_view();
            view! {
                <fieldset class="govuk-fieldset" data-testid="overrides">
                    <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">
                        "Let the failing checks stand, giving a reason for each"
                    </legend>
                    {fields}
                </fieldset>
            }
        })
    };
    view! {
        <section class="app-action" data-testid="approve-form" aria-labelledby="approve-heading">
            <h2 class="govuk-heading-m" id="approve-heading">"Approve"</h2>
            <FormError error reload what="the letter" />
            <form novalidate on:submit=on_submit>
                {overrides}
                <button type="submit" class="govuk-button" data-testid="approve" disabled=submit.pending()>
                    "Approve the letter"
                </button>
            </form>
        </section>
    }
}

/// A national planner sends the letter back to the team, saying why.
#[component]
fn ReturnForm(id: String, version: i64, on_change: Callback<Changed>, reload: Callback<()>) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let submit = Action::new_local(move |(): &()| {
        let (id, reason) = (id.clone(), reason.get_untracked().trim().to_owned());
        async move {
            settle(
                api::return_letter(id, version, reason),
                error,
                on_change,
                "The letter is returned to the team.",
            )
            .await;
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    view! {
        <section class="app-action" data-testid="return-form" aria-labelledby="return-heading">
            <h2 class="govuk-heading-m" id="return-heading">"Return to the team"</h2>
            <FormError error reload what="the letter" />
            <form novalidate on:submit=on_submit>
                <crate::components::TextArea id="return-reason" label="What should the team change?" value=reason />
                <button type="submit" class="govuk-button govuk-button--secondary" data-testid="return-letter" disabled=submit.pending()>
                    "Return the letter"
                </button>
            </form>
        </section>
    }
}

/// A national planner chooses who receives the letter (before issue).
#[component]
fn DistributionForm(
    id: String,
    version: i64,
    current: Vec<Recipient>,
    on_change: Callback<Changed>,
    reload: Callback<()>,
) -> impl IntoView {
    let chosen = RwSignal::new(current);
    let error = RwSignal::new(None::<ApiError>);
    let submit = Action::new_local(move |(): &()| {
        let id = id.clone();
        let recipients: Vec<Recipient> =
            RECIPIENTS.iter().map(|(r, _)| *r).filter(|r| chosen.with_untracked(|c| c.contains(r))).collect();
        async move {
            settle(
                api::set_distribution(id, version, recipients),
                error,
                on_change,
                "The distribution list is saved.",
            )
            .await;
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    let boxes = RECIPIENTS
        .into_iter()
        .map(|(recipient, value)| {
            let box_id = format!("recipient-{value}");
            view! {
                <div class="govuk-checkboxes__item">
                    <input
                        class="govuk-checkboxes__input"
                        id=box_id.clone()
                        name="recipients"
                        type="checkbox"
                        value=value
                        prop:checked=move || chosen.with(|c| c.contains(&recipient))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|c| {
                                c.retain(|r| *r != recipient);
                                if on {
                                    c.push(recipient);
                                }
                            });
                        }
                    />
                    <label class="govuk-label govuk-checkboxes__label" for=box_id>{recipient_label(recipient)}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="app-action" data-testid="distribution-form" aria-labelledby="distribution-heading">
            <h2 class="govuk-heading-m" id="distribution-heading">"Change who receives it"</h2>
            <FormError error reload what="the letter" />
            <form novalidate on:submit=on_submit>
                <div class="govuk-form-group">
                    <fieldset class="govuk-fieldset">
                        <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">"Recipients"</legend>
                        <div class="govuk-checkboxes govuk-checkboxes--small">{boxes}</div>
                    </fieldset>
                </div>
                <button type="submit" class="govuk-button govuk-button--secondary" data-testid="save-distribution" disabled=submit.pending()>
                    "Save the distribution list"
                </button>
            </form>
        </section>
    }
}

/// A `datetime-local` value (the browser's time zone) as RFC 3339 UTC; empty stays empty, and
/// anything unreadable goes as typed so the server names the field.
fn rfc3339_of_local(value: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        return String::new();
    }
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value));
    if date.get_time().is_nan() { value.to_owned() } else { String::from(date.to_iso_string()) }
}

/// A national planner issues the letter; a full report with its publication time (embargo).
#[component]
fn IssueForm(
    id: String,
    version: i64,
    /// An inspection report, published at a time chosen here.
    report: bool,
    on_change: Callback<Changed>,
    reload: Callback<()>,
) -> impl IntoView {
    let publish_at = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let submit = Action::new_local(move |(): &()| {
        let (id, at) = (id.clone(), rfc3339_of_local(&publish_at.get_untracked()));
        async move {
            settle(api::issue_letter(id, version, at), error, on_change, "The letter is issued.").await;
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    view! {
        <section class="app-action" data-testid="issue-form" aria-labelledby="issue-heading">
            <h2 class="govuk-heading-m" id="issue-heading">"Issue"</h2>
            <FormError error reload what="the letter" />
            <p class="govuk-body">"Everyone on the distribution list can read the letter once it is issued."</p>
            <form novalidate on:submit=on_submit>
                {report
                    .then(|| {
                        view! {
                            <div class="govuk-form-group">
                                <label class="govuk-label" for="publish-at">"Publication date and time"</label>
                                <div class="govuk-hint" id="publish-at-hint">
                                    "The report is published on the public page at this time (your computer's time zone), not before"
                                </div>
                                <input
                                    class="govuk-input govuk-!-width-one-third"
                                    id="publish-at"
                                    name="publish-at"
                                    type="datetime-local"
                                    aria-describedby="publish-at-hint"
                                    prop:value=publish_at
                                    on:input=move |ev| publish_at.set(event_target_value(&ev))
                                />
                            </div>
                        }
                    })}
                <button type="submit" class="govuk-button" data-testid="issue" disabled=submit.pending()>
                    "Issue the letter"
                </button>
            </form>
        </section>
    }
}

/// A national planner starts a corrected version of an issued letter, as a new draft.
#[component]
fn CorrectForm(id: String, title: String, body: String, notice: RwSignal<Option<String>>) -> impl IntoView {
    let title = RwSignal::new(title);
    let body = RwSignal::new(body);
    let error = RwSignal::new(None::<ApiError>);
    let navigate = use_navigate();
    let submit = Action::new_local(move |(): &()| {
        let (id, title, body) = (id.clone(), title.get_untracked(), body.get_untracked());
        let navigate = navigate.clone();
        async move {
            match api::correct_letter(id, title, body).await {
                Ok(created) => {
                    notice.set(Some("A corrected version is started as a draft.".to_owned()));
                    navigate(&format!("/letters/{}", created.id), Default::default());
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
        <section class="app-action" data-testid="correct-form" aria-labelledby="correct-heading">
            <h2 class="govuk-heading-m" id="correct-heading">"Correct the letter"</h2>
            {move || error.get().map(|error| view! { <ErrorSummary error /> })}
            <p class="govuk-body">
                "An issued letter is never edited. A corrected version starts as a draft; issuing it replaces this one, which is kept in history."
            </p>
            <form novalidate on:submit=on_submit>
                <TextInput id="correct-title" label="Title of the corrected version" value=title />
                <BodyInput id="correct-body" label="Corrected letter" value=body />
                <button type="submit" class="govuk-button govuk-button--secondary" data-testid="correct" disabled=submit.pending()>
                    "Start a corrected version"
                </button>
            </form>
        </section>
    }
}

/// The local area's choice for an interim-visit letter: published or not, named in national
/// reports or not.
#[component]
fn PublicationForm(
    id: String,
    published: bool,
    named: bool,
    on_change: Callback<Changed>,
    reload: Callback<()>,
) -> impl IntoView {
    let named = RwSignal::new(named);
    let error = RwSignal::new(None::<ApiError>);
    let submit = Action::new_local(move |publish: &bool| {
        let (id, publish, named) = (id.clone(), *publish, named.get_untracked());
        let text = if publish { "The letter is published." } else { "The letter is not published." };
        async move {
            settle(api::set_publication(id, publish, named), error, on_change, text).await;
        }
    });
    let (label, testid) =
        if published { ("Stop publishing", "unpublish") } else { ("Publish this letter", "publish") };
    view! {
        <section class="app-action" data-testid="publication-form" aria-labelledby="publication-heading">
            <h2 class="govuk-heading-m" id="publication-heading">"Publication"</h2>
            <FormError error reload what="the letter" />
            <p class="govuk-body">
                "The letter stays confidential unless you choose to publish it. You can change your choices at any time."
            </p>
            <div class="govuk-form-group">
                <div class="govuk-checkboxes govuk-checkboxes--small">
                    <div class="govuk-checkboxes__item">
                        <input
                            class="govuk-checkboxes__input"
                            id="named-in-reports"
                            name="named-in-reports"
                            type="checkbox"
                            prop:checked=named
                            on:change=move |ev| named.set(event_target_checked(&ev))
                        />
                        <label class="govuk-label govuk-checkboxes__label" for="named-in-reports">
                            "May be named in national reports"
                        </label>
                    </div>
                </div>
            </div>
            <div class="govuk-button-group">
                <button
                    type="button"
                    class="govuk-button"
                    data-testid=testid
                    disabled=submit.pending()
                    on:click=move |_| {
                        submit.dispatch(!published);
                    }
                >
                    {label}
                </button>
                <button
                    type="button"
                    class="govuk-button govuk-button--secondary"
                    data-testid="save-naming"
                    disabled=submit.pending()
                    on:click=move |_| {
                        submit.dispatch(published);
                    }
                >
                    "Save the national reports choice"
                </button>
            </div>
        </section>
    }
}

/// National planners: everyone who can see the letter now, and who has opened it.
#[component]
fn AccessTables(id: String) -> impl IntoView {
    let people = LocalResource::new({
        let id = id.clone();
        move || api::who_can_see(id.clone())
    });
    let views = LocalResource::new(move || api::list_letter_views(id.clone()));
    let people_table = move || match people.get() {
        None => view! { <Loading what="who can see the letter" /> }.into_any(),
        Some(Err(error)) => view! { <ErrorSummary error /> }.into_any(),
        Some(Ok(list)) => {
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
                <table class="govuk-table" data-testid="who-can-see">
                    <caption class="govuk-table__caption govuk-table__caption--m">"Who can see this letter now"</caption>
                    <thead class="govuk-table__head">
                        <tr class="govuk-table__row">
                            <th scope="col" class="govuk-table__header">"Name"</th>
                            <th scope="col" class="govuk-table__header">"Username"</th>
                            <th scope="col" class="govuk-table__header">"Role"</th>
                            <th scope="col" class="govuk-table__header">"Why"</th>
                        </tr>
                    </thead>
                    <tbody class="govuk-table__body">{rows}</tbody>
                </table>
            }
            .into_any()
        }
    };
    let views_table = move || match views.get() {
        None => view! { <Loading what="who has opened the letter" /> }.into_any(),
        Some(Err(error)) => view! { <ErrorSummary error /> }.into_any(),
        Some(Ok(list)) if list.is_empty() => view! {
            <h2 class="govuk-heading-m">"Who has opened it"</h2>
            <p class="govuk-body" data-testid="no-views">"Nobody has opened or downloaded it yet."</p>
        }
        .into_any(),
        Some(Ok(list)) => {
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
                <table class="govuk-table" data-testid="letter-views">
                    <caption class="govuk-table__caption govuk-table__caption--m">"Who has opened it"</caption>
                    <thead class="govuk-table__head">
                        <tr class="govuk-table__row">
                            <th scope="col" class="govuk-table__header">"Person"</th>
                            <th scope="col" class="govuk-table__header">"What"</th>
                            <th scope="col" class="govuk-table__header">"When"</th>
                        </tr>
                    </thead>
                    <tbody class="govuk-table__body">{rows}</tbody>
                </table>
            }
            .into_any()
        }
    };
    view! {
        {people_table}
        {views_table}
    }
}

/// An engagement's letters; for its writer (an inspector), a form to start the letter while
/// there is none.
#[component]
pub(crate) fn EngagementLetters(engagement_id: String, writer: bool) -> impl IntoView {
    let letters = LocalResource::new({
        let id = engagement_id.clone();
        move || api::list_letters(id.clone())
    });
    let content = move || match letters.get() {
        None => view! { <Loading what="the letters" /> }.into_any(),
        Some(Err(error)) => view! { <ErrorSummary error /> }.into_any(),
        Some(Ok(list)) if list.is_empty() => {
            let start = writer.then(|| view! { <StartLetterForm engagement_id=engagement_id.clone() /> });
            view! {
                <p class="govuk-body" data-testid="no-letters">"No letter has been started yet."</p>
                {start}
            }
            .into_any()
        }
        Some(Ok(list)) => {
            let caption = format!("{} letters", list.len());
            view! { <LetterList letters=list caption inbox=false /> }.into_any()
        }
    };
    view! {
        <section data-testid="engagement-letters" aria-labelledby="letters-heading">
            <h2 class="govuk-heading-m" id="letters-heading">"Letters"</h2>
            {content}
        </section>
    }
}

/// The writer starts the letter: a title and the text, which begins with the required section
/// headings.
#[component]
fn StartLetterForm(engagement_id: String) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(INTERIM_LETTER_TEMPLATE.to_owned());
    let error = RwSignal::new(None::<ApiError>);
    let navigate = use_navigate();
    let submit = Action::new_local(move |(): &()| {
        let (id, title, body) = (engagement_id.clone(), title.get_untracked(), body.get_untracked());
        let navigate = navigate.clone();
        async move {
            match api::create_letter(id, title, body).await {
                Ok(created) => navigate(&format!("/letters/{}", created.id), Default::default()),
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    view! {
        <div data-testid="start-letter-form">
            <h3 class="govuk-heading-s">"Start the letter"</h3>
            {move || error.get().map(|error| view! { <ErrorSummary error /> })}
            <form novalidate on:submit=on_submit>
                <TextInput id="letter-title" label="Title" hint="For example, Interim visit to Camden" value=title />
                <BodyInput id="letter-body" label="Letter" value=body />
                <button type="submit" class="govuk-button" data-testid="start-letter" disabled=submit.pending()>
                    "Start the letter"
                </button>
            </form>
        </div>
    }
}

/// "Published letters and reports": public, no sign-in. Each is readable in full here.
#[component]
pub(crate) fn PublishedPage() -> impl IntoView {
    set_title("Published letters and reports");
    let letters = LocalResource::new(api::list_published_letters);
    let list = move || {
        match letters.get() {
        None => view! { <Loading what="published letters" /> }.into_any(),
        Some(Err(error)) => view! { <ErrorSummary error /> }.into_any(),
        Some(Ok(list)) if list.is_empty() => {
            view! { <p class="govuk-body" data-testid="no-published">"Nothing has been published yet."</p> }
                .into_any()
        }
        Some(Ok(list)) => list
            .into_iter()
            .map(|letter| {
                let date = if letter.publish_at.is_empty() { &letter.issued_at } else { &letter.publish_at };
                view! {
                    <article class="app-published" data-testid="published-letter" data-letter=letter.id.clone()>
                        <h2 class="govuk-heading-m">{letter.title.clone()}</h2>
                        <p class="govuk-body-s">
                            {format!(
                                "{}: {}, {}. Issued {}.",
                                engagement_kind_label(letter.engagement_kind()),
                                letter.local_area_name,
                                letter.region_name,
                                when(date),
                            )}
                        </p>
                        <LetterBody body=letter.body.clone() small=true />
                        <hr class="govuk-section-break govuk-section-break--l govuk-section-break--visible" />
                    </article>
                }
            })
            .collect_view()
            .into_any(),
    }
    };
    view! {
        <h1 class="govuk-heading-l" data-testid="published-title">"Published letters and reports"</h1>
        <p class="govuk-body">
            "Reports of local area SEND inspections from their publication time, and interim-visit letters their local areas chose to publish."
        </p>
        {list}
    }
}

/// The file name of the national report.
const NATIONAL_REPORT_TXT: &str = "send-planner-national-report.txt";

/// National planners: the anonymised findings of issued interim-visit letters, shown and
/// offered as a text file.
#[component]
pub(crate) fn NationalReportPage() -> impl IntoView {
    set_title("National report");
    let year = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let text = RwSignal::new(None::<String>);
    let produce = Action::new_local(move |(): &()| {
        let typed = year.get_untracked();
        async move {
            let academic_year = match typed.trim() {
                "" => Ok(0),
                y => y.parse::<i32>().map_err(|_| ApiError::local("academic_year: type a year, like 2026")),
            };
            let result = match academic_year {
                Ok(y) => api::export_national_report(y).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(report) => {
                    error.set(None);
                    text.set(Some(report));
                }
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        produce.dispatch(());
    };
    let report = move || {
        text.get().map(|report| {
            let saved = report.clone();
            view! {
                <h2 class="govuk-heading-m">"The report"</h2>
                <pre class="govuk-body app-report" data-testid="national-report">{report}</pre>
                <button
                    type="button"
                    class="govuk-button govuk-button--secondary"
                    data-testid="download-report"
                    on:click=move |_| {
                        if let Err(e) = api::save_text(&saved, NATIONAL_REPORT_TXT) {
                            error.set(Some(e));
                        }
                    }
                >
                    "Download the report as a text file"
                </button>
            }
        })
    };
    view! {
        <h1 class="govuk-heading-l" data-testid="national-report-title">"National report"</h1>
        {move || error.get().map(|error| view! { <ErrorSummary error /> })}
        <p class="govuk-body">
            "The findings of issued interim-visit letters, with no local area named unless it agreed, and no person named."
        </p>
        <form novalidate on:submit=on_submit>
            <TextInput
                id="report-year"
                label="Academic year (optional)"
                hint="The year it starts, for example 2026 for 2026/27. Leave empty for the current year."
                width="govuk-input--width-4"
                inputmode="numeric"
                value=year
            />
            <button type="submit" class="govuk-button" data-testid="produce-report" disabled=produce.pending()>
                "Produce the national report"
            </button>
        </form>
        {report}
    }
}
