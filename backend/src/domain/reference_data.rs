//! Reads the public reference files shipped in `migrations/data/` (DfE's `las.csv` and
//! `regions.csv`) into the records the store loads. See `migrations/data/README.md`.

use chrono::NaiveDate;
use serde::Deserialize;

use super::reference::LocalAreaKind;

/// `las.csv`, as shipped.
pub const LAS_CSV: &str = include_str!("../../../migrations/data/las.csv");
/// `regions.csv`, as shipped.
pub const REGIONS_CSV: &str = include_str!("../../../migrations/data/regions.csv");

/// ONS code of London as a whole; SEND planning splits it into Inner and Outer London.
const LONDON: &str = "E12000007";
const INNER_LONDON: &str = "E13000001";
const OUTER_LONDON: &str = "E13000002";

/// A region as loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionRecord {
    /// ONS code.
    pub code: String,
    /// Name, e.g. "North East".
    pub name: String,
    /// Conventional order: North East first, Inner then Outer London where London stands.
    pub sort_order: i64,
}

/// A local area as loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalAreaRecord {
    /// ONS code.
    pub ons_code: String,
    /// Name.
    pub name: String,
    /// DfE 3-digit code, if it has one.
    pub dfe_code: Option<String>,
    /// Kind of authority.
    pub kind: LocalAreaKind,
    /// One of the ten regions.
    pub region_code: String,
    /// First day of operation, if known.
    pub operational_from: Option<NaiveDate>,
    /// Last day of operation for a retired area.
    pub retired_on: Option<NaiveDate>,
}

/// The reference files could not be read; the message names the row.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceDataError {
    /// Not well-formed CSV.
    #[error("reference data is not valid CSV: {0}")]
    Csv(#[from] csv::Error),
    /// A row broke a rule.
    #[error("reference data row {row}: {reason}")]
    Row {
        /// 1-based data row.
        row: usize,
        /// What is wrong.
        reason: String,
    },
}

#[derive(Deserialize)]
struct RegionCsvRow {
    region_code: String,
    region_name: String,
}

#[derive(Deserialize)]
struct LaCsvRow {
    new_la_code: String,
    la_name: String,
    date_of_operation: String,
    date_of_termination: String,
    parent_geography_code: String,
    entity_description: String,
    status: String,
    old_la_code: String,
}

/// The ten regions used for SEND planning: the nine English regions with London replaced by
/// Inner and Outer London.
pub fn parse_regions(text: &str) -> Result<Vec<RegionRecord>, ReferenceDataError> {
    let mut regions = Vec::new();
    for (i, row) in csv::Reader::from_reader(text.as_bytes()).deserialize().enumerate() {
        let row: RegionCsvRow = row?;
        let sort_order = match row.region_code.as_str() {
            LONDON => continue,
            INNER_LONDON => 70,
            OUTER_LONDON => 75,
            code => match code.strip_prefix("E1200000").and_then(|n| n.parse::<i64>().ok()) {
                Some(n) => n * 10,
                None => {
                    return Err(ReferenceDataError::Row {
                        row: i + 1,
                        reason: format!("unexpected region code {code:?}"),
                    });
                }
            },
        };
        regions.push(RegionRecord { code: row.region_code, name: row.region_name, sort_order });
    }
    regions.sort_by_key(|r| r.sort_order);
    Ok(regions)
}

/// Every single local area in `las.csv`, current and retired. Rows that merge two areas
/// ("A / B") and the British Forces row are not local areas and are left out.
pub fn parse_local_areas(text: &str) -> Result<Vec<LocalAreaRecord>, ReferenceDataError> {
    let mut areas = Vec::new();
    for (i, row) in csv::Reader::from_reader(text.as_bytes()).deserialize().enumerate() {
        let row: LaCsvRow = row?;
        let fail = |reason: String| ReferenceDataError::Row { row: i + 1, reason };
        if row.new_la_code.contains('/') || row.parent_geography_code.is_empty() {
            continue;
        }
        let kind = LocalAreaKind::from_entity_description(&row.entity_description)
            .ok_or_else(|| fail(format!("unknown entity {:?}", row.entity_description)))?;
        let dfe_code = match row.old_la_code.trim() {
            code if code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()) => Some(code.to_owned()),
            "x" | "" => None,
            other => return Err(fail(format!("bad DfE code {other:?}"))),
        };
        let region_code = if row.parent_geography_code == LONDON {
            match dfe_code.as_deref().and_then(|c| c.parse::<u16>().ok()) {
                Some(201..=213) => INNER_LONDON.to_owned(),
                Some(301..=320) => OUTER_LONDON.to_owned(),
                _ => {
                    return Err(fail(format!("London area {} has no London DfE code", row.la_name)));
                }
            }
        } else {
            row.parent_geography_code
        };
        let date = |text: &str| -> Result<Option<NaiveDate>, ReferenceDataError> {
            if text.is_empty() {
                return Ok(None);
            }
            NaiveDate::parse_from_str(text, "%d/%m/%Y")
                .map(Some)
                .map_err(|_| fail(format!("bad date {text:?}")))
        };
        let operational_from = date(&row.date_of_operation)?;
        let retired_on = match row.status.as_str() {
            "live" => None,
            "terminated" => Some(
                date(&row.date_of_termination)?
                    .ok_or_else(|| fail("terminated without a termination date".into()))?,
            ),
            other => return Err(fail(format!("unknown status {other:?}"))),
        };
        areas.push(LocalAreaRecord {
            ons_code: row.new_la_code,
            name: row.la_name,
            dfe_code,
            kind,
            region_code,
            operational_from,
            retired_on,
        });
    }
    Ok(areas)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn there_are_ten_regions_in_the_conventional_order() {
        let regions = parse_regions(REGIONS_CSV).expect("parses");
        let names: Vec<_> = regions.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "North East",
                "North West",
                "Yorkshire and The Humber",
                "East Midlands",
                "West Midlands",
                "East of England",
                "Inner London",
                "Outer London",
                "South East",
                "South West"
            ]
        );
    }

    #[test]
    fn there_are_153_current_areas_with_the_published_counts_per_region() {
        let areas = parse_local_areas(LAS_CSV).expect("parses");
        let mut counts = BTreeMap::new();
        for a in areas.iter().filter(|a| a.retired_on.is_none()) {
            *counts.entry(a.region_code.as_str()).or_insert(0) += 1;
        }
        assert_eq!(counts.values().sum::<i32>(), 153);
        let expected = [
            ("E12000001", 12),
            ("E12000002", 24),
            ("E12000003", 15),
            ("E12000004", 10),
            ("E12000005", 14),
            ("E12000006", 11),
            ("E12000008", 19),
            ("E12000009", 15),
            ("E13000001", 13),
            ("E13000002", 20),
        ];
        assert_eq!(counts.into_iter().collect::<Vec<_>>(), expected);
    }

    #[test]
    fn retired_areas_are_kept_as_history() {
        let areas = parse_local_areas(LAS_CSV).expect("parses");
        let cumbria = areas.iter().find(|a| a.name == "Cumbria").expect("Cumbria is kept");
        assert_eq!(cumbria.retired_on, NaiveDate::from_ymd_opt(2023, 3, 31));
        assert!(areas.iter().any(|a| a.name == "Northamptonshire" && a.retired_on.is_some()));
    }

    #[test]
    fn combined_and_forces_rows_are_not_local_areas() {
        let areas = parse_local_areas(LAS_CSV).expect("parses");
        assert!(!areas.iter().any(|a| a.name.contains(" / ") || a.name.contains("Forces")));
    }

    #[test]
    fn a_name_with_a_quoted_comma_is_read_whole() {
        let areas = parse_local_areas(LAS_CSV).expect("parses");
        assert!(areas.iter().any(|a| a.name.contains(", ")), "a quoted name with a comma");
    }

    #[test]
    fn a_london_area_outside_the_dfe_london_ranges_is_an_error() {
        let csv = "new_la_code,la_name,date_of_operation,date_of_termination,parent_geography_code,entity_code,entity_description,status,old_la_code\n\
                   E09000099,Nowhere,01/01/2009,,E12000007,E09,London Boroughs,live,999\n";
        let err = parse_local_areas(csv).expect_err("rejected");
        assert!(err.to_string().contains("row 1"), "{err}");
    }
}
