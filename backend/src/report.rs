//! The national report: findings of interim visits, anonymised. Areas are replaced by their
//! region and kind unless the area agreed to be named; no stored name or reference survives.

use std::sync::LazyLock;

use regex::Regex;

use crate::domain::{
    anonymise::{Anonymiser, LARGER_PLACES, written_forms},
    letters::LetterRecord,
    reference_data::{LAS_CSV, REGIONS_CSV, parse_local_areas, parse_regions},
};

/// Names kept whole where they contain a removed one: every area's and region's name as written,
/// and the larger places (a removed area's own name is replaced, not kept).
static KEPT: LazyLock<Vec<String>> = LazyLock::new(|| {
    let areas = parse_local_areas(LAS_CSV).unwrap_or_default();
    let regions = parse_regions(REGIONS_CSV).unwrap_or_default();
    areas
        .iter()
        .flat_map(|a| written_forms(&a.name))
        .chain(regions.into_iter().map(|r| r.name))
        .chain(LARGER_PLACES.iter().map(|p| (*p).to_owned()))
        .collect()
});

static REFERENCES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:CYP|CS)[- ]?\d{1,5}\b|\b[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}\b|(?:\+44\s?7\d{3}|\b07\d{3})\s?\d{3}\s?\d{3}\b")
        .expect("a constant pattern compiles")
});

fn kind_words(kind: &str) -> &'static str {
    match kind {
        "london_borough" => "a London borough",
        "metropolitan_district" => "a metropolitan district",
        "unitary_authority" => "a unitary authority",
        _ => "a county",
    }
}

/// Writes the report from issued interim letters, removing every name in `names` (people,
/// signatories, inspectors, unnamed areas) and anything shaped like a reference or contact.
pub fn national_report(academic_year: i32, letters: &[LetterRecord], names: &[String]) -> String {
    let mut out = format!(
        "SEND Planner: national report on interim visits, {academic_year}/{:02}\n\
         Areas are described by region and kind unless they agreed to be named.\n",
        // Any year a request names, even i32::MAX, without overflowing.
        (i64::from(academic_year) + 1).rem_euclid(100)
    );
    for (i, letter) in letters.iter().enumerate() {
        let place = if letter.named {
            letter.local_area_name.clone()
        } else {
            format!("{} in {}", kind_words(&letter.area_kind), letter.region_name)
        };
        let mut anonymiser = Anonymiser::new(KEPT.iter().cloned());
        if !letter.named {
            anonymiser.replace_area(&letter.local_area_name, &place);
        }
        for name in names {
            // Names of people and of other areas alike: with an area's councils' names too.
            anonymiser.replace_area(name, "[name removed]");
        }
        let body = anonymiser.apply(&letter.body);
        let body = REFERENCES.replace_all(&body, "[reference removed]");
        out.push_str(&format!("\nVisit {}: {place}\n{}\n", i + 1, body.trim()));
    }
    out
}
