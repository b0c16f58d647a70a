//! gRPC services: decode and validate, call the domain or the store, encode.

pub mod account;
pub mod audit;
pub mod auth;
pub mod case_studies;
pub mod consent;
pub mod convert;
pub mod documents;
pub mod letters;
pub mod notifications;
pub mod programme;
pub mod reference;
pub mod scheduling;
pub mod setup;
pub mod start;
pub mod status;

/// Largest request most services accept (tonic's own default is 4 MiB): their messages are
/// forms of a few fields. A larger one is refused `RESOURCE_EXHAUSTED` as soon as its frame's
/// length prefix arrives, before its body is read.
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// Largest request of the services that carry a text or a file of text (letter drafts, the
/// case-study list as CSV).
pub const MAX_TEXT_REQUEST_BYTES: usize = 4 * 1024 * 1024;
