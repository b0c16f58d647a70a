//! Counts of interim-visit requests by region, phase and state: all of England for national
//! planners, their own region for regional leads (the server decides).

use std::collections::BTreeMap;

use leptos::prelude::*;
use proto::pb::{ConsentTotal, RequestState};

use crate::{
    api,
    components::{Loaded, Table, nothing, set_title},
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
        <Loaded
            resource=totals
            what="totals"
            is_empty=Vec::is_empty
            empty=nothing("no-totals", "No visit requests have been made yet.")
            show={|totals: Vec<ConsentTotal>| view! { <TotalsTable rows=rows(totals) /> }}
        />
    }
}

/// A count in a numeric cell.
fn number(count: u32) -> impl IntoView {
    view! { <td class="govuk-table__cell govuk-table__cell--numeric">{count}</td> }
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
            let cells = row.counts.into_iter().map(number).collect_view();
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
    let names: Vec<String> = ["Region", "Phase"]
        .into_iter()
        .chain(STATES.iter().map(|(state, _)| state_label(*state)))
        .chain(["Total"])
        .map(str::to_owned)
        .collect();
    view! {
        <Table
            testid="totals"
            caption="Visit requests by region, phase and state"
            columns=names
            numeric=&[2, 3, 4, 5, 6, 7, 8]
            modifier="govuk-table--small-text-until-tablet"
        >
            {body}
            <tr class="govuk-table__row" data-testid="totals-all">
                <th scope="row" class="govuk-table__header" colspan="2">"All"</th>
                {all.into_iter().map(number).collect_view()}
                <td class="govuk-table__cell govuk-table__cell--numeric">{grand}</td>
            </tr>
        </Table>
    }
}
