//! The national board: each area's status from its history, overrides and this year's
//! engagements, the regions' summaries, coverage of the interim programme, and the CSV export.

use chrono::NaiveDate;

use crate::domain::programme::{AreaFacts, EngagementKind, Outcome, next_due, term_dates, term_of};

/// One area's line on the board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaLine {
    /// The facts it was built from.
    pub facts: AreaFacts,
    /// Next full inspection due by.
    pub full_due: Option<NaiveDate>,
    /// Next monitoring inspection due by (after systemic failings).
    pub monitoring_due: Option<NaiveDate>,
    /// `overdue`, `due_this_term`, `scheduled`, `done` or `not_due`.
    pub status: &'static str,
    /// An interim visit is planned or done this year.
    pub interim: bool,
}

/// Builds an area's line as of `today`.
pub fn area_line(facts: AreaFacts, today: NaiveDate) -> AreaLine {
    let inspections = || facts.engagements.iter().filter(|(k, _, _)| k.is_inspection());
    let done = inspections().any(|(_, state, _)| state == "done");
    let scheduled = inspections().any(|(_, state, _)| state == "proposed" || state == "notified");
    let due = facts.last.map(|(outcome, on)| next_due(outcome, on));
    let full_due = facts.override_due.as_ref().map(|o| o.0).or(due.map(|d| d.full_by));
    let monitoring_due = due.and_then(|d| d.monitoring_by);
    let earliest = [full_due, monitoring_due].into_iter().flatten().min();
    let (year, term) = term_of(today);
    let term_end = term_dates(year, term).last;
    let status = match earliest {
        _ if done => "done",
        _ if scheduled => "scheduled",
        Some(day) if day < today => "overdue",
        Some(day) if day <= term_end => "due_this_term",
        _ => "not_due",
    };
    let interim = facts
        .engagements
        .iter()
        .any(|(k, state, _)| *k == EngagementKind::InterimVisit && state != "postponed");
    AreaLine { facts, full_due, monitoring_due, status, interim }
}

/// Groups for coverage by last outcome.
pub fn outcome_group(last: Option<(Outcome, NaiveDate)>) -> &'static str {
    match last {
        Some((outcome, _)) if outcome.did_well() => "did_well",
        Some(_) => "did_not_do_well",
        None => "no_outcome",
    }
}

/// The national programme as CSV, one row per area.
pub fn to_csv(lines: &[AreaLine]) -> Result<String, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "region",
        "local_area",
        "ons_code",
        "dfe_code",
        "area_kind",
        "last_outcome",
        "last_inspected_on",
        "next_full_due_by",
        "next_monitoring_due_by",
        "status",
        "due_date_override_reason",
        "engagements_this_year",
    ])?;
    for l in lines {
        let f = &l.facts;
        let engagements: Vec<String> = f
            .engagements
            .iter()
            .map(|(k, state, first)| format!("{} {first} ({state})", k.as_str()))
            .collect();
        out.write_record([
            f.region_name.as_str(),
            &f.name,
            &f.code,
            f.dfe_code.as_deref().unwrap_or_default(),
            &f.kind,
            f.last.map(|(o, _)| o.as_str()).unwrap_or_default(),
            &f.last.map(|(_, d)| d.to_string()).unwrap_or_default(),
            &l.full_due.map(|d| d.to_string()).unwrap_or_default(),
            &l.monitoring_due.map(|d| d.to_string()).unwrap_or_default(),
            l.status,
            f.override_due.as_ref().map(|o| o.1.as_str()).unwrap_or_default(),
            &engagements.join("; "),
        ])?;
    }
    let bytes = out.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn facts() -> AreaFacts {
        AreaFacts {
            code: "E09000007".into(),
            dfe_code: Some("202".into()),
            name: "Camden".into(),
            region_code: "E13000001".into(),
            region_name: "Inner London".into(),
            kind: "london_borough".into(),
            last: None,
            override_due: None,
            engagements: vec![],
        }
    }

    #[test]
    fn statuses_follow_history_overrides_and_engagements() {
        let today = d("2026-11-23");
        assert_eq!(area_line(facts(), today).status, "not_due");
        let overdue = AreaFacts { last: Some((Outcome::Inconsistent, d("2023-06-01"))), ..facts() };
        assert_eq!(area_line(overdue.clone(), today).status, "overdue");
        let this_term = AreaFacts { last: Some((Outcome::Inconsistent, d("2023-12-01"))), ..facts() };
        assert_eq!(area_line(this_term, today).status, "due_this_term");
        let systemic = area_line(
            AreaFacts { last: Some((Outcome::SystemicFailings, d("2025-09-01"))), ..facts() },
            today,
        );
        assert_eq!((systemic.monitoring_due, systemic.status), (Some(d("2027-03-01")), "not_due"));
        let moved =
            AreaFacts { override_due: Some((d("2027-09-01"), "agreed delay".into())), ..overdue.clone() };
        assert_eq!(area_line(moved, today).status, "not_due");
        let scheduled = AreaFacts {
            engagements: vec![(EngagementKind::FullInspection, "proposed".into(), d("2027-01-18"))],
            ..overdue
        };
        assert_eq!(area_line(scheduled, today).status, "scheduled");
    }

    #[test]
    fn the_csv_has_a_header_and_a_row_per_area_with_quoted_commas() {
        let lines =
            vec![area_line(AreaFacts { name: "Bristol, City of".into(), ..facts() }, d("2026-11-23"))];
        let csv = to_csv(&lines).expect("csv");
        let mut rows = csv.lines();
        assert!(rows.next().is_some_and(|h| h.starts_with("region,local_area,ons_code")));
        assert!(rows.next().is_some_and(|r| r.contains("\"Bristol, City of\"")));
    }
}
