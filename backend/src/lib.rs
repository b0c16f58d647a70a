//! SEND Planner's backend: a tonic gRPC service (and gRPC-web for browsers) over sqlx, on
//! SQLite by default or PostgreSQL in production.

pub mod admin;
pub mod auth;
pub mod board;
pub mod config;
pub mod demo;
pub mod domain;
pub mod fuzzing;
pub mod grpc;
pub mod metrics;
pub mod notify;
pub mod pdf;
pub mod report;
pub mod signed_audit;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod web_app;
