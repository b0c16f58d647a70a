//! gRPC services: decode and validate, call the domain or the store, encode.

pub mod reference;
pub mod status;
