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
