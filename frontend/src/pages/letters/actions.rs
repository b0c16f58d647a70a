//! What may be done to a letter, one form each. The letter page shows a form only when the
//! server lists its action in `Letter.allowed_actions`; the server still decides every change.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use proto::pb::{CheckFinding, CheckOverride, Letter, Recipient};
use tonic::Code;

use super::BodyInput;
use crate::{
    api::{self, ApiError, Problem},
    components::{
        ActionButton, ActionForm, BackToRecord, CheckAnswers, CheckRow, Checkbox, ErrorSummary, Field,
        FieldMap, FormError, FormState, Record, SubmitButton, TextArea, TextInput, form_action, located,
        set_title, settle, step_href, step_navigator,
    },
    format::{RECIPIENTS, recipient_label},
};

/// Where a letter form's problems belong: its title and text fields.
fn text_fields(title_id: &'static str, body_id: &'static str, body_name: &'static str) -> FormState {
    FormState::new(&[("title", title_id, "Title"), ("body", body_id, body_name)])
}

/// The team changes the draft's title and text.
#[component]
pub(super) fn EditDraftForm(letter: Letter, record: Record<Letter>) -> impl IntoView {
    let form = text_fields("draft-title", "draft-body", "The letter");
    let title = RwSignal::new(letter.title);
    let body = RwSignal::new(letter.body);
    let (id, version) = (letter.id, letter.version);
    let done = BackToRecord::new(record);
    let submit = form_action(move || {
        let call = api::update_draft(id.clone(), version, title.get_untracked(), body.get_untracked());
        settle(form, call, done.with("The draft is saved."))
    });
    view! {
        <ActionForm testid="edit-form" heading="Edit the draft" form submit reload=record.reload what="the letter" page=true>
            <TextInput id="draft-title" label="Title" value=title form />
            <BodyInput id="draft-body" label="Letter" value=body headings=letter.section_headings form />
            <SubmitButton submit testid="save-draft" label="Save the draft" modifier="govuk-button--secondary" />
        </ActionForm>
    }
}

/// A finding of the content checks in words, with its line and column in the text.
fn finding_label(finding: &CheckFinding) -> String {
    located(&finding.message, (finding.line > 0).then_some((finding.line, finding.column)))
}

/// The content checks, as the letter stands.
#[component]
pub(super) fn CheckSection(id: String) -> impl IntoView {
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
                let items = found
                    .iter()
                    .map(|f| view! { <li data-rule=f.rule.clone()>{finding_label(f)}</li> })
                    .collect_view();
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
            <ActionButton action=check testid="check-letter" label="Check the letter" />
            <div aria-live="polite">{results}</div>
        </section>
    }
}

/// The team sends the draft for approval. Findings in the text link to the draft's text field.
#[component]
pub(super) fn SubmitForm(letter: Letter, record: Record<Letter>) -> impl IntoView {
    let form = text_fields("draft-title", "draft-body", "The letter");
    let (id, version) = (letter.id, letter.version);
    let submit = form_action(move || {
        settle(
            form,
            api::submit_letter(id.clone(), version),
            record.changed("The letter is submitted for approval."),
        )
    });
    view! {
        <ActionForm testid="submit-form" heading="Submit for approval" form submit reload=record.reload what="the letter">
            <p class="govuk-body">"Save any changes first. A national planner then approves the letter or returns it to you."</p>
            <SubmitButton submit testid="submit-letter" label="Submit for approval" />
        </ActionForm>
    }
}

/// What an approval was refused for: the refusal's problems, or (from a server that sends no
/// details) the content checks' findings, as problems of the letter's text.
async fn refused_findings(id: String, error: &ApiError) -> Vec<Problem> {
    if !error.problems.is_empty() {
        return error.problems.clone();
    }
    api::check_letter(id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|f| Problem {
            subject: if f.line > 0 { format!("body:{}:{}", f.line, f.column) } else { "body".to_owned() },
            rule: f.rule,
            description: f.message,
        })
        .collect()
}

/// A national planner approves. When the checks refuse the approval, each failing rule gets a
/// reason field, and the refusal's findings link to it; the approval then goes through with the
/// reasons given.
#[component]
pub(super) fn ApproveForm(letter: Letter, record: Record<Letter>) -> impl IntoView {
    let form = FormState::new(&[]);
    // A reason per failing rule, once an approval was refused, with the findings of each.
    let reasons = RwSignal::new(Vec::<(String, RwSignal<String>)>::new());
    let (id, version) = (letter.id, letter.version);
    let done = BackToRecord::new(record);
    let submit = form_action(move || {
        let id = id.clone();
        let done = done.clone();
        let overrides = reasons
            .get_untracked()
            .into_iter()
            .map(|(rule, reason)| CheckOverride { rule, reason: reason.get_untracked() })
            .collect::<Vec<_>>();
        async move {
            match api::approve_letter(id.clone(), version, overrides).await {
                Ok(updated) => done.with("The letter is approved.")(updated),
                Err(mut e) if e.code == Code::FailedPrecondition => {
                    e.problems = refused_findings(id, &e).await;
                    let kept = reasons.get_untracked();
                    // The content checks' findings are about the text; each of their rules may
                    // be let stand with a reason. Other refusals keep the reasons as they are.
                    let mut rules: Vec<String> = Vec::new();
                    for problem in e.problems.iter().filter(|p| p.field() == "body" && !p.rule.is_empty()) {
                        if !rules.contains(&problem.rule) {
                            rules.push(problem.rule.clone());
                        }
                    }
                    if rules.is_empty() {
                        rules = kept.iter().map(|(rule, _)| rule.clone()).collect();
                    }
                    let fields = rules
                        .iter()
                        .enumerate()
                        .map(|(i, rule)| FieldMap {
                            key: rule.clone(),
                            id: format!("override-{i}"),
                            name: format!("Finding {}", i + 1),
                        })
                        .chain(std::iter::once(FieldMap {
                            key: "overrides".to_owned(),
                            id: "override-0".to_owned(),
                            name: "The reason".to_owned(),
                        }))
                        .collect();
                    form.set_fields(fields);
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
                    form.fail(e);
                }
                Err(e) => form.fail(e),
            }
        }
    });
    let overrides = move || {
        let list = reasons.get();
        (!list.is_empty()).then(|| {
            let fields = list
                .into_iter()
                .enumerate()
                .map(|(i, (_, reason))| {
                    view! {
                        <TextArea
                            id=format!("override-{i}")
                            label=format!("Why may finding {} stand?", i + 1)
                            value=reason
                            rows=2
                            form
                        />
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
        <ActionForm testid="approve-form" heading="Approve the letter" form submit reload=record.reload what="the letter" page=true>
            {overrides}
            <SubmitButton submit testid="approve" label="Approve the letter" />
        </ActionForm>
    }
}

/// A national planner sends the letter back to the team, saying why.
#[component]
pub(super) fn ReturnForm(letter: Letter, record: Record<Letter>) -> impl IntoView {
    let form = FormState::new(&[("reason", "return-reason", "The reason")]);
    let reason = RwSignal::new(String::new());
    let (id, version) = (letter.id, letter.version);
    let done = BackToRecord::new(record);
    let submit = form_action(move || {
        let call = api::return_letter(id.clone(), version, reason.get_untracked().trim().to_owned());
        settle(form, call, done.with("The letter is returned to the team."))
    });
    view! {
        <ActionForm testid="return-form" heading="Return the letter to the team" form submit reload=record.reload what="the letter" page=true>
            <TextArea id="return-reason" label="What should the team change?" value=reason form />
            <SubmitButton submit testid="return-letter" label="Return the letter" modifier="govuk-button--secondary" />
        </ActionForm>
    }
}

/// A national planner chooses who receives the letter (before issue).
#[component]
pub(super) fn DistributionForm(letter: Letter, record: Record<Letter>) -> impl IntoView {
    let form = FormState::new(&[("recipients", "recipients", "The distribution list")]);
    let current: Vec<Recipient> =
        letter.distribution.iter().filter(|d| d.revoked_at.is_empty()).map(|d| d.recipient()).collect();
    let chosen = RwSignal::new(current);
    let (id, version) = (letter.id, letter.version);
    let done = BackToRecord::new(record);
    let submit = form_action(move || {
        let recipients: Vec<Recipient> =
            RECIPIENTS.iter().map(|(r, _)| *r).filter(|r| chosen.with_untracked(|c| c.contains(r))).collect();
        settle(
            form,
            api::set_distribution(id.clone(), version, recipients),
            done.with("The distribution list is saved."),
        )
    });
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
        <ActionForm testid="distribution-form" heading="Change who receives it" form submit reload=record.reload what="the letter" page=true>
            <Field id="recipients" label="Recipients" hint=None form=Some(form) fieldset=true control=move |_| view! {
                <div class="govuk-checkboxes govuk-checkboxes--small" id="recipients">{boxes}</div>
            } />
            <SubmitButton submit testid="save-distribution" label="Save the distribution list" modifier="govuk-button--secondary" />
        </ActionForm>
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

/// Whether the letter's engagement is an inspection, whose report is issued with a publication
/// time (embargo).
fn is_report(letter: &Letter) -> Signal<bool> {
    let engagement = LocalResource::new({
        let id = letter.engagement_id.clone();
        move || api::get_engagement(id.clone())
    });
    Signal::derive(move || engagement.get().and_then(Result::ok).is_some_and(|e| e.is_inspection))
}

/// A national planner issues the letter: an inspection's report with its publication time
/// (embargo), then a check of who receives it ([`IssueCheck`]).
#[component]
pub(super) fn IssueForm(letter: Letter, publish_at: RwSignal<String>) -> impl IntoView {
    let form = FormState::new(&[("publish_at", "publish-at", "The publication date and time")]);
    let report = is_report(&letter);
    let go = step_navigator("task");
    let submit = form_action(move || {
        go(Some("check-issue"));
        async {}
    });
    let publish_field = move || {
        report.get().then(|| {
            view! {
                <Field
                    id="publish-at"
                    label="Publication date and time"
                    hint=Some("The report is published on the public page at this time (your computer's time zone), not before".to_owned())
                    form=Some(form)
                    control=move |described: crate::components::Described| view! {
                        <input
                            class=described.class("govuk-input govuk-!-width-one-third".to_owned(), "govuk-input--error")
                            id="publish-at"
                            name="publish-at"
                            type="datetime-local"
                            aria-describedby=described.by
                            prop:value=publish_at
                            on:input=move |ev| publish_at.set(event_target_value(&ev))
                        />
                    }
                />
            }
        })
    };
    view! {
        <ActionForm testid="issue-form" heading="Issue the letter" form submit page=true>
            <p class="govuk-body">"Everyone on the distribution list can read the letter once it is issued."</p>
            {publish_field}
            <SubmitButton submit testid="issue" label="Continue" />
        </ActionForm>
    }
}

/// The check before a letter is issued: who receives it, when a report is published, and that an
/// issued letter is never withdrawn, only corrected.
#[component]
pub(crate) fn IssueCheck(
    letter: Letter,
    record: Record<Letter>,
    publish_at: RwSignal<String>,
) -> impl IntoView {
    set_title(&format!("Check before you issue: {}", letter.title));
    let form = FormState::new(&[("publish_at", "publish-at", "The publication date and time")]);
    let report = is_report(&letter);
    let recipients = letter
        .distribution
        .iter()
        .filter(|d| d.revoked_at.is_empty())
        .map(|d| recipient_label(d.recipient()))
        .collect::<Vec<_>>()
        .join(", ");
    let back = step_href("task", Some("issue"));
    let recipients_page = step_href("task", Some("distribution"));
    let done = BackToRecord::new(record);
    let (id, version) = (letter.id.clone(), letter.version);
    let submit = form_action(move || {
        let call = api::issue_letter(id.clone(), version, rfc3339_of_local(&publish_at.get_untracked()));
        settle(form, call, done.with("The letter is issued."))
    });
    // A refused publication time is changed on the issue page, where its field is.
    {
        let go = step_navigator("task");
        Effect::new(move |_| {
            if form
                .error
                .with(|e| e.as_ref().is_some_and(|e| e.problems.iter().any(|p| p.field() == "publish_at")))
            {
                go(Some("issue"));
            }
        });
    }
    let title = letter.title.clone();
    move || {
        let mut answers = vec![
            CheckRow { key: "Letter", value: title.clone(), change: None },
            CheckRow {
                key: "Recipients",
                value: recipients.clone(),
                change: Some((recipients_page.clone(), "who receives it")),
            },
        ];
        if report.get() {
            let when = publish_at.get_untracked();
            answers.push(CheckRow {
                key: "Published on the public page",
                value: if when.is_empty() { "Not given".to_owned() } else { when.replace('T', " at ") },
                change: Some((back.clone(), "the publication date and time")),
            });
        }
        view! {
            <CheckAnswers
                testid="issue-check"
                heading="Check before you issue the letter"
                answers
                consequence="Once issued, everyone on the distribution list can read it, and it is never withdrawn or edited: a mistake is put right by issuing a corrected version."
                form
                submit
                button=("confirm-issue", "Issue the letter", "")
                back=back.clone()
                reload=record.reload
                what="the letter"
            />
        }
    }
}

/// The check before the local area publishes its interim visit letter.
#[component]
pub(crate) fn PublishCheck(letter: Letter, record: Record<Letter>) -> impl IntoView {
    set_title(&format!("Check before you publish: {}", letter.title));
    let form = FormState::new(&[]);
    let back = step_href("task", None);
    let done = BackToRecord::new(record);
    let id = letter.id.clone();
    let named = letter.named_in_national_reports;
    let submit = form_action(move || {
        settle(form, api::set_publication(id.clone(), true, named), done.with("The letter is published."))
    });
    let answers = vec![
        CheckRow { key: "Letter", value: letter.title.clone(), change: None },
        CheckRow {
            key: "National reports",
            value: if named { "May be named" } else { "Not named" }.to_owned(),
            change: Some((back.clone(), "whether it may be named in national reports")),
        },
    ];
    view! {
        <CheckAnswers
            testid="publish-check"
            heading="Check before you publish the letter"
            answers
            consequence="Anyone can then read the letter on the public page, without signing in. You can stop publishing it later, but copies already read or saved cannot be called back."
            form
            submit
            button=("confirm-publish", "Publish the letter", "")
            back
            reload=record.reload
            what="the letter"
        />
    }
}

/// The check before a recipient's access to the letter is ended.
#[component]
pub(crate) fn RevokeCheck(letter: Letter, record: Record<Letter>, recipient: Recipient) -> impl IntoView {
    let who = recipient_label(recipient);
    set_title(&format!("Check before you revoke the access of {who}"));
    let form = FormState::new(&[]);
    let back = step_href("task", None);
    let done = BackToRecord::new(record);
    let id = letter.id.clone();
    let submit = form_action(move || {
        settle(
            form,
            api::revoke_recipient(id.clone(), recipient),
            done.with(format!("{who} no longer has access.")),
        )
    });
    let answers = vec![
        CheckRow { key: "Letter", value: letter.title.clone(), change: None },
        CheckRow { key: "Recipient", value: who.to_owned(), change: None },
    ];
    view! {
        <CheckAnswers
            testid="revoke-check"
            heading=format!("Check before you revoke the access of {who}")
            answers
            consequence="Its readers can no longer open the letter. Their earlier readings stay on record, and access cannot be given back to this letter: issue a corrected version to reach them again."
            form
            submit
            button=("confirm-revoke", "Revoke access", "govuk-button--warning")
            back
            reload=record.reload
            what="the letter"
        />
    }
}

/// A national planner starts a corrected version of an issued letter, as a new draft.
#[component]
pub(super) fn CorrectForm(letter: Letter, record: Record<Letter>) -> impl IntoView {
    let form = text_fields("correct-title", "correct-body", "The corrected letter");
    let title = RwSignal::new(letter.title);
    let body = RwSignal::new(letter.body);
    let navigate = use_navigate();
    let id = letter.id;
    let submit = form_action(move || {
        let navigate = navigate.clone();
        let call = api::correct_letter(id.clone(), title.get_untracked(), body.get_untracked());
        settle(form, call, move |created| {
            record.notice.set(Some("A corrected version is started as a draft.".to_owned()));
            navigate(&format!("/letters/{}", created.id), Default::default());
        })
    });
    view! {
        <ActionForm testid="correct-form" heading="Correct the letter" form submit page=true>
            <p class="govuk-body">
                "An issued letter is never edited. A corrected version starts as a draft; issuing it replaces this one, which is kept in history."
            </p>
            <TextInput id="correct-title" label="Title of the corrected version" value=title form />
            <BodyInput id="correct-body" label="Corrected letter" value=body headings=letter.section_headings form />
            <SubmitButton submit testid="correct" label="Start a corrected version" modifier="govuk-button--secondary" />
        </ActionForm>
    }
}

/// The local area's choice for an interim-visit letter: published or not, named in national
/// reports or not.
#[component]
pub(super) fn PublicationForm(letter: Letter, record: Record<Letter>) -> impl IntoView {
    let form = FormState::new(&[]);
    let published = letter.published;
    let named = RwSignal::new(letter.named_in_national_reports);
    let id = letter.id;
    let go = step_navigator("task");
    let submit = Action::new_local(move |publish: &bool| {
        let text = if *publish { "The letter is published." } else { "The letter is not published." };
        settle(form, api::set_publication(id.clone(), *publish, named.get_untracked()), record.changed(text))
    });
    // Publishing is checked first; stopping and the naming choice are saved at once.
    let publish = move || {
        if published {
            submit.dispatch(false);
        } else {
            go(Some("check-publish"));
        }
    };
    let (label, testid) =
        if published { ("Stop publishing", "unpublish") } else { ("Publish this letter", "publish") };
    view! {
        <section class="app-action" data-testid="publication-form" aria-labelledby="publication-heading">
            <h2 class="govuk-heading-m" id="publication-heading">"Publication"</h2>
            <FormError form reload=Some(record.reload) what="the letter" />
            <p class="govuk-body">
                "The letter stays confidential unless you choose to publish it. You can change your choices at any time."
            </p>
            <Checkbox id="named-in-reports" label="May be named in national reports" value=named />
            <div class="govuk-button-group">
                <button
                    type="button"
                    class="govuk-button"
                    data-testid=testid
                    disabled=submit.pending()
                    on:click=move |_| publish()
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
