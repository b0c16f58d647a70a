//! Small shared pieces of page: titles, banners, tags, summary rows, and the form, record and
//! table components every page builds on.

mod form;
mod record;
mod steps;
mod table;
mod title;

use leptos::prelude::*;

pub(crate) use form::{
    ActionButton, ActionForm, Checkbox, Described, ErrorSummary, Field, FieldMap, Form, FormError, FormState,
    SubmitButton, TextArea, TextInput, form_action, located, settle,
};
pub(crate) use record::{Loaded, Record, RecordPage, nothing};
pub(crate) use steps::{
    BackToRecord, CheckAnswers, CheckRow, QuestionPage, Task, TaskList, TaskStatus, back_to_fault, step_href,
    step_navigator, use_step,
};
pub(crate) use table::{Choice, Select, Table, choices, columns};
pub(crate) use title::set_title;

use crate::api;

/// A visible, announced loading message.
#[component]
pub(crate) fn Loading(what: &'static str) -> impl IntoView {
    view! {
        <p class="govuk-body" role="status" data-testid="loading">
            {format!("Loading {what}…")}
        </p>
    }
}

/// A GOV.UK notification banner: "Success" (announced at once) or "Important" (a landmark).
/// One per page: its title's id is fixed.
#[component]
pub(crate) fn NotificationBanner(
    /// What happened, in one sentence.
    #[prop(into)]
    text: String,
    /// A success banner (green, `role="alert"`) rather than an important one (blue).
    #[prop(optional)]
    success: bool,
) -> impl IntoView {
    let (class, role, title) = if success {
        ("govuk-notification-banner govuk-notification-banner--success", "alert", "Success")
    } else {
        ("govuk-notification-banner", "region", "Important")
    };
    view! {
        <div class=class role=role aria-labelledby="notification-banner-title" data-testid="banner">
            <div class="govuk-notification-banner__header">
                <h2 class="govuk-notification-banner__title" id="notification-banner-title">
                    {title}
                </h2>
            </div>
            <div class="govuk-notification-banner__content">
                <p class="govuk-notification-banner__heading">{text}</p>
            </div>
        </div>
    }
}

/// A GOV.UK tag: `label` in the colour of `class`, marked with `testid`.
#[component]
pub(crate) fn Tag(class: &'static str, label: &'static str, testid: &'static str) -> impl IntoView {
    view! { <strong class=class data-testid=testid>{label}</strong> }
}

/// A request state as a GOV.UK tag.
#[component]
pub(crate) fn StateTag(state: proto::pb::RequestState) -> impl IntoView {
    use crate::format::{state_label, state_tag_class};
    view! { <Tag class=state_tag_class(state) label=state_label(state) testid="state" /> }
}

/// An engagement state as a GOV.UK tag.
#[component]
pub(crate) fn EngagementStateTag(state: proto::pb::EngagementState) -> impl IntoView {
    use crate::format::{engagement_state_label, engagement_state_tag_class};
    view! { <Tag class=engagement_state_tag_class(state) label=engagement_state_label(state) testid="state" /> }
}

/// The day, month and year typed into a [`DateInput`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct DateValue {
    day: RwSignal<String>,
    month: RwSignal<String>,
    year: RwSignal<String>,
}

impl DateValue {
    /// An empty date.
    pub(crate) fn new() -> Self {
        Self {
            day: RwSignal::new(String::new()),
            month: RwSignal::new(String::new()),
            year: RwSignal::new(String::new()),
        }
    }

    /// The date as ISO YYYY-MM-DD for the server: empty if nothing was typed, and as typed
    /// (day-month-year) if it is not three numbers, so the server names the field.
    pub(crate) fn iso(&self) -> String {
        let (day, month, year) =
            (self.day.get_untracked(), self.month.get_untracked(), self.year.get_untracked());
        let (day, month, year) = (day.trim(), month.trim(), year.trim());
        if day.is_empty() && month.is_empty() && year.is_empty() {
            return String::new();
        }
        match (day.parse::<u32>(), month.parse::<u32>(), year.parse::<u32>()) {
            (Ok(d), Ok(m), Ok(y)) if year.len() == 4 => format!("{y:04}-{m:02}-{d:02}"),
            _ => format!("{day}-{month}-{year}"),
        }
    }
}

/// A GOV.UK date input: day, month and year boxes in a fieldset.
#[component]
pub(crate) fn DateInput(
    /// The prefix of the boxes' ids: `{id}-day`, `{id}-month`, `{id}-year`.
    id: &'static str,
    #[prop(into)] legend: String,
    value: DateValue,
    /// A hint under the legend; "For example, 27 3 2027" unless given.
    #[prop(optional, into)]
    hint: Option<String>,
    /// The form whose refusal may name this date.
    #[prop(optional)]
    form: Option<FormState>,
) -> impl IntoView {
    let hint = hint.unwrap_or_else(|| "For example, 27 3 2027".to_owned());
    let control = move |described: Described| {
        let part = move |suffix: &'static str,
                         label: &'static str,
                         width: &'static str,
                         signal: RwSignal<String>| {
            let part_id = format!("{id}-{suffix}");
            let class =
                described.class(format!("govuk-input govuk-date-input__input {width}"), "govuk-input--error");
            view! {
                <div class="govuk-date-input__item">
                    <div class="govuk-form-group">
                        <label class="govuk-label govuk-date-input__label" for=part_id.clone()>{label}</label>
                        <input
                            class=class
                            id=part_id.clone()
                            name=part_id
                            type="text"
                            inputmode="numeric"
                            autocomplete="off"
                            prop:value=signal
                            on:input=move |ev| signal.set(event_target_value(&ev))
                        />
                    </div>
                </div>
            }
        };
        view! {
            <div class="govuk-date-input" id=id>
                {part("day", "Day", "govuk-input--width-2", value.day)}
                {part("month", "Month", "govuk-input--width-2", value.month)}
                {part("year", "Year", "govuk-input--width-4", value.year)}
            </div>
        }
    };
    view! { <Field id=id label=legend hint=Some(hint) form fieldset=true control /> }
}

/// One choice of [`Radios`]: its value, the input's id, its label and an optional hint.
pub(crate) type Radio<T> = (T, String, String, Option<String>);

/// GOV.UK radios in a fieldset, choosing one value.
#[component]
pub(crate) fn Radios<T>(
    #[prop(into)] legend: String,
    /// The inputs' name, and the id of their group.
    name: &'static str,
    options: Vec<Radio<T>>,
    value: RwSignal<T>,
    /// The form whose refusal may name this choice.
    #[prop(optional)]
    form: Option<FormState>,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let items = options
        .into_iter()
        .map(|(option, id, label, hint)| {
            let hint_id = hint.as_ref().map(|_| format!("{id}-hint"));
            let hint = hint.map(|hint| {
                view! { <div class="govuk-hint govuk-radios__hint" id=format!("{id}-hint")>{hint}</div> }
            });
            view! {
                <div class="govuk-radios__item">
                    <input
                        class="govuk-radios__input"
                        id=id.clone()
                        name=name
                        type="radio"
                        value=id.clone()
                        aria-describedby=hint_id
                        prop:checked=move || value.get() == option
                        on:change=move |_| value.set(option)
                    />
                    <label class="govuk-label govuk-radios__label" for=id>{label}</label>
                    {hint}
                </div>
            }
        })
        .collect_view();
    let control =
        move |_: Described| view! { <div class="govuk-radios govuk-radios--small" id=name>{items}</div> };
    view! { <Field id=name label=legend hint=None form fieldset=true control /> }
}

/// A GOV.UK warning text.
#[component]
pub(crate) fn WarningText(#[prop(into)] text: String) -> impl IntoView {
    view! {
        <div class="govuk-warning-text">
            <span class="govuk-warning-text__icon" aria-hidden="true">"!"</span>
            <strong class="govuk-warning-text__text">
                <span class="govuk-visually-hidden">"Warning"</span>
                {text}
            </strong>
        </div>
    }
}

/// One row of a GOV.UK summary list.
#[component]
pub(crate) fn SummaryRow(key: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="govuk-summary-list__row">
            <dt class="govuk-summary-list__key">{key}</dt>
            <dd class="govuk-summary-list__value">{children()}</dd>
        </div>
    }
}

/// Choices from what the server listed: each item's code (or id) and name.
pub(crate) fn listed<T>(
    resource: LocalResource<Result<Vec<T>, api::ApiError>>,
    choice: fn(T) -> (String, String),
) -> Signal<Vec<Choice<String>>>
where
    T: Clone + 'static,
{
    Signal::derive(move || {
        resource
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|item| {
                let (code, name) = choice(item);
                (code.clone(), code, name)
            })
            .collect()
    })
}

/// A region select that clears the chosen local area when the region changes.
#[component]
pub(crate) fn RegionSelect(
    region_code: RwSignal<String>,
    local_area_code: RwSignal<String>,
    /// The form whose refusal may name the region.
    #[prop(optional)]
    form: Option<FormState>,
) -> impl IntoView {
    let regions = LocalResource::new(api::list_regions);
    let choices = listed(regions, |region| (region.code, region.name));
    let on_choose = Callback::new(move |_: String| local_area_code.set(String::new()));
    view! {
        {move || regions.get().and_then(Result::err).map(|error| view! { <ErrorSummary error /> })}
        <Select
            id="region"
            label="Region"
            choices
            value=region_code
            placeholder=("Choose a region", String::new())
            form=form.unwrap_or_else(|| FormState::new(&[]))
            on_choose
        />
    }
}

/// The current local areas of the region in `region_code`.
#[component]
pub(crate) fn AreaSelect(
    region_code: RwSignal<String>,
    local_area_code: RwSignal<String>,
    /// The form whose refusal may name the local area.
    #[prop(optional)]
    form: Option<FormState>,
) -> impl IntoView {
    let areas = LocalResource::new(move || {
        let region = region_code.get();
        async move {
            if region.is_empty() {
                Ok(Vec::new())
            } else {
                api::list_local_areas(region, String::new()).await.map(|page| page.local_areas)
            }
        }
    });
    let choices = listed(areas, |area| (area.ons_code, area.name));
    let hint = Signal::derive(move || {
        if region_code.get().is_empty() {
            "Choose a region first"
        } else {
            "A current local area of the region"
        }
    });
    view! {
        {move || areas.get().and_then(Result::err).map(|error| view! { <ErrorSummary error /> })}
        {move || {
            view! {
                <Select
                    id="local-area"
                    label="Local area"
                    hint=hint.get()
                    choices
                    value=local_area_code
                    placeholder=("Choose a local area", String::new())
                    form=form.unwrap_or_else(|| FormState::new(&[]))
                />
            }
        }}
    }
}
