//! The national board (national planners): each region at a glance, the coverage of the interim
//! programme by kind of area and by last outcome, every local area's inspection history and due
//! dates, with filters; and the national programme as CSV.

use leptos::{ev::SubmitEvent, prelude::*};
use proto::pb::{AreaProgramme, CoverageCount, GetNationalBoardRequest, Outcome, RegionSummary};

use crate::{
    api::{self, ApiError},
    components::{ErrorSummary, Loading, set_title},
    format::{
        AREA_KINDS, OUTCOMES, area_kind_label, board_status, date_label, outcome_group_label, outcome_label,
    },
};

/// The heading and title.
const HEADING: &str = "National board";

/// The filters as chosen in the form (applied only when the form is sent).
#[derive(Debug, Clone, Copy)]
struct Filters {
    region_code: RwSignal<String>,
    area_kind: RwSignal<String>,
    last_outcome: RwSignal<Outcome>,
}

impl Filters {
    fn request(&self) -> GetNationalBoardRequest {
        GetNationalBoardRequest {
            region_code: self.region_code.get_untracked(),
            area_kind: self.area_kind.get_untracked(),
            last_outcome: self.last_outcome.get_untracked().into(),
            academic_year: 0,
        }
    }
}

/// The board: filters, the region summary, coverage and the areas.
#[component]
pub(crate) fn NationalPage() -> impl IntoView {
    set_title(HEADING);
    let filters = Filters {
        region_code: RwSignal::new(String::new()),
        area_kind: RwSignal::new(String::new()),
        last_outcome: RwSignal::new(Outcome::Unspecified),
    };
    // The filters the board shows: changed by "Apply filters", which asks the server again.
    let applied = RwSignal::new(GetNationalBoardRequest::default());
    let board = LocalResource::new(move || api::get_national_board(applied.get()));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        applied.set(filters.request());
    };
    let export = Action::new_local(|(): &()| api::export_national_programme(0));
    let export_error = move || export.value().get().and_then(Result::err);
    view! {
        {move || export_error().map(|error| view! { <ErrorSummary error /> })}
        <h1 class="govuk-heading-l">{HEADING}</h1>
        <p class="govuk-body">
            "Every local area in England: its last inspection, when the next is due and what is planned this academic year. The region summary, the coverage and the areas all follow the filters."
        </p>
        <button
            type="button"
            class="govuk-button govuk-button--secondary"
            data-testid="export"
            disabled=export.pending()
            on:click=move |_| {
                export.dispatch(());
            }
        >
            "Export CSV"
        </button>
        <FiltersForm filters on_submit />
        {move || match board.get() {
            None => view! { <Loading what="the national board" /> }.into_any(),
            Some(Err(error)) => view! { <ErrorSummary error /> }.into_any(),
            Some(Ok(board)) => view! {
                <RegionTable regions=board.regions />
                <Coverage
                    id="coverage-kind"
                    title="Interim visits by kind of area"
                    group="Kind of area"
                    counts=board.coverage_by_area_kind
                />
                <Coverage
                    id="coverage-outcome"
                    title="Interim visits by last outcome"
                    group="Last outcome"
                    counts=board.coverage_by_last_outcome
                />
                <AreasTable areas=board.areas />
            }
                .into_any(),
        }}
    }
}

/// Region, kind of area and last outcome.
#[component]
fn FiltersForm(filters: Filters, on_submit: impl FnMut(SubmitEvent) + 'static) -> impl IntoView {
    let regions = LocalResource::new(api::list_regions);
    let region_options = move || {
        regions
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                let code = r.code.clone();
                view! { <option value=r.code prop:selected=move || filters.region_code.get() == code>{r.name}</option> }
            })
            .collect_view()
    };
    view! {
        {move || regions.get().and_then(Result::err).map(|error: ApiError| view! { <ErrorSummary error /> })}
        <form novalidate on:submit=on_submit class="app-filters" data-testid="filters">
            <div class="govuk-form-group">
                <label class="govuk-label" for="filter-region">"Region"</label>
                <select
                    class="govuk-select"
                    id="filter-region"
                    name="filter-region"
                    on:change=move |ev| filters.region_code.set(event_target_value(&ev))
                >
                    <option value="" prop:selected=move || filters.region_code.get().is_empty()>"All regions"</option>
                    {region_options}
                </select>
            </div>
            <div class="govuk-form-group">
                <label class="govuk-label" for="filter-kind">"Kind of area"</label>
                <select
                    class="govuk-select"
                    id="filter-kind"
                    name="filter-kind"
                    on:change=move |ev| filters.area_kind.set(event_target_value(&ev))
                >
                    <option value="" prop:selected=move || filters.area_kind.get().is_empty()>"Any kind"</option>
                    {AREA_KINDS
                        .into_iter()
                        .map(|(value, label)| {
                            view! {
                                <option value=value prop:selected=move || filters.area_kind.get() == value>{label}</option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="govuk-form-group">
                <label class="govuk-label" for="filter-outcome">"Last outcome"</label>
                <select
                    class="govuk-select"
                    id="filter-outcome"
                    name="filter-outcome"
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        filters
                            .last_outcome
                            .set(
                                OUTCOMES
                                    .into_iter()
                                    .find(|(_, name)| *name == value)
                                    .map_or(Outcome::Unspecified, |(o, _)| o),
                            );
                    }
                >
                    <option value="" prop:selected=move || filters.last_outcome.get() == Outcome::Unspecified>
                        "Any outcome"
                    </option>
                    {OUTCOMES
                        .into_iter()
                        .map(|(outcome, value)| {
                            view! {
                                <option value=value prop:selected=move || filters.last_outcome.get() == outcome>
                                    {outcome_label(outcome)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="govuk-form-group">
                <button type="submit" class="govuk-button" data-testid="apply-filters">"Apply filters"</button>
            </div>
        </form>
    }
}

/// A numeric table cell.
fn number(n: u32) -> impl IntoView {
    view! { <td class="govuk-table__cell govuk-table__cell--numeric">{n}</td> }
}

/// One row per region with its counts, and a row adding them up.
#[component]
fn RegionTable(regions: Vec<RegionSummary>) -> impl IntoView {
    let mut all = RegionSummary::default();
    for r in &regions {
        all.overdue += r.overdue;
        all.due_this_term += r.due_this_term;
        all.scheduled += r.scheduled;
        all.done += r.done;
        all.interim_visits += r.interim_visits;
    }
    let rows = regions
        .into_iter()
        .map(|r| {
            view! {
                <tr class="govuk-table__row" data-region=r.region_code.clone()>
                    <th scope="row" class="govuk-table__header">{r.region_name.clone()}</th>
                    {number(r.overdue)}
                    {number(r.due_this_term)}
                    {number(r.scheduled)}
                    {number(r.done)}
                    {number(r.interim_visits)}
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="govuk-table" data-testid="region-summary">
            <caption class="govuk-table__caption govuk-table__caption--m">"Regions"</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"Region"</th>
                    <th scope="col" class="govuk-table__header govuk-table__header--numeric">"Overdue"</th>
                    <th scope="col" class="govuk-table__header govuk-table__header--numeric">"Due this term"</th>
                    <th scope="col" class="govuk-table__header govuk-table__header--numeric">"Scheduled"</th>
                    <th scope="col" class="govuk-table__header govuk-table__header--numeric">"Done"</th>
                    <th scope="col" class="govuk-table__header govuk-table__header--numeric">"Interim visits"</th>
                </tr>
            </thead>
            <tbody class="govuk-table__body">
                {rows}
                <tr class="govuk-table__row" data-testid="region-summary-all">
                    <th scope="row" class="govuk-table__header">"All shown"</th>
                    {number(all.overdue)}
                    {number(all.due_this_term)}
                    {number(all.scheduled)}
                    {number(all.done)}
                    {number(all.interim_visits)}
                </tr>
            </tbody>
        </table>
    }
}

/// The share of `part` in `whole`, in whole per cent.
fn percent(part: u32, whole: u32) -> u32 {
    (part * 100 + whole / 2).checked_div(whole).unwrap_or(0)
}

/// The coverage of the interim programme by one grouping: a bar per group (its numbers written
/// beside it, the bar itself hidden from assistive technology) and the same numbers as a table.
#[component]
fn Coverage(
    /// The section's id, and the prefix of its test ids.
    id: &'static str,
    title: &'static str,
    /// The name of the grouping, for the table's first column.
    group: &'static str,
    counts: Vec<CoverageCount>,
) -> impl IntoView {
    let (heading_id, labelled_by) = (format!("{id}-heading"), format!("{id}-heading"));
    let bars = counts
        .iter()
        .map(|c| {
            let share = percent(c.with_interim_visit, c.areas);
            let label = outcome_group_label(&c.group);
            view! {
                <li class="app-bar-chart__item">
                    <span class="app-bar-chart__label">{label}</span>
                    <span class="app-bar-chart__track" aria-hidden="true">
                        <span class="app-bar-chart__bar" style:width=format!("{share}%")></span>
                    </span>
                    <span class="app-bar-chart__value">
                        {format!("{} of {} areas ({share}%)", c.with_interim_visit, c.areas)}
                    </span>
                </li>
            }
        })
        .collect_view();
    let rows = counts
        .into_iter()
        .map(|c| {
            let share = percent(c.with_interim_visit, c.areas);
            view! {
                <tr class="govuk-table__row" data-group=c.group.clone()>
                    <th scope="row" class="govuk-table__header">{outcome_group_label(&c.group)}</th>
                    {number(c.areas)}
                    {number(c.with_interim_visit)}
                    <td class="govuk-table__cell govuk-table__cell--numeric">{format!("{share}%")}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="app-action" aria-labelledby=labelled_by data-testid=id>
            <h2 class="govuk-heading-m" id=heading_id>{title}</h2>
            <ul class="govuk-list app-bar-chart">{bars}</ul>
            <table class="govuk-table">
                <caption class="govuk-table__caption govuk-table__caption--s">{format!("{title}: numbers")}</caption>
                <thead class="govuk-table__head">
                    <tr class="govuk-table__row">
                        <th scope="col" class="govuk-table__header">{group}</th>
                        <th scope="col" class="govuk-table__header govuk-table__header--numeric">"Areas"</th>
                        <th scope="col" class="govuk-table__header govuk-table__header--numeric">
                            "With an interim visit"
                        </th>
                        <th scope="col" class="govuk-table__header govuk-table__header--numeric">"Coverage"</th>
                    </tr>
                </thead>
                <tbody class="govuk-table__body">{rows}</tbody>
            </table>
        </section>
    }
}

/// An ISO date, or "None" when empty.
fn optional_date(iso: &str) -> String {
    if iso.is_empty() { "None".to_owned() } else { date_label(iso) }
}

/// One row per local area.
#[component]
fn AreasTable(areas: Vec<AreaProgramme>) -> impl IntoView {
    let caption = match areas.len() {
        1 => "1 local area".to_owned(),
        n => format!("{n} local areas"),
    };
    let rows = areas
        .into_iter()
        .map(|a| {
            let (status, class) = board_status(&a.status);
            let overridden = (!a.override_reason.is_empty()).then(|| {
                view! { <span class="govuk-body-s app-block">{format!("Overridden: {}", a.override_reason)}</span> }
            });
            view! {
                <tr class="govuk-table__row" data-area=a.local_area_code.clone()>
                    <th scope="row" class="govuk-table__header">{a.local_area_name.clone()}</th>
                    <td class="govuk-table__cell">{a.region_name.clone()}</td>
                    <td class="govuk-table__cell">{area_kind_label(&a.area_kind)}</td>
                    <td class="govuk-table__cell">{outcome_label(a.last_outcome())}</td>
                    <td class="govuk-table__cell">{optional_date(&a.last_inspected_on)}</td>
                    <td class="govuk-table__cell">{optional_date(&a.next_full_due_by)} {overridden}</td>
                    <td class="govuk-table__cell">{optional_date(&a.next_monitoring_due_by)}</td>
                    <td class="govuk-table__cell"><strong class=class>{status}</strong></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="govuk-table govuk-table--small-text-until-tablet" data-testid="national-areas">
            <caption class="govuk-table__caption govuk-table__caption--m">{caption}</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"Local area"</th>
                    <th scope="col" class="govuk-table__header">"Region"</th>
                    <th scope="col" class="govuk-table__header">"Kind"</th>
                    <th scope="col" class="govuk-table__header">"Last outcome"</th>
                    <th scope="col" class="govuk-table__header">"Last inspected"</th>
                    <th scope="col" class="govuk-table__header">"Next full inspection due"</th>
                    <th scope="col" class="govuk-table__header">"Monitoring due"</th>
                    <th scope="col" class="govuk-table__header">"Status"</th>
                </tr>
            </thead>
            <tbody class="govuk-table__body">{rows}</tbody>
        </table>
    }
}
