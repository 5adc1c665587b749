//! Muamalat: electronic correspondence and transaction tracking. The library holds the server; `main.rs` is the
//! command line around it.

pub mod app;
pub mod auth;
pub mod blobs;
pub mod calendar;
pub mod columns;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod extract;
pub mod generate;
pub mod models;
pub mod openapi;
pub mod rate_limit;
pub mod registrar;
pub mod routes;
pub mod schema;
pub mod seed;
pub mod spa;
pub mod sql;
pub mod telemetry;
pub mod text;
pub mod uploads;
pub mod working_time;
