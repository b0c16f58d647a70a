//! Domain types and rules. Imports neither tonic nor sqlx.

pub mod audit;
pub mod clock;
pub mod consent;
pub mod identity;
pub mod letters;
pub mod programme;
pub mod reference;
pub mod reference_data;
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
