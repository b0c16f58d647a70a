//! An engagement's case studies (`/engagements/<id>/case-studies`): the local area uploads its
//! pseudonymous sample list as CSV (a bad row refuses the whole file, each problem linked from
//! the error summary to the file input); the team picks with checkboxes while the rules are
//! checked live, or asks for a suggested pick; both sides agree, and the list freezes.
//!
//! What the person may do comes from the server (`CaseStudySample.allowed_actions`); people
//! read the rules' sentences, never their ids. Someone who may not see the engagement gets
//! "Page not found", as for a missing one.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::components::A;
use proto::pb::{
    CaseStudyAction, CaseStudyPopulation, CaseStudyRule, CaseStudySample, Role, UploadCaseStudySampleRequest,
};

use crate::{
    api,
    components::{
        ActionForm, Field, FormState, Record, RecordPage, SubmitButton, SummaryRow, Table, TextArea,
        TextInput, WarningText, columns, form_action, set_title, settle,
    },
    format::time_label,
    session::use_session,
};

/// The case studies of the engagement in the address.
#[component]
pub(crate) fn CaseStudiesPage() -> impl IntoView {
    view! {
        <RecordPage
            title="Case studies"
            what="the case studies"
            load=api::get_case_study_sample
            show=|sample, record| view! { <SampleView sample record /> }
        />
    }
}

/// Where the person came from: their own start page, or the engagement.
fn back(role: Role, engagement: &str) -> (String, &'static str) {
    match role {
        Role::LocalAreaUser => ("/local-area".to_owned(), "Back to your local area"),
        Role::Inspector => ("/my-visits".to_owned(), "Back to your visits"),
        _ => (format!("/engagements/{engagement}"), "Back to the engagement"),
    }
}

#[component]
fn SampleView(sample: CaseStudySample, record: Record<CaseStudySample>) -> impl IntoView {
    let title = format!("Case studies: {}", sample.local_area_name);
    set_title(&title);
    let session = use_session();
    let role = session.person().map_or(Role::Unspecified, |person| person.role());
    let (back_href, back_words) = back(role, &sample.engagement_id);
    let allowed: Vec<CaseStudyAction> = sample.allowed_actions().collect();
    let may = |action| allowed.contains(&action);
    let agreement = |a: &Option<proto::pb::CaseStudyAgreement>| match a {
        Some(a) => format!("Agreed by {} on {}", a.by, time_label(&a.at)),
        None => "Not agreed yet".to_owned(),
    };
    let frozen = sample.frozen.then(|| {
        view! {
            <div class="govuk-inset-text" data-testid="frozen">
                "Both sides have agreed the sample list and the case studies. Any change now needs a reason, and both sides agree again."
            </div>
        }
    });
    let shortfalls = (!sample.list_shortfalls.is_empty()).then(|| {
        view! {
            <div data-testid="shortfalls">
                {sample
                    .list_shortfalls
                    .iter()
                    .map(|s| view! { <div data-rule=s.rule.clone()><WarningText text=s.message.clone() /></div> })
                    .collect_view()}
            </div>
        }
    });
    // The team's open request for more children: the area reads what is missing.
    let asked = sample.more_asked.clone().map(|m| {
        let heading = format!("{} from the visiting team asked for more children on {}", m.by, time_label(&m.at));
        let items = m.missing.into_iter().map(|line| view! { <li>{line}</li> }).collect_view();
        view! {
            <div class="govuk-notification-banner" role="region" aria-labelledby="more-asked-title" data-module="govuk-notification-banner" data-testid="more-asked">
                <div class="govuk-notification-banner__header">
                    <h2 class="govuk-notification-banner__title" id="more-asked-title">"Important"</h2>
                </div>
                <div class="govuk-notification-banner__content">
                    <p class="govuk-notification-banner__heading">{heading}</p>
                    <ul class="govuk-list govuk-list--bullet">{items}</ul>
                    <p class="govuk-body">"Supply a new sample list with more children to answer the request."</p>
                </div>
            </div>
        }
    });
    let ask = (may(CaseStudyAction::AskForMore) && sample.more_asked.is_none())
        .then(|| view! { <AskForMoreForm sample=sample.clone() record /> });
    let has_list = !sample.entries.is_empty();
    let upload = may(CaseStudyAction::Upload).then(|| view! { <UploadForm sample=sample.clone() record /> });
    let list = if !has_list {
        view! { <p class="govuk-body" data-testid="no-list">"The local area has not supplied a sample list yet."</p> }
            .into_any()
    } else if may(CaseStudyAction::Pick) {
        view! { <PickForm sample=sample.clone() record /> }.into_any()
    } else {
        view! {
            <EntryTable sample=sample.clone() />
            <RuleList rules=Signal::stored(sample.pick_rules.clone()) />
        }
        .into_any()
    };
    let agree = may(CaseStudyAction::Agree).then(|| view! { <AgreeForm sample=sample.clone() record /> });
    let shares = (!sample.representativeness.is_empty()).then(|| {
        let rows = sample
            .representativeness
            .iter()
            .map(|s| {
                view! {
                    <tr class="govuk-table__row">
                        <th scope="row" class="govuk-table__header">{s.label.clone()}</th>
                        <td class="govuk-table__cell">{format!("{}%", s.sample_percent)}</td>
                        <td class="govuk-table__cell">{format!("{}%", s.population_percent)}</td>
                        <td class="govuk-table__cell">
                            {if s.within { "Yes" } else { "No: more than 10 points off" }}
                        </td>
                    </tr>
                }
            })
            .collect_view();
        let names = ["Group", "List", "Area", "Close?"];
        view! {
            <Table
                testid="representativeness"
                caption="How representative the sample list is, against the local area's SEND population"
                modifier="govuk-table--small-text-until-tablet app-table--reflow"
                columns=columns(&names)
            >
                {rows}
            </Table>
        }
    });
    let history = (!sample.history.is_empty()).then(|| {
        let rows = sample
            .history
            .iter()
            .map(|h| {
                let reason = if h.reason.is_empty() {
                    "No reason needed".to_owned()
                } else {
                    format!("Reason: {}", h.reason)
                };
                let what = format!(
                    "{} children, by {} on {}. {reason}",
                    h.entries,
                    h.changed_by,
                    time_label(&h.changed_at)
                );
                view! {
                    <div class="govuk-summary-list__row">
                        <dt class="govuk-summary-list__key">{format!("Version {}", h.list_version)}</dt>
                        <dd class="govuk-summary-list__value">{what}</dd>
                    </div>
                }
            })
            .collect_view();
        view! {
            <h2 class="govuk-heading-m">"Versions of the sample list"</h2>
            <dl class="govuk-summary-list" data-testid="history">{rows}</dl>
        }
    });
    view! {
        <A href=back_href attr:class="govuk-back-link">{back_words}</A>
        <h1 class="govuk-heading-l" data-testid="case-studies-title">{title}</h1>
        <p class="govuk-body" data-testid="rules-summary">{sample.rules_summary.clone()}</p>
        <p class="govuk-body">
            "The sample list holds pseudonymous references only. Never enter a child's name: the local area keeps the key."
        </p>
        <dl class="govuk-summary-list" data-testid="agreement">
            <SummaryRow key="Local area">{agreement(&sample.area_agreed)}</SummaryRow>
            <SummaryRow key="Visiting team">{agreement(&sample.team_agreed)}</SummaryRow>
        </dl>
        {asked}
        {frozen}
        {shortfalls}
        {ask}
        {list}
        {agree}
        {shares}
        {upload}
        {history}
    }
}

/// The list, read only: a sentence per child.
#[component]
fn EntryTable(sample: CaseStudySample) -> impl IntoView {
    let items = sample
        .entries
        .iter()
        .map(|e| {
            let mut facts = vec![format!("aged {}", e.age_band), e.needs.join(", "), e.support.clone(), e.school_phase.clone()];
            if e.alternative_provision {
                facts.push("in alternative provision".into());
            }
            if e.multi_agency {
                facts.push("multi-agency support".into());
            }
            let picked = e.picked.then(|| view! { " " <strong class="govuk-tag govuk-tag--blue">"Case study"</strong> });
            view! { <li><strong>{e.reference.clone()}</strong>{format!(": {}", facts.join("; "))}{picked}</li> }
        })
        .collect_view();
    view! {
        <h2 class="govuk-heading-m">"Sample list"</h2>
        <ul class="govuk-list govuk-list--bullet" data-testid="entries">{items}</ul>
    }
}

/// Each rule for the current pick: met or not, in words.
#[component]
fn RuleList(rules: Signal<Vec<CaseStudyRule>>) -> impl IntoView {
    view! {
        <h2 class="govuk-heading-m">"The rules for this pick"</h2>
        <ul class="govuk-list" data-testid="pick-rules" aria-live="polite">
            {move || {
                rules
                    .get()
                    .into_iter()
                    .map(|r| {
                        let (tag, class) = if r.met {
                            ("Met", "govuk-tag govuk-tag--green")
                        } else {
                            ("Not met", "govuk-tag govuk-tag--red")
                        };
                        view! {
                            <li data-rule=r.rule.clone() data-met=r.met.to_string()>
                                <strong class=class>{tag}</strong>
                                " "
                                {r.message.clone()}
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}

/// The team's pick: a checkbox per child, the rules checked on every change, "Suggest a pick".
#[component]
fn PickForm(sample: CaseStudySample, record: Record<CaseStudySample>) -> impl IntoView {
    let form = FormState::new(&[
        ("picked", "case-study-picked", "Case studies"),
        ("reason", "pick-reason", "Reason"),
    ]);
    let picked = RwSignal::new(
        sample.entries.iter().filter(|e| e.picked).map(|e| e.reference.clone()).collect::<Vec<_>>(),
    );
    let rules = RwSignal::new(sample.pick_rules.clone());
    let reason = RwSignal::new(String::new());
    let engagement = sample.engagement_id.clone();
    let version = sample.version;
    let check = {
        let engagement = engagement.clone();
        move || {
            let (engagement, references) = (engagement.clone(), picked.get_untracked());
            spawn_local(async move {
                if let Ok(answer) = api::check_case_study_pick(engagement, references).await {
                    rules.set(answer);
                }
            });
        }
    };
    let items = sample
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let id = format!("pick-{i}");
            let reference = e.reference.clone();
            let is_picked = {
                let reference = reference.clone();
                move || picked.with(|p| p.contains(&reference))
            };
            let check = check.clone();
            let on_change = move |ev| {
                let on = event_target_checked(&ev);
                picked.update(|p| {
                    p.retain(|r| *r != reference);
                    if on {
                        p.push(reference.clone());
                    }
                });
                check();
            };
            let hint = format!(
                "{}; {}; {}{}{}",
                e.needs.join(", "),
                e.support,
                e.school_phase,
                if e.alternative_provision { "; in alternative provision" } else { "" },
                if e.multi_agency { "; multi-agency support" } else { "" },
            );
            let hint_id = format!("{id}-hint");
            view! {
                <div class="govuk-checkboxes__item">
                    <input
                        class="govuk-checkboxes__input"
                        id=id.clone()
                        name="picked"
                        type="checkbox"
                        aria-describedby=hint_id.clone()
                        prop:checked=is_picked
                        on:change=on_change
                    />
                    <label class="govuk-label govuk-checkboxes__label" for=id>{e.reference.clone()}</label>
                    <div class="govuk-hint govuk-checkboxes__hint" id=hint_id>{hint}</div>
                </div>
            }
        })
        .collect_view();
    let save = {
        let engagement = engagement.clone();
        form_action(move || {
            let call = api::pick_case_studies(
                engagement.clone(),
                version,
                picked.get_untracked(),
                reason.get_untracked(),
            );
            settle(form, call, record.changed("The case studies are picked."))
        })
    };
    let suggest = {
        let engagement = engagement.clone();
        form_action(move || {
            let call = api::suggest_case_study_pick(engagement.clone(), version, reason.get_untracked());
            settle(
                form,
                call,
                record.changed("A pick was suggested at random from every pick that meets the rules."),
            )
        })
    };
    let reason_field = sample.frozen.then(|| {
        view! { <TextArea id="pick-reason" label="Why the pick is changing" hint="The sample is agreed: a change needs a reason" value=reason form /> }
    });
    view! {
        <ActionForm testid="pick-form" heading="Pick the case studies" form submit=save reload=record.reload what="the case studies">
            <Field
                id="case-study-picked"
                label="Children on the sample list"
                hint=Some("Pick the children whose cases the team will look at in depth. The rules below are checked as you pick.".to_owned())
                form=Some(form)
                fieldset=true
                control=move |_| view! {
                    <div class="govuk-checkboxes govuk-checkboxes--small" id="case-study-picked" data-module="govuk-checkboxes">
                        {items}
                    </div>
                }
            />
            <RuleList rules=rules.into() />
            {reason_field}
            <div class="govuk-button-group">
                <SubmitButton submit=save testid="save-pick" label="Save the pick" />
                <crate::components::ActionButton action=suggest testid="suggest-pick" label="Suggest a pick" />
            </div>
        </ActionForm>
    }
}

/// The team asks the local area for more children, when the list cannot give a valid pick.
#[component]
fn AskForMoreForm(sample: CaseStudySample, record: Record<CaseStudySample>) -> impl IntoView {
    let form = FormState::new(&[]);
    let (engagement, version) = (sample.engagement_id.clone(), sample.version);
    let submit = form_action(move || {
        settle(
            form,
            api::ask_for_more_case_studies(engagement.clone(), version),
            record.changed("You have asked the local area for more children. They see what the list lacks."),
        )
    });
    view! {
        <ActionForm testid="ask-more-form" heading="Ask the local area for more children" form submit reload=record.reload what="the case studies">
            <p class="govuk-body">
                "The local area is told what the list lacks, as set out above, on this page and on its start page."
            </p>
            <SubmitButton submit testid="ask-more" label="Ask the local area for more children" modifier="govuk-button--secondary" />
        </ActionForm>
    }
}

/// The caller's side agrees the list and pick.
#[component]
fn AgreeForm(sample: CaseStudySample, record: Record<CaseStudySample>) -> impl IntoView {
    let form = FormState::new(&[]);
    let (engagement, version) = (sample.engagement_id.clone(), sample.version);
    let submit = form_action(move || {
        settle(
            form,
            api::agree_case_study_sample(engagement.clone(), version),
            record.changed("You have agreed the sample list and the case studies."),
        )
    });
    let picked: Vec<String> =
        sample.entries.iter().filter(|e| e.picked).map(|e| e.reference.clone()).collect();
    view! {
        <ActionForm testid="agree-form" heading="Agree the sample" form submit reload=record.reload what="the case studies">
            <dl class="govuk-summary-list">
                <SummaryRow key="Children on the list">{sample.entries.len().to_string()}</SummaryRow>
                <SummaryRow key="Case studies picked">{picked.join(", ")}</SummaryRow>
            </dl>
            <p class="govuk-body">"Once both sides agree, the list is frozen: changes then need a reason."</p>
            <SubmitButton submit testid="agree" label="Agree the sample list and case studies" />
        </ActionForm>
    }
}

/// The local area uploads its list as CSV, with its SEND population if it wants the
/// representativeness report.
#[component]
fn UploadForm(sample: CaseStudySample, record: Record<CaseStudySample>) -> impl IntoView {
    let form =
        FormState::new(&[("file", "case-study-file", "The file"), ("reason", "upload-reason", "Reason")]);
    let file = NodeRef::<leptos::html::Input>::new();
    let reason = RwSignal::new(String::new());
    let counts: [RwSignal<String>; 6] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let population = sample.population.unwrap_or_default();
    for (signal, value) in counts.iter().zip([
        population.communication_interaction,
        population.cognition_learning,
        population.social_emotional_mental_health,
        population.sensory_physical,
        population.sen_support,
        population.ehc_plan,
    ]) {
        if value > 0 {
            signal.set(value.to_string());
        }
    }
    let (engagement, version) = (sample.engagement_id.clone(), sample.version);
    let submit = form_action(move || {
        let n = |i: usize| counts[i].get_untracked().trim().parse::<u32>().unwrap_or(0);
        let population = CaseStudyPopulation {
            communication_interaction: n(0),
            cognition_learning: n(1),
            social_emotional_mental_health: n(2),
            sensory_physical: n(3),
            sen_support: n(4),
            ehc_plan: n(5),
        };
        let input = file.get_untracked();
        let (engagement, reason) = (engagement.clone(), reason.get_untracked());
        let call = async move {
            let bytes = match input {
                Some(input) => api::read_csv(&input).await?,
                None => None,
            };
            let Some(bytes) = bytes else {
                return Err(api::ApiError::invalid("file", "Choose the CSV file of your sample list"));
            };
            api::upload_case_study_sample(UploadCaseStudySampleRequest {
                engagement_id: engagement,
                version,
                file: bytes,
                population: Some(population),
                reason,
            })
            .await
        };
        settle(form, call, record.changed("The sample list is uploaded."))
    });
    let template = sample.csv_template.clone();
    let download = move |_| {
        let _ = api::save_csv(&template, "case-study-sample-template.csv");
    };
    let header = sample.csv_template.lines().next().unwrap_or_default().to_owned();
    let reason_field = sample.frozen.then(|| {
        view! { <TextArea id="upload-reason" label="Why the list is changing" hint="The sample is agreed: a change needs a reason" value=reason form /> }
    });
    let heading =
        if sample.entries.is_empty() { "Upload the sample list" } else { "Replace the sample list" };
    let labels = [
        ("population-ci", "Communication and interaction"),
        ("population-cl", "Cognition and learning"),
        ("population-semh", "Social, emotional and mental health"),
        ("population-sp", "Sensory and/or physical"),
        ("population-sen", "On SEN Support"),
        ("population-ehc", "With an EHC plan"),
    ];
    let population_inputs = labels
        .into_iter()
        .zip(counts)
        .map(|((id, label), value)| {
            view! { <TextInput id label value width="govuk-input--width-5" inputmode="numeric" form /> }
        })
        .collect_view();
    view! {
        <ActionForm testid="upload-form" heading=heading form submit reload=record.reload what="the case studies">
            <p class="govuk-body">
                "A CSV file with one row per child, starting with this header line: "
                <code class="app-hash" data-testid="template-header">{header}</code>
            </p>
            <p class="govuk-body">
                "Primary needs are CI (communication and interaction), CL (cognition and learning), SEMH (social, emotional and mental health) or SP (sensory and/or physical), separated by semicolons. Support is EHC plan or SEN Support."
            </p>
            <p class="govuk-body">
                <button type="button" class="govuk-button govuk-button--secondary" data-testid="template" on:click=download>
                    "Download the template"
                </button>
            </p>
            <Field
                id="case-study-file"
                label="Sample list (CSV)"
                hint=Some("Save it as CSV UTF-8. A file with any problem is not stored; each problem is listed by line and column.".to_owned())
                form=Some(form)
                control=move |described: crate::components::Described| view! {
                    <input
                        class=described.class("govuk-file-upload".to_owned(), "govuk-file-upload--error")
                        id="case-study-file"
                        name="case-study-file"
                        type="file"
                        accept=".csv,text/csv"
                        aria-describedby=described.by
                        node_ref=file
                    />
                }
            />
            <details class="govuk-details">
                <summary class="govuk-details__summary">
                    <span class="govuk-details__summary-text">"Your local area's SEND population (optional)"</span>
                </summary>
                <div class="govuk-details__text">
                    <p class="govuk-body">"How many children and young people in your local area have each primary need and each kind of support. The team then sees how representative the list is."</p>
                    {population_inputs}
                </div>
            </details>
            {reason_field}
            <SubmitButton submit testid="upload" label="Upload the sample list" />
        </ActionForm>
    }
}
