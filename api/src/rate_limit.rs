//! Rate limits on the requests an attacker repeats: sign-in and token refresh per client address, API client
//! token requests per address and per client id, every request of an API client, and its submissions. Token buckets of the `governor` crate, kept
//! in memory per server process.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::config::Settings;
use crate::error::ApiError;

/// The limiters of one server.
pub struct RateLimits {
    sign_in: DefaultKeyedRateLimiter<IpAddr>,
    refresh: DefaultKeyedRateLimiter<IpAddr>,
    token: DefaultKeyedRateLimiter<IpAddr>,
    token_by_client: DefaultKeyedRateLimiter<String>,
    submissions: DefaultKeyedRateLimiter<i64>,
    agency_requests: DefaultKeyedRateLimiter<i64>,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl RateLimits {
    pub fn new(settings: &Settings) -> Self {
        RateLimits {
            sign_in: DefaultKeyedRateLimiter::keyed(per_minute(settings.sign_in_rate_per_minute)),
            refresh: DefaultKeyedRateLimiter::keyed(per_minute(settings.refresh_rate_per_minute)),
            token: DefaultKeyedRateLimiter::keyed(per_minute(settings.client_token_rate_per_minute)),
            token_by_client: DefaultKeyedRateLimiter::keyed(per_minute(settings.client_token_rate_per_minute)),
            submissions: DefaultKeyedRateLimiter::keyed(per_minute(settings.submission_rate_per_minute)),
            agency_requests: DefaultKeyedRateLimiter::keyed(per_minute(settings.agency_request_rate_per_minute)),
        }
    }

    /// A sign-in attempt from this address; 429 `rate_limited` beyond the quota.
    pub fn sign_in(&self, from: Option<IpAddr>) -> Result<(), ApiError> {
        check(&self.sign_in, from)
    }

    /// A token refresh from this address.
    pub fn refresh(&self, from: Option<IpAddr>) -> Result<(), ApiError> {
        check(&self.refresh, from)
    }

    /// An API client's token request from this address.
    pub fn token(&self, from: Option<IpAddr>) -> Result<(), ApiError> {
        check(&self.token, from)
    }

    /// A submission request (a letter or one of its documents) by this API client.
    pub fn submission(&self, client: i64) -> Result<(), ApiError> {
        check(&self.submissions, Some(client))
    }

    /// Any request of this API client (checked where its token is accepted, so every agency endpoint counts).
    pub fn agency_request(&self, client: i64) -> Result<(), ApiError> {
        check(&self.agency_requests, Some(client))
    }

    /// A token request naming this client id (whatever the address: a leaked id is not brute-forced from many).
    pub fn token_for_client(&self, client_id: &str) -> Result<(), ApiError> {
        check(&self.token_by_client, Some(client_id.chars().take(64).collect::<String>()))
    }
}

fn check<K>(limiter: &DefaultKeyedRateLimiter<K>, key: Option<K>) -> Result<(), ApiError>
where
    K: std::hash::Hash + Eq + Clone,
{
    // A request with no peer address (not over TCP) is not limited; the server only listens on TCP.
    let Some(key) = key else { return Ok(()) };
    limiter.check_key(&key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        ApiError::rate_limited(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
    })?;
    // Forget addresses whose buckets are full again, now and then, so memory stays bounded.
    if limiter.len() > 10_000 {
        limiter.retain_recent();
    }
    Ok(())
}
