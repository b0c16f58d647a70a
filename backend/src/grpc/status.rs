//! The one place that turns errors into `tonic::Status`. Handlers return [`Refusal`]s (or the
//! store's and sign-in's errors) and this module encodes them: field violations as a
//! `BadRequest` detail, broken rules as a `PreconditionFailure` detail (type = rule id,
//! subject = field or object, description = the sentence a person reads). A test below fails if
//! any other file of the service builds a `Status` itself.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt as _};

use crate::{
    domain::{InvalidInput, Refusal},
    store::StoreError,
};

/// A decision's refusal as the caller receives it.
pub fn refused(r: Refusal) -> Status {
    match r {
        Refusal::NotFound(what) => Status::not_found(format!("{what} not found")),
        Refusal::NotAllowed(message) => Status::permission_denied(message),
        Refusal::Invalid(e) => invalid_argument(&e),
        Refusal::Failed(findings) => {
            let message = findings.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join("; ");
            let mut details = ErrorDetails::new();
            for f in findings {
                details.add_precondition_failure_violation(f.rule, f.subject, f.message);
            }
            Status::with_error_details(Code::FailedPrecondition, message, details)
        }
        Refusal::Stale(message) => Status::aborted(message),
    }
}

impl From<Refusal> for Status {
    fn from(r: Refusal) -> Self {
        refused(r)
    }
}

/// The answer for a record of kind `what` that is missing or that the caller may not see.
pub fn not_found(what: &'static str) -> Status {
    refused(Refusal::NotFound(what))
}

/// One field at fault.
pub fn invalid(field: &'static str, reason: impl Into<String>) -> Status {
    refused(Refusal::field(field, reason))
}

/// `InvalidArgument`, with the message naming each field and a `BadRequest` detail listing
/// them for programs.
pub fn invalid_argument(e: &InvalidInput) -> Status {
    let mut details = ErrorDetails::new();
    for v in &e.0 {
        details.add_bad_request_violation(v.field, v.reason.clone());
    }
    Status::with_error_details(Code::InvalidArgument, e.to_string(), details)
}

/// An uploaded file refused whole: `InvalidArgument` with a `BadRequest` field per problem,
/// named `file:LINE:COLUMN`, its description the sentence naming the line and column.
pub fn file_rejected(errors: &[crate::domain::case_studies::RowError]) -> Status {
    let mut details = ErrorDetails::new();
    for e in errors {
        details.add_bad_request_violation(e.subject(), e.message.clone());
    }
    let message = errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; ");
    Status::with_error_details(Code::InvalidArgument, message, details)
}

/// Store failures, a missing row answered as a missing `what`; the detail of anything
/// unexpected is logged here and never sent to the caller.
pub fn store(what: &'static str) -> impl Fn(StoreError) -> Status {
    move |e| match e {
        StoreError::NotFound => not_found(what),
        other => from_store(other),
    }
}

/// Store failures: the detail is logged here and never sent to the caller.
pub fn from_store(e: StoreError) -> Status {
    match e {
        StoreError::NotFound => Status::not_found("not found"),
        StoreError::Invalid(e) => invalid_argument(&e),
        StoreError::Refused(r) => refused(r),
        StoreError::AlreadyExists(v) => {
            let mut details = ErrorDetails::new();
            details.add_bad_request_violation(v.field, v.reason.clone());
            Status::with_error_details(Code::AlreadyExists, v.to_string(), details)
        }
        StoreError::Conflict => {
            Status::aborted("the record was changed by someone else; reload and try again")
        }
        StoreError::Unavailable(e) => unavailable(&e),
        other => internal(&other),
    }
}

/// The database is out of reach or out of room: `UNAVAILABLE`, which clients may retry; the
/// cause goes to the log only.
pub fn unavailable(e: &(dyn std::error::Error + 'static)) -> Status {
    tracing::warn!(error = %e, "database unavailable");
    Status::unavailable(
        "SEND Planner's database is not available just now; nothing was saved. Try again in a minute",
    )
}

/// A generic `Internal` status; the cause goes to the log only.
pub fn internal(e: &(dyn std::error::Error + 'static)) -> Status {
    tracing::error!(error = %e, source = ?e.source(), "internal error");
    Status::internal("internal error")
}

/// A server fault with no error value (a handler ran without what the access check sets).
pub fn internal_fault(what: &str) -> Status {
    tracing::error!("{what}");
    Status::internal("internal error")
}

/// The access check's refusals: no such method, or a role that may not call it.
pub fn no_method(path: &str) -> Status {
    Status::unimplemented(format!("there is no method {path}"))
}

/// The request ran past its deadline (the client's `grpc-timeout`, or the server's own limit).
pub fn deadline_exceeded() -> Status {
    Status::deadline_exceeded("the request took longer than its deadline; nothing was acknowledged")
}

/// Adds the request's id to a gRPC error answered in `headers` (trailers-only, as every error
/// of a unary call is), as a `RequestInfo` detail beside the others, so a person reporting a
/// problem can quote it and it can be found in the logs. A request the codec could not read
/// (a broken frame, bytes that are not the message, a message over the size limit) is reworded
/// here too: tonic reports those as `INTERNAL` or `OUT_OF_RANGE` with its own text, the caller
/// hears `INVALID_ARGUMENT` or `RESOURCE_EXHAUSTED` naming the request.
pub fn finish_error(headers: &mut http::HeaderMap, request_id: &str) {
    let Some(status) = Status::from_header_map(headers) else { return };
    if status.code() == Code::Ok {
        return;
    }
    let mut details = status.get_error_details();
    details.set_request_info(request_id, "");
    let (code, message) = codec_refusal(&status).unwrap_or((status.code(), status.message().to_owned()));
    let finished = Status::with_error_details(code, message, details);
    for name in ["grpc-status", "grpc-message", "grpc-status-details-bin"] {
        headers.remove(name);
    }
    if let Err(e) = finished.add_header(headers) {
        tracing::warn!(error = %e, "failed to add the request id to an error");
    }
}

/// The caller's words for tonic's own refusals of a request it could not decode, if `status`
/// is one. Handlers never answer `INTERNAL` with anything but "internal error", nor
/// `OUT_OF_RANGE` at all, so any other such status comes from the codec.
fn codec_refusal(status: &Status) -> Option<(Code, String)> {
    let text = status.message();
    match status.code() {
        Code::OutOfRange | Code::ResourceExhausted if text.contains("message length too large") => {
            Some((Code::ResourceExhausted, "The request is larger than this service accepts".to_owned()))
        }
        Code::Internal if text != "internal error" => Some((
            Code::InvalidArgument,
            "The request could not be read: it is not a complete, valid message".to_owned(),
        )),
        _ => None,
    }
}

/// The access table refuses the caller's role.
pub fn role_refused() -> Status {
    Status::permission_denied("your role does not allow this")
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

#[cfg(test)]
mod tests {
    use tonic_types::StatusExt as _;

    use super::*;
    use crate::domain::Finding;

    /// Every source file of the service but this one, by path.
    const SOURCES: &[(&str, &str)] = &[
        ("grpc/account.rs", include_str!("account.rs")),
        ("grpc/audit.rs", include_str!("audit.rs")),
        ("grpc/auth.rs", include_str!("auth.rs")),
        ("grpc/consent.rs", include_str!("consent.rs")),
        ("grpc/convert.rs", include_str!("convert.rs")),
        ("grpc/documents.rs", include_str!("documents.rs")),
        ("grpc/letters.rs", include_str!("letters.rs")),
        ("grpc/mod.rs", include_str!("mod.rs")),
        ("grpc/programme.rs", include_str!("programme.rs")),
        ("grpc/reference.rs", include_str!("reference.rs")),
        ("grpc/scheduling.rs", include_str!("scheduling.rs")),
        ("auth/mod.rs", include_str!("../auth/mod.rs")),
        ("startup.rs", include_str!("../startup.rs")),
    ];

    #[test]
    fn no_other_file_builds_a_status() {
        for (path, text) in SOURCES {
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                for pattern in [
                    "Status::new",
                    "Status::with_",
                    "Status::not_found",
                    "Status::internal",
                    "Status::invalid_argument",
                    "Status::failed_precondition",
                    "Status::aborted",
                    "Status::permission_denied",
                    "Status::unauthenticated",
                    "Status::resource_exhausted",
                    "Status::unimplemented",
                    "Status::already_exists",
                    "Status::unavailable",
                    "Status::cancelled",
                    "Status::unknown",
                    "Status::out_of_range",
                    "Status::data_loss",
                    "Status::deadline_exceeded",
                ] {
                    assert!(!code.contains(pattern), "{path}:{}: {pattern} outside grpc/status.rs", n + 1);
                }
            }
        }
    }

    #[test]
    fn broken_rules_travel_as_precondition_failures() {
        let status = refused(Refusal::Failed(vec![
            Finding::new("team.composition", "members", "The team needs a CQC inspector"),
            Finding::new("inspector.double_booked", "members", "Ann Example is not free on those days"),
        ]));
        assert_eq!(status.code(), Code::FailedPrecondition);
        let failure = status.get_details_precondition_failure().expect("a PreconditionFailure detail");
        let rules: Vec<_> = failure.violations.iter().map(|v| v.r#type.as_str()).collect();
        assert_eq!(rules, ["team.composition", "inspector.double_booked"]);
        assert_eq!(failure.violations[0].subject, "members");
        assert_eq!(failure.violations[0].description, "The team needs a CQC inspector");
    }

    #[test]
    fn fields_travel_as_bad_request_violations() {
        let status = refused(Refusal::field("reason", "Enter a reason"));
        assert_eq!(status.code(), Code::InvalidArgument);
        let bad = status.get_details_bad_request().expect("a BadRequest detail");
        assert_eq!(bad.field_violations[0].field, "reason");
        assert_eq!(bad.field_violations[0].description, "Enter a reason");
    }

    #[test]
    fn an_unavailable_database_is_retryable_and_says_nothing_of_sqlx() {
        let status = from_store(StoreError::Unavailable(sqlx::Error::PoolTimedOut));
        assert_eq!(status.code(), Code::Unavailable);
        assert!(status.message().contains("nothing was saved"), "{}", status.message());
        assert!(!status.message().to_lowercase().contains("pool"), "{}", status.message());
    }

    #[test]
    fn a_refusal_gains_the_request_id_and_keeps_its_details() {
        let mut headers = http::HeaderMap::new();
        refused(Refusal::field("reason", "Enter a reason")).add_header(&mut headers).expect("headers");
        finish_error(&mut headers, "00000000000000ab");
        let status = Status::from_header_map(&headers).expect("a status");
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(status.get_details_request_info().expect("request info").request_id, "00000000000000ab");
        assert_eq!(
            status.get_details_bad_request().expect("bad request").field_violations[0].field,
            "reason"
        );
        // A success is left alone.
        let mut ok = http::HeaderMap::new();
        ok.insert("grpc-status", http::HeaderValue::from_static("0"));
        finish_error(&mut ok, "00000000000000ab");
        assert!(ok.get("grpc-status-details-bin").is_none());
    }

    #[test]
    fn the_codecs_own_words_become_the_callers() {
        for (status, code) in [
            (Status::internal("failed to decode Protobuf message: invalid wire type"), Code::InvalidArgument),
            (
                Status::out_of_range(
                    "Error, decoded message length too large: found 9 bytes, the limit is: 1 bytes",
                ),
                Code::ResourceExhausted,
            ),
        ] {
            let mut headers = http::HeaderMap::new();
            status.add_header(&mut headers).expect("headers");
            finish_error(&mut headers, "1");
            let finished = Status::from_header_map(&headers).expect("a status");
            assert_eq!(finished.code(), code);
            assert!(!finished.message().contains("Protobuf") && !finished.message().contains("limit is"));
        }
        // Handlers' own internal errors keep their words.
        let mut headers = http::HeaderMap::new();
        internal_fault("test").add_header(&mut headers).expect("headers");
        finish_error(&mut headers, "1");
        assert_eq!(Status::from_header_map(&headers).expect("status").code(), Code::Internal);
    }

    #[test]
    fn hidden_and_missing_records_answer_alike() {
        let a = refused(Refusal::NotFound("engagement"));
        let b = not_found("engagement");
        assert_eq!((a.code(), a.message()), (b.code(), b.message()));
        assert_eq!(a.message(), "engagement not found");
    }
}
