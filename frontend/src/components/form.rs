//! Forms the GOV.UK way: one [`FormState`] per form holds the server's refusal and says where each
//! problem belongs; [`ErrorSummary`] lists the problems, each linking to its field; every field
//! component shows the same words inline with the error styling; "Error: " leads the tab's title
//! while any summary shows. [`settle`] is the one way a form calls the server and reports.

use std::future::Future;

use leptos::{ev::SubmitEvent, prelude::*};
use wasm_bindgen::JsCast as _;

use crate::api::{ApiError, Problem};

use super::title;

/// Where a problem belongs on a form: the server's field (or subject field, or rule id), the
/// input's id and the field's name in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldMap {
    /// `reason`, `members`, `body` (for `body:9:4`), or a rule id such as `letter.judgement_wording`.
    pub(crate) key: String,
    /// The id of the input (or of a date's or choices' group) on the page.
    pub(crate) id: String,
    /// The field's name, to begin a sentence: "Reason".
    pub(crate) name: String,
}

/// A form's refusal, and where on the form each of its problems belongs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FormState {
    /// The last refusal, shown until the next success.
    pub(crate) error: RwSignal<Option<ApiError>>,
    fields: RwSignal<Vec<FieldMap>>,
}

/// One problem as a form shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shown {
    /// The input it links to, if the form has one for it.
    id: Option<String>,
    text: String,
    rule: String,
    field: String,
}

impl FormState {
    /// A form whose fields are `(server field, input id, name in words)`.
    pub(crate) fn new(fields: &[(&str, &str, &str)]) -> Self {
        let fields = fields
            .iter()
            .map(|(key, id, name)| FieldMap {
                key: (*key).to_owned(),
                id: (*id).to_owned(),
                name: (*name).to_owned(),
            })
            .collect();
        Self { error: RwSignal::new(None), fields: RwSignal::new(fields) }
    }

    /// Changes where problems belong (fields that appear with the refusal, like override reasons).
    pub(crate) fn set_fields(&self, fields: Vec<FieldMap>) {
        self.fields.set(fields);
    }

    /// Shows a refusal.
    pub(crate) fn fail(&self, error: ApiError) {
        self.error.set(Some(error));
    }

    /// Where `problem` belongs: a field for its rule, else for the field its subject names.
    fn place(fields: &[FieldMap], problem: &Problem) -> Option<FieldMap> {
        let by_rule =
            (!problem.rule.is_empty()).then(|| fields.iter().find(|f| f.key == problem.rule)).flatten();
        by_rule.or_else(|| fields.iter().find(|f| f.key == problem.field())).cloned()
    }

    /// The problems of `error` as this form shows them (tracked).
    fn shown(&self, error: &ApiError) -> Vec<Shown> {
        self.fields.with(|fields| {
            error
                .problems
                .iter()
                .map(|problem| {
                    let place = Self::place(fields, problem);
                    Shown {
                        text: sentence(problem, place.as_ref().map(|f| f.name.as_str())),
                        id: place.map(|f| f.id),
                        rule: problem.rule.clone(),
                        field: problem.subject.clone(),
                    }
                })
                .collect()
        })
    }

    /// The inline message for the input `id`: the words of every problem placed there (tracked).
    pub(crate) fn message(&self, id: &str) -> Option<String> {
        let error = self.error.get()?;
        let texts: Vec<String> =
            self.shown(&error).into_iter().filter(|s| s.id.as_deref() == Some(id)).map(|s| s.text).collect();
        (!texts.is_empty()).then(|| texts.join(". "))
    }
}

/// The words a field's description may start with when it says only what is wrong with the
/// field ("is required", "must be at most 100 characters"): it then follows the field's name.
const PREDICATES: [&str; 8] = ["is ", "are ", "must ", "needs ", "has ", "was ", "cannot ", "should "];

/// `text` with its first letter a capital.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// A problem in words, as a sentence: a description that says only what is wrong ("is
/// required") follows the field's name ("The reason is required"); any other is the sentence
/// itself; a finding in a letter's text ends with its line and column.
fn sentence(problem: &Problem, name: Option<&str>) -> String {
    let description = problem.description.trim();
    let text = if problem.rule.is_empty() && PREDICATES.iter().any(|p| description.starts_with(p)) {
        let name = name.map_or_else(|| problem.field().replace(['_', '.'], " "), str::to_owned);
        format!("{} {description}", capitalised(&name))
    } else {
        capitalised(description)
    };
    // A file's row problems already say their line and column in words.
    if problem.field() == "file" { text } else { located(&text, problem.position()) }
}

/// `text`, then where in a letter's text it was found, in words: "… (line 9, column 4)".
pub(crate) fn located(text: &str, position: Option<(u32, u32)>) -> String {
    match position {
        Some((line, column)) => format!("{text} (line {line}, column {column})"),
        None => text.to_owned(),
    }
}

/// Moves the focus to the input `id` (or the first input inside it), as GOV.UK Frontend's error
/// summary does when one of its links is followed.
fn focus_field(id: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(element) = document.get_element_by_id(id) else { return };
    let target = if matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") {
        Some(element)
    } else {
        element.query_selector("input, textarea, select").ok().flatten()
    };
    if let Some(target) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
        target.scroll_into_view();
        // Focus fails only on a detached element: then there is nothing to move to.
        let _ = target.focus();
    }
}

/// A GOV.UK error summary: each problem the server named, linking to its field when `form` has
/// one for it, or what went wrong when the answer named none. It takes the focus when shown,
/// like GOV.UK Frontend's own script, and puts "Error: " before the tab's title while it shows.
#[component]
pub(crate) fn ErrorSummary(
    error: ApiError,
    /// The form whose fields the problems link to.
    #[prop(optional)]
    form: Option<FormState>,
) -> impl IntoView {
    let summary = NodeRef::<leptos::html::Div>::new();
    Effect::new(move || {
        if let Some(summary) = summary.get() {
            // Focus can fail only on a detached element; then there is nothing to show anyway.
            let _ = summary.focus();
        }
    });
    title::error_shown();
    on_cleanup(title::error_gone);
    let form = form.unwrap_or_else(|| FormState::new(&[]));
    let body = if error.problems.is_empty() {
        view! { <p class="govuk-body">{error.to_string()}</p> }.into_any()
    } else {
        let items = move || {
            form.shown(&error)
                .into_iter()
                .map(|shown| match shown.id {
                    Some(id) => {
                        let target = id.clone();
                        view! {
                            <li data-rule=shown.rule data-field=shown.field>
                                <a
                                    href=format!("#{id}")
                                    on:click=move |ev| {
                                        ev.prevent_default();
                                        focus_field(&target);
                                    }
                                >
                                    {shown.text}
                                </a>
                            </li>
                        }
                        .into_any()
                    }
                    None => {
                        view! { <li data-rule=shown.rule data-field=shown.field>{shown.text}</li> }.into_any()
                    }
                })
                .collect_view()
        };
        view! { <ul class="govuk-list govuk-error-summary__list">{items}</ul> }.into_any()
    };
    view! {
        <div class="govuk-error-summary" data-testid="error" tabindex="-1" node_ref=summary>
            <div role="alert">
                <h2 class="govuk-error-summary__title">"There is a problem"</h2>
                <div class="govuk-error-summary__body">{body}</div>
            </div>
        </div>
    }
}

/// A form's error summary, while it has a refusal; when someone else changed the record meanwhile
/// (`Aborted`), also a button that reads it again.
#[component]
pub(crate) fn FormError(
    form: FormState,
    /// Reads the record again, where the page offers that.
    #[prop(optional_no_strip)]
    reload: Option<Callback<()>>,
    /// What is read again, e.g. "the letter".
    #[prop(optional)]
    what: &'static str,
) -> impl IntoView {
    move || {
        form.error.get().map(|error| {
            let stale = (error.code == tonic::Code::Aborted).then_some(reload).flatten().map(|reload| {
                view! {
                    <button
                        type="button"
                        class="govuk-button govuk-button--secondary"
                        data-testid="reload"
                        on:click=move |_| reload.run(())
                    >
                        {format!("Reload {what}")}
                    </button>
                }
            });
            view! {
                <ErrorSummary error form />
                {stale}
            }
        })
    }
}

/// Runs a form's call, then hands the answer to `done` (clearing the refusal) or shows the
/// refusal at its fields. Every form calls the server through this.
pub(crate) async fn settle<T>(
    form: FormState,
    call: impl Future<Output = Result<T, ApiError>>,
    done: impl FnOnce(T),
) {
    match call.await {
        Ok(answer) => {
            form.error.set(None);
            done(answer);
        }
        Err(e) => form.fail(e),
    }
}

/// A form's action: `call` run on each submit, at most one at a time in the button's eyes.
pub(crate) fn form_action<F, Fut>(call: F) -> Action<(), ()>
where
    F: Fn() -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
{
    Action::new_local(move |(): &()| call())
}

/// The ids an input is described by: its hint and its error message, when shown.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Described {
    /// `aria-describedby`.
    pub(crate) by: Signal<Option<String>>,
    /// Whether the field shows an error (for `govuk-input--error` and the like).
    pub(crate) error: Signal<bool>,
}

impl Described {
    /// `class` with `error_class` added while the field shows an error.
    pub(crate) fn class(&self, class: String, error_class: &'static str) -> Signal<String> {
        let error = self.error;
        Signal::derive(move || if error.get() { format!("{class} {error_class}") } else { class.clone() })
    }
}

/// A GOV.UK form group: the label (or, for a group of inputs, a fieldset's legend), the hint, the
/// inline error message from `form`, then the control built by `control`.
#[component]
pub(crate) fn Field<C, V>(
    /// The control's id (or the group's, for a fieldset).
    #[prop(into)]
    id: String,
    #[prop(into)] label: String,
    #[prop(optional_no_strip)] hint: Option<String>,
    #[prop(optional_no_strip)] form: Option<FormState>,
    /// A fieldset with a legend (dates, radios, checkboxes) rather than a label.
    #[prop(optional)]
    fieldset: bool,
    /// A bold label.
    #[prop(optional)]
    bold: bool,
    /// A label only screen readers read.
    #[prop(optional)]
    visually_hidden: bool,
    /// Builds the control, given what describes it.
    control: C,
) -> impl IntoView
where
    C: FnOnce(Described) -> V,
    V: IntoView + 'static,
{
    let hint_id = hint.as_ref().map(|_| format!("{id}-hint"));
    let error_id = format!("{id}-error");
    let message = Signal::derive({
        let id = id.clone();
        move || form.and_then(|form| form.message(&id))
    });
    let error = Signal::derive(move || message.with(Option::is_some));
    let by = Signal::derive({
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let ids: Vec<&str> =
                hint_id.iter().map(String::as_str).chain(error.get().then_some(error_id.as_str())).collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    });
    let hint = hint.map(|hint| view! { <div class="govuk-hint" id=hint_id.clone()>{hint}</div> });
    let inline = move || {
        message.get().map(|text| {
            view! {
                <p class="govuk-error-message" id=error_id.clone()>
                    <span class="govuk-visually-hidden">"Error: "</span>
                    {text}
                </p>
            }
        })
    };
    let group_class =
        move || if error.get() { "govuk-form-group govuk-form-group--error" } else { "govuk-form-group" };
    let control = control(Described { by, error });
    if fieldset {
        let legend_class = "govuk-fieldset__legend govuk-fieldset__legend--s";
        view! {
            <div class=group_class>
                <fieldset class="govuk-fieldset" role="group" aria-describedby=by>
                    <legend class=legend_class>{label}</legend>
                    {hint}
                    {inline}
                    {control}
                </fieldset>
            </div>
        }
        .into_any()
    } else {
        let label_class = match (bold, visually_hidden) {
            (_, true) => "govuk-label govuk-visually-hidden",
            (true, false) => "govuk-label govuk-label--s",
            (false, false) => "govuk-label",
        };
        view! {
            <div class=group_class>
                <label class=label_class for=id>{label}</label>
                {hint}
                {inline}
                {control}
            </div>
        }
        .into_any()
    }
}

/// A labelled GOV.UK text input bound to a signal.
#[component]
pub(crate) fn TextInput(
    /// The input's id and name.
    id: &'static str,
    #[prop(into)] label: String,
    /// The signal the input reads and writes.
    value: RwSignal<String>,
    /// A hint under the label.
    #[prop(optional, into)]
    hint: Option<String>,
    /// The form whose refusal may name this field.
    #[prop(optional)]
    form: Option<FormState>,
    /// A GOV.UK width class; two thirds unless given.
    #[prop(optional)]
    width: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    /// `inputmode`, e.g. "numeric".
    #[prop(optional)]
    inputmode: Option<&'static str>,
    /// The input's type: "text" unless given ("password", "search").
    #[prop(optional)]
    kind: Option<&'static str>,
) -> impl IntoView {
    let class = format!("govuk-input {}", width.unwrap_or("govuk-!-width-two-thirds"));
    view! {
        <Field id=id label hint form control=move |described: Described| view! {
            <input
                class=described.class(class, "govuk-input--error")
                id=id
                name=id
                type=kind.unwrap_or("text")
                spellcheck="false"
                autocapitalize="none"
                autocomplete=autocomplete.unwrap_or("off")
                inputmode=inputmode
                aria-describedby=described.by
                prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        } />
    }
}

/// A labelled GOV.UK textarea bound to a signal.
#[component]
pub(crate) fn TextArea(
    /// The textarea's id and name.
    #[prop(into)]
    id: String,
    #[prop(into)] label: String,
    /// The signal the textarea reads and writes.
    value: RwSignal<String>,
    /// A hint under the label.
    #[prop(optional, into)]
    hint: Option<String>,
    /// The form whose refusal may name this field.
    #[prop(optional)]
    form: Option<FormState>,
    /// How many rows; 3 unless given.
    #[prop(optional)]
    rows: Option<u32>,
    /// A bold label.
    #[prop(optional)]
    bold: bool,
) -> impl IntoView {
    let name = id.clone();
    view! {
        <Field id=id.clone() label hint form bold control=move |described: Described| view! {
            <textarea
                class=described.class("govuk-textarea".to_owned(), "govuk-textarea--error")
                id=id
                name=name
                rows=rows.unwrap_or(3).to_string()
                aria-describedby=described.by
                prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
        } />
    }
}

/// The submit button of a form, disabled while `submit` runs.
#[component]
pub(crate) fn SubmitButton(
    submit: Action<(), ()>,
    testid: &'static str,
    #[prop(into)] label: String,
    /// A GOV.UK button modifier: "govuk-button--secondary", "govuk-button--warning".
    #[prop(optional)]
    modifier: &'static str,
) -> impl IntoView {
    view! {
        <button type="submit" class=format!("govuk-button {modifier}") data-testid=testid disabled=submit.pending()>
            {label}
        </button>
    }
}

/// One action of a record page: a section with its heading, its form's error summary and the form,
/// which runs `submit`.
#[component]
pub(crate) fn ActionForm(
    /// The section's `data-testid`; its heading's id is `{testid}-heading`.
    testid: &'static str,
    #[prop(into)] heading: String,
    form: FormState,
    submit: Action<(), ()>,
    /// Reads the record again after someone else changed it meanwhile.
    #[prop(optional)]
    reload: Option<Callback<()>>,
    /// The record read again, e.g. "the letter".
    #[prop(optional)]
    what: &'static str,
    /// The form is the page (a task's own page): the problems come first and the heading is the
    /// page's `h1`.
    #[prop(optional)]
    page: bool,
    children: Children,
) -> impl IntoView {
    let heading_id = format!("{testid}-heading");
    if page {
        return view! {
            <section data-testid=testid aria-labelledby=heading_id.clone()>
                <FormError form reload what />
                <h1 class="govuk-heading-l" id=heading_id.clone()>{heading}</h1>
                <Form submit>{children()}</Form>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="app-action" data-testid=testid aria-labelledby=heading_id.clone()>
            <h2 class="govuk-heading-m" id=heading_id.clone()>{heading}</h2>
            <FormError form reload what />
            <Form submit>{children()}</Form>
        </section>
    }
    .into_any()
}

/// A form that runs `submit` instead of leaving the page (the browser's own checks are off:
/// the server names every problem).
#[component]
pub(crate) fn Form(
    submit: Action<(), ()>,
    /// The form's `data-testid`.
    #[prop(optional)]
    testid: Option<&'static str>,
    /// The form's class, e.g. `app-filters`.
    #[prop(optional)]
    class: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch(());
    };
    view! { <form novalidate class=class data-testid=testid on:submit=on_submit>{children()}</form> }
}

/// A button (not a form's submit) that runs `action`, disabled while it runs.
#[component]
pub(crate) fn ActionButton<O>(
    action: Action<(), O>,
    testid: &'static str,
    #[prop(into)] label: String,
    /// GOV.UK button modifiers and any other classes; "govuk-button--secondary" unless given.
    #[prop(optional)]
    modifier: Option<&'static str>,
) -> impl IntoView
where
    O: Send + Sync + 'static,
{
    view! {
        <button
            type="button"
            class=format!("govuk-button {}", modifier.unwrap_or("govuk-button--secondary"))
            data-testid=testid
            disabled=action.pending()
            on:click=move |_| {
                action.dispatch(());
            }
        >
            {label}
        </button>
    }
}

/// A single GOV.UK checkbox bound to a signal.
#[component]
pub(crate) fn Checkbox(
    /// The input's id and name.
    id: &'static str,
    #[prop(into)] label: String,
    value: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <div class="govuk-form-group">
            <div class="govuk-checkboxes govuk-checkboxes--small">
                <div class="govuk-checkboxes__item">
                    <input
                        class="govuk-checkboxes__input"
                        id=id
                        name=id
                        type="checkbox"
                        prop:checked=value
                        on:change=move |ev| value.set(event_target_checked(&ev))
                    />
                    <label class="govuk-label govuk-checkboxes__label" for=id>{label}</label>
                </div>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(rule: &str, subject: &str, description: &str) -> Problem {
        Problem { rule: rule.to_owned(), subject: subject.to_owned(), description: description.to_owned() }
    }

    #[test]
    fn a_field_description_that_says_what_is_wrong_follows_the_fields_name() {
        assert_eq!(
            sentence(&problem("", "reason", "is required"), Some("The reason")),
            "The reason is required"
        );
        assert_eq!(
            sentence(&problem("", "region_code", "must be chosen"), None),
            "Region code must be chosen"
        );
    }

    #[test]
    fn a_sentence_stays_as_the_server_wrote_it_with_a_capital() {
        assert_eq!(
            sentence(&problem("", "document", "Attach the signed letter"), Some("The letter")),
            "Attach the signed letter"
        );
        assert_eq!(
            sentence(
                &problem("", "onsite", "the first onsite day is a bank holiday"),
                Some("The onsite days")
            ),
            "The first onsite day is a bank holiday"
        );
    }

    #[test]
    fn a_finding_in_the_text_says_its_line_and_column_in_words_never_its_rule() {
        let text = sentence(
            &problem("letter.judgement_wording", "body:9:4", "Avoid \"recommend\""),
            Some("The letter"),
        );
        assert_eq!(text, "Avoid \"recommend\" (line 9, column 4)");
        assert!(!text.contains("letter.judgement_wording"));
    }

    #[test]
    fn problems_belong_to_the_field_of_their_rule_first_then_of_their_subject() {
        let fields = vec![
            FieldMap { key: "body".into(), id: "draft-body".into(), name: "The letter".into() },
            FieldMap {
                key: "letter.judgement_wording".into(),
                id: "override-0".into(),
                name: "Finding 1".into(),
            },
        ];
        let by_rule = FormState::place(&fields, &problem("letter.judgement_wording", "body:9:4", "x"));
        assert_eq!(by_rule.map(|f| f.id), Some("override-0".to_owned()));
        let by_subject = FormState::place(&fields, &problem("letter.sections", "body", "x"));
        assert_eq!(by_subject.map(|f| f.id), Some("draft-body".to_owned()));
        assert_eq!(FormState::place(&fields, &problem("", "title", "x")), None);
    }
}
