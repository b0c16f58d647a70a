//! End-to-end tests: one binary, a module per concern.

mod access;
mod api;
mod auth;
mod browser;
mod consent;
mod letters;
mod programme;
mod security;
mod store;
