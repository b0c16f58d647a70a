//! Attempts to reach hidden records. Such a request is answered exactly as one for a missing
//! record; separately, and without touching that answer, the miss is counted per caller, minute
//! and kind of record, and callers with repeated misses are shown to national planners and
//! administrators.

use chrono::{DateTime, Utc};

/// Misses within [`WINDOW_HOURS`] from which a caller is listed as suspicious.
pub const SUSPICIOUS_MISSES: i64 = 5;

/// How far back the suspicious-access view looks.
pub const WINDOW_HOURS: i64 = 24;

/// The minute a miss is counted in: `YYYY-MM-DDTHH:MMZ`, UTC.
pub fn minute_of(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%MZ").to_string()
}

/// The kind of record a gRPC method or file route looks up by id, for counting its misses; `None`
/// for calls that name no record.
pub fn target_of(path: &str) -> Option<&'static str> {
    let method = path.rsplit('/').next().unwrap_or_default();
    Some(match path {
        p if p.starts_with("/documents/") => "consent_document",
        p if p.starts_with("/letters/") => "letter",
        p if p.starts_with("/sendplanner.v1.ConsentService/") => "visit_request",
        p if p.starts_with("/sendplanner.v1.LetterService/") => "letter",
        p if p.starts_with("/sendplanner.v1.ProgrammeService/") && method.contains("Inspector")
            || method == "AddUnavailability"
            || method == "DeclareConflict" =>
        {
            "inspector"
        }
        p if p.starts_with("/sendplanner.v1.ProgrammeService/") => "engagement",
        p if p.starts_with("/sendplanner.v1.AccountService/") => "person",
        p if p.starts_with("/sendplanner.v1.CaseStudyService/") => "case_study_sample",
        _ => return None,
    })
}

/// A kind of record in words, plural, for the view.
pub fn target_words(target: &str) -> &'static str {
    match target {
        "consent_document" => "signed consent documents",
        "letter" => "letters",
        "visit_request" => "visit requests",
        "inspector" => "inspectors",
        "engagement" => "engagements",
        "person" => "accounts",
        "case_study_sample" => "case-study samples",
        _ => "records",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misses_are_counted_by_kind_of_record_and_minute() {
        assert_eq!(target_of("/sendplanner.v1.ConsentService/GetVisitRequest"), Some("visit_request"));
        assert_eq!(target_of("/sendplanner.v1.ProgrammeService/GetEngagement"), Some("engagement"));
        assert_eq!(target_of("/sendplanner.v1.ProgrammeService/AddUnavailability"), Some("inspector"));
        assert_eq!(target_of("/documents/12"), Some("consent_document"));
        assert_eq!(target_of("/letters/3/pdf"), Some("letter"));
        assert_eq!(target_of("/sendplanner.v1.ReferenceService/ListRegions"), None);
        let at = DateTime::parse_from_rfc3339("2027-02-03T10:14:59Z").expect("time").to_utc();
        assert_eq!(minute_of(at), "2027-02-03T10:14Z");
        assert_eq!(target_words("visit_request"), "visit requests");
    }
}
