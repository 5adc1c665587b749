//! The API integration suite: one binary, the real server over real HTTP, on SQLite — or on PostgreSQL when
//! `TEST_DATABASE_URL` is set (see `scripts/test.sh`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod agencies;
mod attacks;
mod audit;
mod auth;
mod calendar;
mod concurrency;
mod contract;
mod delegation;
mod documents;
mod flow;
mod generate;
mod offered;
mod org;
mod permissions;
mod registration;
mod reports;
mod routing;
mod search;
mod snapshots;
mod tracking;
