//! The domain: organisation, accounts, transactions, routing and tracking. Functions here take a connection that
//! the caller has put inside a transaction where they write, check who may do what through [`policy`], and answer
//! with `shared_types`. Handlers stay thin.

pub mod accounts;
pub mod actor;
pub mod audit;
pub mod clients;
pub mod delegations;
pub mod documents;
pub mod exchange;
pub mod idempotency;
pub mod ids;
pub mod numbering;
pub mod org;
pub mod paging;
pub mod policy;
pub mod reports;
pub mod routing;
pub mod search;
pub mod submissions;
pub mod timeline;
pub mod tracking;
pub mod transactions;
pub mod views;
pub mod working_calendar;

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

use crate::calendar;
use crate::error::ApiError;

/// The current time, to the microsecond (what PostgreSQL keeps), so values read back equal values written.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

pub fn naive(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc().trunc_subsecs(6)
}

/// Parse a value the database holds in its wire form; a failure means the database holds something the code does
/// not know, which is an internal error.
pub fn parse<T>(value: &str) -> Result<T, ApiError>
where
    T: std::str::FromStr<Err = String>,
{
    value.parse().map_err(ApiError::internal)
}

/// The instant a Riyadh day starts — or, with `next`, the instant the day after it starts.
pub fn day_start(date: chrono::NaiveDate, next: bool) -> NaiveDateTime {
    let date = if next { date.succ_opt().unwrap_or(date) } else { date };
    calendar::riyadh_midnight(date)
}

/// A day parameter as its Gregorian date; 400 `invalid_parameter` naming the parameter when it is not a day.
pub fn day_of(name: &str, text: Option<&str>) -> Result<Option<chrono::NaiveDate>, ApiError> {
    text.map(|t| {
        calendar::parse_day(t).ok_or_else(|| {
            ApiError::bad_request(
                shared_types::ErrorCode::InvalidParameter,
                format!("`{name}` is not a day: give YYYY-MM-DD, Gregorian or Hijri (a year before 1700)."),
            )
        })
    })
    .transpose()
}
