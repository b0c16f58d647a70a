//! Counts of interim-visit requests by region, phase and state: all of England for national
//! planners, their own region for regional leads (the server decides).

use std::collections::BTreeMap;

use leptos::prelude::*;
use proto::pb::{ConsentTotal, RequestState};

use crate::{
    api,
    components::{ErrorSummary, Loading, set_title},
    format::{STATES, phase_label, state_label},
};

/// The heading and title.
const HEADING: &str = "Interim visit requests: totals";

/// One row of the table: a region's requests in one phase, counted by state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Row {
    region_code: String,
    region_name: String,
    phase: String,
    /// Counts in the order of [`STATES`].
    counts: [u32; STATES.len()],
}

impl Row {
    fn total(&self) -> u32 {
        self.counts.iter().sum()
    }
}

/// Where a state's count goes in a row.
fn column(state: RequestState) -> Option<usize> {
    STATES.iter().position(|(s, _)| *s == state)
}

/// The server's (region, phase, state, count) lines as one row per region and phase: by
/// region name, then by phase in time order.
fn rows(totals: Vec<ConsentTotal>) -> Vec<Row> {
    let mut rows: BTreeMap<(String, i32, i32), Row> = BTreeMap::new();
    for total in totals {
        let phase = total.phase.unwrap_or_default();
        let key = (total.region_name.clone(), phase.academic_year, phase.term);
        let row = rows.entry(key).or_insert_with(|| Row {
            region_code: total.region_code.clone(),
            region_name: total.region_name.clone(),
            phase: phase_label(Some(&phase)),
            ..Row::default()
        });
        if let Some(i) = column(total.state()) {
            row.counts[i] += total.count;
        }
    }
    rows.into_values().collect()
}

/// The totals table.
#[component]
pub(crate) fn TotalsPage() -> impl IntoView {
    set_title(HEADING);
    let totals = LocalResource::new(api::get_consent_totals);
    view! {
        <h1 class="govuk-heading-l">{HEADING}</h1>
        <p class="govuk-body">
            "How many requests for interim visits are in each state, by region and phase. These counts are confidential, like the requests themselves."
        </p>
        {move || match totals.get() {
            None => view! { <Loading what="totals" /> }.into_any(),
            Some(Err(error)) => view! { <ErrorSummary error /> }.into_any(),
            Some(Ok(totals)) if totals.is_empty() => view! {
                <p class="govuk-body" data-testid="no-totals">"No visit requests have been made yet."</p>
            }
                .into_any(),
            Some(Ok(totals)) => view! { <TotalsTable rows=rows(totals) /> }.into_any(),
        }}
    }
}

/// One row per region and phase with its counts by state, and a row adding them all up.
#[component]
fn TotalsTable(rows: Vec<Row>) -> impl IntoView {
    let mut all = [0_u32; STATES.len()];
    for row in &rows {
        for (sum, count) in all.iter_mut().zip(row.counts) {
            *sum += count;
        }
    }
    let grand: u32 = all.iter().sum();
    let body = rows
        .into_iter()
        .map(|row| {
            let total = row.total();
            let cells = row
                .counts
                .into_iter()
                .map(|count| view! { <td class="govuk-table__cell govuk-table__cell--numeric">{count}</td> })
                .collect_view();
            let phase = row.phase.clone();
            view! {
                <tr class="govuk-table__row" data-region=row.region_code data-phase=phase>
                    <th scope="row" class="govuk-table__header">{row.region_name}</th>
                    <td class="govuk-table__cell">{row.phase}</td>
                    {cells}
                    <td class="govuk-table__cell govuk-table__cell--numeric">{total}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="govuk-table govuk-table--small-text-until-tablet" data-testid="totals">
            <caption class="govuk-table__caption govuk-table__caption--m">
                "Visit requests by region, phase and state"
            </caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"Region"</th>
                    <th scope="col" class="govuk-table__header">"Phase"</th>
                    {STATES
                        .into_iter()
                        .map(|(state, _)| {
                            view! {
                                <th scope="col" class="govuk-table__header govuk-table__header--numeric">
                                    {state_label(state)}
                                </th>
                            }
                        })
                        .collect_view()}
                    <th scope="col" class="govuk-table__header govuk-table__header--numeric">"Total"</th>
                </tr>
            </thead>
            <tbody class="govuk-table__body">
                {body}
                <tr class="govuk-table__row" data-testid="totals-all">
                    <th scope="row" class="govuk-table__header" colspan="2">"All"</th>
                    {all
                        .into_iter()
                        .map(|count| {
                            view! { <td class="govuk-table__cell govuk-table__cell--numeric">{count}</td> }
                        })
                        .collect_view()}
                    <td class="govuk-table__cell govuk-table__cell--numeric">{grand}</td>
                </tr>
            </tbody>
        </table>
    }
}
