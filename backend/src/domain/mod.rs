//! Domain types and rules. Imports neither tonic nor sqlx.

pub mod anonymise;
pub mod audit;
pub mod audit_text;
pub mod case_studies;
pub mod clock;
pub mod consent;
pub mod engagement;
pub mod identity;
pub mod inspectors;
pub mod letter_text;
pub mod letters;
pub mod notifications;
pub mod programme;
pub mod proposals;
pub mod public_id;
pub mod reference;
pub mod reference_data;
pub mod scheduler;
pub mod security;
pub mod start_page;
pub mod timetable;
pub mod working_days;

use std::fmt;

/// One reason a request was refused, naming the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldViolation {
    /// The request field, as named in the proto contract (e.g. `page_size`).
    pub field: &'static str,
    /// Why the value was refused, in words a person can act on.
    pub reason: String,
}

impl FieldViolation {
    /// A violation of `field` for `reason`.
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self { field, reason: reason.into() }
    }
}

impl fmt::Display for FieldViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// A request that could not be accepted as it stands, with every field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct InvalidInput(pub Vec<FieldViolation>);

impl From<FieldViolation> for InvalidInput {
    fn from(v: FieldViolation) -> Self {
        Self(vec![v])
    }
}

/// A rule that a change breaks (a refusal) or bends (a warning). People read `message`;
/// programs and tests match `rule`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule's stable id, e.g. `team.composition`. Never shown to people.
    pub rule: &'static str,
    /// The request field or the object it concerns (`members`, `reason`, `body:5:12`).
    pub subject: String,
    /// The sentence a person reads.
    pub message: String,
}

impl Finding {
    /// A finding of `rule` about `subject`.
    pub fn new(rule: &'static str, subject: impl Into<String>, message: impl Into<String>) -> Self {
        Self { rule, subject: subject.into(), message: message.into() }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Why a decision refused a change. The one error type of every aggregate's decision; only
/// `grpc/status.rs` turns it into a gRPC status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Nothing the caller may see is there: answered exactly as a missing record. Names the
    /// kind of record ("engagement", "letter", ...).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The caller may see the record but their role may not do this.
    #[error("{0}")]
    NotAllowed(String),
    /// The request's fields, each with the reason.
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// Rules the change breaks, each with its id, subject and sentence.
    #[error("{}", .0.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join("; "))]
    Failed(Vec<Finding>),
    /// Someone else changed the record since the caller read it; says what it is now.
    #[error("{0}")]
    Stale(String),
}

impl Refusal {
    /// One broken rule.
    pub fn rule(rule: &'static str, subject: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Failed(vec![Finding::new(rule, subject, message)])
    }

    /// One field at fault.
    pub fn field(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid(FieldViolation::new(field, reason).into())
    }

    /// The rule ids of a `Failed` refusal (empty for the others), for tests.
    pub fn rules(&self) -> Vec<&'static str> {
        match self {
            Self::Failed(findings) => findings.iter().map(|f| f.rule).collect(),
            _ => Vec::new(),
        }
    }
}

impl From<FieldViolation> for Refusal {
    fn from(v: FieldViolation) -> Self {
        Self::Invalid(v.into())
    }
}

/// Days for tests, written as ISO dates.
#[cfg(test)]
pub(crate) mod test_days {
    use chrono::NaiveDate;

    use super::consent::DateRange;

    /// The day `s` (YYYY-MM-DD).
    pub(crate) fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("an ISO date")
    }

    /// The days from `first` to `last`.
    pub(crate) fn range(first: &str, last: &str) -> DateRange {
        DateRange { first: d(first), last: d(last) }
    }
}
