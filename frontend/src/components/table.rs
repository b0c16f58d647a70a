//! Generic GOV.UK tables and selects.

use leptos::prelude::*;

use super::form::{Described, Field, FormState};

/// A GOV.UK table with a caption, column headings and the rows given as children.
#[component]
pub(crate) fn Table(
    /// The table's `data-testid`.
    #[prop(optional)]
    testid: Option<&'static str>,
    #[prop(into)] caption: String,
    /// The column headings.
    #[prop(into)]
    columns: Vec<String>,
    /// A smaller caption (`govuk-table__caption--s`) than the usual medium one.
    #[prop(optional)]
    small: bool,
    /// The indexes of the columns holding numbers (aligned right).
    #[prop(optional)]
    numeric: &'static [usize],
    /// A GOV.UK table modifier, e.g. `govuk-table--small-text-until-tablet`.
    #[prop(optional)]
    modifier: &'static str,
    children: Children,
) -> impl IntoView {
    let caption_class = if small {
        "govuk-table__caption govuk-table__caption--s"
    } else {
        "govuk-table__caption govuk-table__caption--m"
    };
    let headings = columns
        .into_iter()
        .enumerate()
        .map(|(i, column)| {
            let class = if numeric.contains(&i) {
                "govuk-table__header govuk-table__header--numeric"
            } else {
                "govuk-table__header"
            };
            view! { <th scope="col" class=class>{column}</th> }
        })
        .collect_view();
    let region = caption.clone();
    // A table wider than the screen scrolls inside its own container, never the page (WCAG
    // 1.4.10): a named region that takes keyboard focus, so it can be scrolled without a mouse.
    view! {
        <div class="app-table-scroll" role="region" aria-label=region tabindex="0">
            <table class=format!("govuk-table {modifier}") data-testid=testid>
                <caption class=caption_class>{caption}</caption>
                <thead class="govuk-table__head">
                    <tr class="govuk-table__row">{headings}</tr>
                </thead>
                <tbody class="govuk-table__body">{children()}</tbody>
            </table>
        </div>
    }
}

/// Column headings from words.
pub(crate) fn columns(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

/// One choice of a [`Select`]: its value, the option's value attribute and its words.
pub(crate) type Choice<T> = (T, String, String);

/// A labelled GOV.UK select choosing one value of `choices` (or `placeholder`'s value, first).
#[component]
pub(crate) fn Select<T>(
    /// The select's id and name.
    #[prop(into)]
    id: String,
    #[prop(into)] label: String,
    /// The choices, reactive (they may arrive from the server).
    #[prop(into)]
    choices: Signal<Vec<Choice<T>>>,
    value: RwSignal<T>,
    /// A first option and the value it stands for ("Choose a region", nothing chosen).
    #[prop(optional)]
    placeholder: Option<(&'static str, T)>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional)] form: Option<FormState>,
    /// A label only screen readers read (the select sits in a table row that names it).
    #[prop(optional)]
    hidden_label: bool,
    /// Runs after each choice (e.g. to clear a choice that depends on this one).
    #[prop(optional)]
    on_choose: Option<Callback<T>>,
) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let name = id.clone();
    let control = move |described: Described| {
        let first = placeholder.clone().map(|(words, none)| {
            let selected = none.clone();
            view! { <option value="" prop:selected=move || value.with(|v| *v == selected)>{words}</option> }
        });
        let options = move || {
            choices
                .get()
                .into_iter()
                .map(|(option, attr, words)| {
                    view! { <option value=attr prop:selected=move || value.with(|v| *v == option)>{words}</option> }
                })
                .collect_view()
        };
        let none = placeholder.map(|(_, none)| none);
        view! {
            <select
                class=described.class("govuk-select".to_owned(), "govuk-select--error")
                id=name.clone()
                name=name
                aria-describedby=described.by
                on:change=move |ev| {
                    let attr = event_target_value(&ev);
                    let chosen = choices
                        .with_untracked(|c| c.iter().find(|(_, a, _)| *a == attr).map(|(v, _, _)| v.clone()))
                        .or_else(|| none.clone());
                    if let Some(chosen) = chosen {
                        value.set(chosen.clone());
                        if let Some(on_choose) = on_choose {
                            on_choose.run(chosen);
                        }
                    }
                }
            >
                {first}
                {options}
            </select>
        }
    };
    view! { <Field id label hint form visually_hidden=hidden_label control /> }
}

/// The choices of a select from a list of values with their form values, in words by `label`.
pub(crate) fn choices<T: Copy>(values: &[(T, &'static str)], label: fn(T) -> &'static str) -> Vec<Choice<T>> {
    values.iter().map(|&(value, attr)| (value, attr.to_owned(), label(value).to_owned())).collect()
}
