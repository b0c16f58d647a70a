//! A record's page in parts, the GOV.UK way: the record's own address shows what it needs as a
//! task list; each task, and each question of a longer answer, is a page of its own at the same
//! address with a step in the query (`/engagements/…?task=team`), so the browser's back button
//! and a bookmark work; and before anything that cannot be undone a check-your-answers page
//! shows what will be sent and says what follows, with a Change link to each answer.
//!
//! The record is read once for all of its pages: moving between steps changes only the query.

use leptos::prelude::*;
use leptos_router::{
    NavigateOptions,
    components::A,
    hooks::{use_location, use_navigate, use_query_map},
};

use std::rc::Rc;

use super::{FormError, FormState, Record};

/// The step in the address's query under `key` (`?task=team` → `Some("team")`), tracked.
pub(crate) fn use_step(key: &'static str) -> Memo<Option<String>> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get(key).filter(|step| !step.is_empty()))
}

/// The address of step `step` under `key` of this page (`None`: the page itself).
pub(crate) fn step_href(key: &str, step: Option<&str>) -> String {
    let path = use_location().pathname.get_untracked();
    match step {
        Some(step) => format!("{path}?{key}={step}"),
        None => path,
    }
}

/// A function that goes to a step of this page, usable after the component that made it is gone
/// (the navigation is taken while the component runs).
pub(crate) fn step_navigator(key: &'static str) -> impl Fn(Option<&str>) + Clone + 'static {
    let navigate = use_navigate();
    let path = use_location().pathname.get_untracked();
    move |step: Option<&str>| {
        let href = match step {
            Some(step) => format!("{path}?{key}={step}"),
            None => path.clone(),
        };
        navigate(&href, NavigateOptions::default());
    }
}

/// What a step's page does with the server's answer: back to the record's own page (its address
/// without the step), showing the record the server returned with a sentence saying what
/// happened. Made while the page is built, where the router's navigation is at hand.
pub(crate) struct BackToRecord<T: 'static> {
    home: Rc<dyn Fn()>,
    record: Record<T>,
}

impl<T: 'static> Clone for BackToRecord<T> {
    fn clone(&self) -> Self {
        Self { home: Rc::clone(&self.home), record: self.record }
    }
}

impl<T: 'static> BackToRecord<T> {
    pub(crate) fn new(record: Record<T>) -> Self {
        let navigate = use_navigate();
        let path = use_location().pathname.get_untracked();
        Self { home: Rc::new(move || navigate(&path, NavigateOptions::default())), record }
    }

    /// The hand-over for one answer, saying `text` in the banner.
    pub(crate) fn with<S: Into<String>>(&self, text: S) -> impl FnOnce(T) + use<T, S> {
        let (home, record, text) = (Rc::clone(&self.home), self.record, text.into());
        move |updated| {
            home();
            record.changed(text)(updated);
        }
    }
}

/// A task's status, in the GOV.UK task list's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TaskStatus {
    Completed,
    InProgress,
    NotYetStarted,
    CannotStartYet,
}

impl TaskStatus {
    /// The status in words.
    pub(crate) const fn label(self) -> &'static str {
        match self {
            Self::Completed => "Completed",
            Self::InProgress => "In progress",
            Self::NotYetStarted => "Not yet started",
            Self::CannotStartYet => "Cannot start yet",
        }
    }
}

/// One task of a [`TaskList`].
#[derive(Debug, Clone)]
pub(crate) struct Task {
    /// `data-testid` of the task's row, and the stem of its status's id.
    pub(crate) testid: &'static str,
    pub(crate) name: String,
    /// A line under the name, e.g. the dates or who is on the team.
    pub(crate) hint: Option<String>,
    /// Where the task is done; none while the person cannot do it.
    pub(crate) href: Option<String>,
    pub(crate) status: TaskStatus,
}

/// The GOV.UK task list: each task's name (a link when the person can do it now), a hint, and its
/// status, completed ones in plain text and the rest as a tag.
#[component]
pub(crate) fn TaskList(tasks: Vec<Task>, #[prop(optional)] testid: Option<&'static str>) -> impl IntoView {
    let items = tasks
        .into_iter()
        .map(|task| {
            let status_id = format!("{}-status", task.testid);
            let hint_id = format!("{}-hint", task.testid);
            let described = match task.hint {
                Some(_) => format!("{hint_id} {status_id}"),
                None => status_id.clone(),
            };
            let hint = task.hint.map(|hint| view! { <div class="govuk-task-list__hint" id=hint_id>{hint}</div> });
            let (item_class, name) = match task.href {
                Some(href) => (
                    "govuk-task-list__item govuk-task-list__item--with-link",
                    view! {
                        <A href=href attr:class="govuk-link govuk-task-list__link" attr:aria-describedby=described>
                            {task.name}
                        </A>
                    }
                    .into_any(),
                ),
                None => ("govuk-task-list__item", view! { <div>{task.name}</div> }.into_any()),
            };
            let status = match task.status {
                TaskStatus::Completed => view! { {TaskStatus::Completed.label()} }.into_any(),
                TaskStatus::CannotStartYet => view! { {TaskStatus::CannotStartYet.label()} }.into_any(),
                other => view! { <strong class="govuk-tag govuk-tag--blue">{other.label()}</strong> }.into_any(),
            };
            let status_class = if task.status == TaskStatus::CannotStartYet {
                "govuk-task-list__status govuk-task-list__status--cannot-start-yet"
            } else {
                "govuk-task-list__status"
            };
            view! {
                <li class=item_class data-testid=task.testid data-status=task.status.label()>
                    <div class="govuk-task-list__name-and-hint">{name}{hint}</div>
                    <div class=status_class id=status_id>{status}</div>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="govuk-task-list" data-testid=testid>{items}</ul> }
}

/// One answer on a check-your-answers page, with the step where it is changed.
#[derive(Debug, Clone)]
pub(crate) struct CheckRow {
    pub(crate) key: &'static str,
    pub(crate) value: String,
    /// The address of the question's page, and what is changed in words ("the name").
    pub(crate) change: Option<(String, &'static str)>,
}

/// A check-your-answers page: the answers with their Change links, what happens next (the
/// consequence, said before the button) and the button that does it. The form's refusal shows
/// here; the page that shows the question at fault takes the person there (see [`back_to_fault`]).
#[component]
pub(crate) fn CheckAnswers(
    /// The section's `data-testid`.
    testid: &'static str,
    /// The page's heading: "Check your answer before sending it".
    #[prop(into)]
    heading: String,
    answers: Vec<CheckRow>,
    /// What follows the button, as warning text.
    #[prop(into)]
    consequence: String,
    form: FormState,
    submit: Action<(), ()>,
    /// The button's `data-testid`, words and GOV.UK modifier class.
    button: (&'static str, &'static str, &'static str),
    /// The page before this one.
    back: String,
    /// Reads the record again after someone else changed it meanwhile.
    #[prop(optional)]
    reload: Option<Callback<()>>,
    #[prop(optional)] what: &'static str,
    /// Said before the answers, e.g. the facts the action is about.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let any_change = answers.iter().any(|a| a.change.is_some());
    let rows = answers
        .into_iter()
        .map(|answer| {
            let actions = answer.change.map(|(href, what)| {
                view! {
                    <dd class="govuk-summary-list__actions">
                        <A href=href attr:class="govuk-link">
                            "Change"<span class="govuk-visually-hidden">{format!(" {what}")}</span>
                        </A>
                    </dd>
                }
            });
            let class = if any_change && actions.is_none() {
                "govuk-summary-list__row govuk-summary-list__row--no-actions"
            } else {
                "govuk-summary-list__row"
            };
            view! {
                <div class=class>
                    <dt class="govuk-summary-list__key">{answer.key}</dt>
                    <dd class="govuk-summary-list__value">{answer.value}</dd>
                    {actions}
                </div>
            }
        })
        .collect_view();
    let (button_testid, label, modifier) = button;
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    view! {
        <A href=back attr:class="govuk-back-link">"Back"</A>
        <section data-testid=testid aria-labelledby=format!("{testid}-heading")>
            <FormError form reload what />
            <h1 class="govuk-heading-l" id=format!("{testid}-heading")>{heading}</h1>
            {children.map(|children| children())}
            <dl class="govuk-summary-list govuk-!-margin-bottom-9" data-testid="answers">{rows}</dl>
            <h2 class="govuk-heading-m">"Now send it"</h2>
            <super::WarningText text=consequence />
            <form novalidate on:submit=on_submit>
                <button
                    type="submit"
                    class=format!("govuk-button {modifier}")
                    data-testid=button_testid
                    disabled=submit.pending()
                >
                    {label}
                </button>
            </form>
        </section>
    }
}

/// While the person is on the check step (`check`) of `key` and the form is refused, takes them to
/// the question whose field is at fault (`step_of` the first problem's field), where the summary
/// and the inline message show; a refusal no question owns (someone else changed the record)
/// stays on the check page.
pub(crate) fn back_to_fault(
    form: FormState,
    key: &'static str,
    check: &'static str,
    step_of: impl Fn(&str) -> Option<&'static str> + 'static,
) {
    let step = use_step(key);
    let go = step_navigator(key);
    Effect::new(move |_| {
        let Some(error) = form.error.get() else { return };
        if step.get_untracked().as_deref() != Some(check) {
            return;
        }
        if let Some(target) = error.problems.iter().find_map(|p| step_of(p.field())) {
            go(Some(target));
        }
    });
}

/// A one-question page of a longer answer: the back link, the form's refusal, the question as
/// the page's heading (a label or legend of its own is the question's field), and "Continue".
#[component]
pub(crate) fn QuestionPage(
    testid: &'static str,
    /// The question, as the page's heading.
    #[prop(into)]
    heading: String,
    #[prop(optional, into)] caption: Option<String>,
    form: FormState,
    /// Runs "Continue".
    on_continue: Callback<()>,
    back: String,
    children: Children,
) -> impl IntoView {
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_continue.run(());
    };
    view! {
        <A href=back attr:class="govuk-back-link">"Back"</A>
        <section data-testid=testid aria-labelledby=format!("{testid}-heading")>
            <FormError form reload=None />
            {caption.map(|caption| view! { <span class="govuk-caption-l">{caption}</span> })}
            <h1 class="govuk-heading-l" id=format!("{testid}-heading")>{heading}</h1>
            <form novalidate on:submit=on_submit>
                {children()}
                <button type="submit" class="govuk-button" data-testid="continue">"Continue"</button>
            </form>
        </section>
    }
}
