//! Small shared pieces of page.

use leptos::prelude::*;

use crate::api::{self, ApiError};

/// Sets the browser tab's title: "`page` - SEND Planner".
pub(crate) fn set_title(page: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(&format!("{page} - SEND Planner"));
    }
}

/// A GOV.UK error summary announcing what went wrong. Like GOV.UK Frontend's own script, it
/// takes the focus when shown, so it is scrolled into view and read out first.
#[component]
pub(crate) fn ErrorSummary(error: ApiError) -> impl IntoView {
    let summary = NodeRef::<leptos::html::Div>::new();
    Effect::new(move || {
        if let Some(summary) = summary.get() {
            // Focus can fail only on a detached element; then there is nothing to show anyway.
            let _ = summary.focus();
        }
    });
    view! {
        <div class="govuk-error-summary" data-testid="error" tabindex="-1" node_ref=summary>
            <div role="alert">
                <h2 class="govuk-error-summary__title">"There is a problem"</h2>
                <div class="govuk-error-summary__body">
                    <p class="govuk-body">{error.to_string()}</p>
                </div>
            </div>
        </div>
    }
}

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

/// A request state as a GOV.UK tag.
#[component]
pub(crate) fn StateTag(state: proto::pb::RequestState) -> impl IntoView {
    view! {
        <strong class=crate::format::state_tag_class(state) data-testid="state">
            {crate::format::state_label(state)}
        </strong>
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
    /// A GOV.UK width class; two thirds unless given.
    #[prop(optional)]
    width: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    /// `inputmode`, e.g. "numeric".
    #[prop(optional)]
    inputmode: Option<&'static str>,
) -> impl IntoView {
    let hint_id = hint.as_ref().map(|_| format!("{id}-hint"));
    let class = format!("govuk-input {}", width.unwrap_or("govuk-!-width-two-thirds"));
    view! {
        <div class="govuk-form-group">
            <label class="govuk-label" for=id>{label}</label>
            {hint.map(|hint| view! { <div class="govuk-hint" id=format!("{id}-hint")>{hint}</div> })}
            <input
                class=class
                id=id
                name=id
                type="text"
                spellcheck="false"
                autocomplete=autocomplete.unwrap_or("off")
                inputmode=inputmode
                aria-describedby=hint_id
                prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </div>
    }
}

/// A labelled GOV.UK textarea bound to a signal.
#[component]
pub(crate) fn TextArea(
    /// The textarea's id and name.
    id: &'static str,
    #[prop(into)] label: String,
    /// The signal the textarea reads and writes.
    value: RwSignal<String>,
    /// A hint under the label.
    #[prop(optional, into)]
    hint: Option<String>,
) -> impl IntoView {
    let hint_id = hint.as_ref().map(|_| format!("{id}-hint"));
    view! {
        <div class="govuk-form-group">
            <label class="govuk-label" for=id>{label}</label>
            {hint.map(|hint| view! { <div class="govuk-hint" id=format!("{id}-hint")>{hint}</div> })}
            <textarea
                class="govuk-textarea"
                id=id
                name=id
                rows="3"
                aria-describedby=hint_id
                prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
        </div>
    }
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
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let hint = hint.unwrap_or_else(|| "For example, 27 3 2027".to_owned());
    let part =
        move |suffix: &'static str, label: &'static str, width: &'static str, signal: RwSignal<String>| {
            let part_id = format!("{id}-{suffix}");
            view! {
                <div class="govuk-date-input__item">
                    <div class="govuk-form-group">
                        <label class="govuk-label govuk-date-input__label" for=part_id.clone()>{label}</label>
                        <input
                            class=format!("govuk-input govuk-date-input__input {width}")
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
        <div class="govuk-form-group">
            <fieldset class="govuk-fieldset" role="group" aria-describedby=hint_id.clone()>
                <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>
                <div class="govuk-hint" id=hint_id.clone()>{hint}</div>
                <div class="govuk-date-input" id=id>
                    {part("day", "Day", "govuk-input--width-2", value.day)}
                    {part("month", "Month", "govuk-input--width-2", value.month)}
                    {part("year", "Year", "govuk-input--width-4", value.year)}
                </div>
            </fieldset>
        </div>
    }
}

/// One choice of [`Radios`]: its value, the input's id, its label and an optional hint.
pub(crate) type Radio<T> = (T, String, String, Option<String>);

/// GOV.UK radios in a fieldset, choosing one value.
#[component]
pub(crate) fn Radios<T>(
    #[prop(into)] legend: String,
    /// The inputs' name.
    name: &'static str,
    options: Vec<Radio<T>>,
    value: RwSignal<T>,
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
    view! {
        <div class="govuk-form-group">
            <fieldset class="govuk-fieldset">
                <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>
                <div class="govuk-radios govuk-radios--small">{items}</div>
            </fieldset>
        </div>
    }
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

/// An engagement state as a GOV.UK tag.
#[component]
pub(crate) fn EngagementStateTag(state: proto::pb::EngagementState) -> impl IntoView {
    view! {
        <strong class=crate::format::engagement_state_tag_class(state) data-testid="state">
            {crate::format::engagement_state_label(state)}
        </strong>
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

/// A region select that clears the chosen local area when the region changes.
#[component]
pub(crate) fn RegionSelect(
    region_code: RwSignal<String>,
    local_area_code: RwSignal<String>,
) -> impl IntoView {
    let regions = LocalResource::new(api::list_regions);
    let options = move || {
        regions
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|region| {
                let code = region.code.clone();
                let selected = move || region_code.get() == code;
                view! { <option value=region.code prop:selected=selected>{region.name}</option> }
            })
            .collect_view()
    };
    view! {
        {move || regions.get().and_then(Result::err).map(|error| view! { <ErrorSummary error /> })}
        <div class="govuk-form-group">
            <label class="govuk-label" for="region">"Region"</label>
            <select
                class="govuk-select"
                id="region"
                name="region"
                on:change=move |ev| {
                    region_code.set(event_target_value(&ev));
                    local_area_code.set(String::new());
                }
            >
                <option value="" prop:selected=move || region_code.get().is_empty()>"Choose a region"</option>
                {options}
            </select>
        </div>
    }
}

/// The current local areas of the region in `region_code`.
#[component]
pub(crate) fn AreaSelect(region_code: RwSignal<String>, local_area_code: RwSignal<String>) -> impl IntoView {
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
    let options = move || {
        areas
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|area| {
                let code = area.ons_code.clone();
                let selected = move || local_area_code.get() == code;
                view! { <option value=area.ons_code prop:selected=selected>{area.name}</option> }
            })
            .collect_view()
    };
    let hint = move || {
        if region_code.get().is_empty() {
            "Choose a region first"
        } else {
            "A current local area of the region"
        }
    };
    view! {
        {move || areas.get().and_then(Result::err).map(|error| view! { <ErrorSummary error /> })}
        <div class="govuk-form-group">
            <label class="govuk-label" for="local-area">"Local area"</label>
            <div class="govuk-hint" id="local-area-hint">{hint}</div>
            <select
                class="govuk-select"
                id="local-area"
                name="local-area"
                aria-describedby="local-area-hint"
                on:change=move |ev| local_area_code.set(event_target_value(&ev))
            >
                <option value="" prop:selected=move || local_area_code.get().is_empty()>
                    "Choose a local area"
                </option>
                {options}
            </select>
        </div>
    }
}

/// A form's error summary; when someone else changed the record meanwhile (`Aborted`), also a
/// button that reads it again.
#[component]
pub(crate) fn FormError(
    error: RwSignal<Option<ApiError>>,
    /// Reads the record again, where the page offers that.
    #[prop(optional)]
    reload: Option<Callback<()>>,
    /// What is read again, e.g. "the letter".
    what: &'static str,
) -> impl IntoView {
    move || {
        error.get().map(|error| {
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
                <ErrorSummary error />
                {stale}
            }
        })
    }
}

/// Runs `call`, then tells the page about the change (the record and a sentence saying what
/// happened) or shows the refusal.
pub(crate) async fn settle<T: 'static>(
    call: impl std::future::Future<Output = Result<T, ApiError>>,
    error: RwSignal<Option<ApiError>>,
    on_change: Callback<(T, String)>,
    text: &str,
) {
    match call.await {
        Ok(updated) => on_change.run((updated, text.to_owned())),
        Err(e) => error.set(Some(e)),
    }
}
