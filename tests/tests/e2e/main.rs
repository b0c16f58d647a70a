//! End-to-end tests: one binary, a module per concern.

mod access;
mod api;
mod browser;
mod store;
