//! The national board (national planners): each region at a glance, the coverage of the interim
//! programme by kind of area and by last outcome, every local area's inspection history and due
//! dates, with filters; and the national programme as CSV.

use leptos::prelude::*;
use leptos_router::components::A;
use proto::pb::{AreaProgramme, CoverageCount, GetNationalBoardRequest, Outcome, RegionSummary};

use crate::{
    api,
    components::{
        ActionButton, ErrorSummary, Form, Loaded, Select, Table, choices, columns, form_action, listed,
        set_title,
    },
    format::{
        AREA_KINDS, OUTCOMES, area_kind_label, board_status, count, date_label, outcome_group_label,
        outcome_label,
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
    let apply = form_action(move || {
        applied.set(filters.request());
        async {}
    });
    let export = Action::new_local(|(): &()| api::export_national_programme(0));
    let export_error = move || export.value().get().and_then(Result::err);
    view! {
        {move || export_error().map(|error| view! { <ErrorSummary error /> })}
        <h1 class="govuk-heading-l">{HEADING}</h1>
        <p class="govuk-body">
            "Every local area in England: its last inspection, when the next is due and what is planned this academic year. The region summary, the coverage and the areas all follow the filters."
        </p>
        <div class="govuk-button-group">
            <ActionButton action=export testid="export" label="Export CSV" />
            <A href="/programme/proposal" attr:class="govuk-button govuk-button--secondary" attr:data-testid="propose-programme">
                "Propose a programme"
            </A>
        </div>
        <FiltersForm filters apply />
        <Loaded resource=board what="the national board" show=|board: proto::pb::GetNationalBoardResponse| view! {
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
        } />
    }
}

/// Region, kind of area and last outcome.
#[component]
fn FiltersForm(filters: Filters, apply: Action<(), ()>) -> impl IntoView {
    let regions = LocalResource::new(api::list_regions);
    let kinds: Vec<crate::components::Choice<String>> = AREA_KINDS
        .into_iter()
        .map(|(value, label)| (value.to_owned(), value.to_owned(), label.to_owned()))
        .collect();
    let outcomes = choices(&OUTCOMES, outcome_label);
    view! {
        {move || regions.get().and_then(Result::err).map(|error| view! { <ErrorSummary error /> })}
        <Form submit=apply testid="filters" class="app-filters">
                <Select
                    id="filter-region"
                    label="Region"
                    choices=listed(regions, |r| (r.code, r.name))
                    value=filters.region_code
                    placeholder=("All regions", String::new())
                />
                <Select id="filter-kind" label="Kind of area" choices=kinds value=filters.area_kind placeholder=("Any kind", String::new()) />
                <Select
                    id="filter-outcome"
                    label="Last outcome"
                    choices=outcomes
                    value=filters.last_outcome
                    placeholder=("Any outcome", Outcome::Unspecified)
                />
                <div class="govuk-form-group">
                    <button type="submit" class="govuk-button" data-testid="apply-filters">"Apply filters"</button>
                </div>
        </Form>
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
    let names = ["Region", "Overdue", "Due this term", "Scheduled", "Done", "Interim visits"];
    view! {
        <Table testid="region-summary" caption="Regions" columns=columns(&names) numeric=&[1, 2, 3, 4, 5]>
            {rows}
            <tr class="govuk-table__row" data-testid="region-summary-all">
                <th scope="row" class="govuk-table__header">"All shown"</th>
                {number(all.overdue)}
                {number(all.due_this_term)}
                {number(all.scheduled)}
                {number(all.done)}
                {number(all.interim_visits)}
            </tr>
        </Table>
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
                        {format!("{} of {} ({share}%)", c.with_interim_visit, crate::format::count(c.areas as usize, "area", "areas"))}
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
            <Table
                caption=format!("{title}: numbers")
                small=true
                columns=columns(&[group, "Areas", "With an interim visit", "Coverage"])
                numeric=&[1, 2, 3]
            >
                {rows}
            </Table>
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
    let caption = count(areas.len(), "local area", "local areas");
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
    let names = [
        "Local area",
        "Region",
        "Kind",
        "Last outcome",
        "Last inspected",
        "Next full inspection due",
        "Monitoring due",
        "Status",
    ];
    view! {
        <Table testid="national-areas" caption columns=columns(&names) modifier="govuk-table--small-text-until-tablet">
            {rows}
        </Table>
    }
}
