//! gRPC services: decode and validate, call the domain or the store, encode.

pub mod account;
pub mod audit;
pub mod auth;
pub mod convert;
pub mod reference;
pub mod status;
