//! End-to-end tests: one binary, a module per concern.

mod access;
mod accounts;
mod api;
mod audit_search;
mod auth;
mod browser;
mod browser_accounts;
mod browser_audit;
mod browser_demo;
mod browser_start;
mod case_studies;
mod confidentiality;
mod consent;
mod demo;
mod journeys;
mod letters;
mod limits;
mod metrics;
mod notifications;
mod programme;
mod replicas;
mod security;
mod start;
mod store;
mod web_app;
