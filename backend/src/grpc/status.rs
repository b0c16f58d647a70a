//! The one place that turns errors into `tonic::Status`.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt as _};

use crate::{domain::InvalidInput, store::StoreError};

/// `InvalidArgument`, with the message naming each field and a `BadRequest` detail listing
/// them for programs.
pub fn invalid_argument(e: &InvalidInput) -> Status {
    let mut details = ErrorDetails::new();
    for v in &e.0 {
        details.add_bad_request_violation(v.field, v.reason.clone());
    }
    Status::with_error_details(Code::InvalidArgument, e.to_string(), details)
}

/// Store failures: the detail is logged here and never sent to the caller.
pub fn from_store(e: StoreError) -> Status {
    match e {
        StoreError::NotFound => Status::not_found("not found"),
        StoreError::Invalid(e) => invalid_argument(&e),
        StoreError::AlreadyExists(v) => {
            let mut details = ErrorDetails::new();
            details.add_bad_request_violation(v.field, v.reason.clone());
            Status::with_error_details(Code::AlreadyExists, v.to_string(), details)
        }
        StoreError::Conflict => {
            Status::aborted("the record was changed by someone else; reload and try again")
        }
        other => internal(&other),
    }
}

/// A generic `Internal` status; the cause goes to the log only.
pub fn internal(e: &(dyn std::error::Error + 'static)) -> Status {
    tracing::error!(error = %e, source = ?e.source(), "internal error");
    Status::internal("internal error")
}

/// Sign-in and session failures.
pub fn from_auth(e: crate::auth::AuthError) -> Status {
    use crate::auth::AuthError;
    match e {
        AuthError::Invalid(e) => invalid_argument(&e),
        AuthError::WrongCredentials | AuthError::Token(_) | AuthError::Ended | AuthError::Expired => {
            Status::unauthenticated(e.to_string())
        }
        AuthError::Throttled { .. } => Status::resource_exhausted(e.to_string()),
        AuthError::Store(e) => from_store(e),
        AuthError::Hash(e) => internal(&e),
    }
}
