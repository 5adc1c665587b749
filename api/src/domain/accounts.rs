//! Sign-in sessions: login, refresh-token rotation with reuse detection, logout.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;
use shared_types::{AuditAction, ErrorCode, TokenResponse};

use super::actor::roles_of;
use super::audit::{self, Object, Who};
use super::{now, views};
use crate::auth::{self, JwtKeys};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::models::{RefreshTokenRow, UserRow};
use crate::schema::{refresh_tokens, users};

fn bad_credentials() -> ApiError {
    ApiError::unauthorized(ErrorCode::InvalidCredentials, "The username or password is wrong.")
}

fn bad_refresh() -> ApiError {
    ApiError::unauthorized(ErrorCode::InvalidRefreshToken, "The refresh token is not valid; sign in again.")
}

fn issue(
    conn: &mut DbConn,
    keys: &JwtKeys,
    user: &UserRow,
    family_id: &str,
    refresh_ttl_seconds: i64,
) -> Result<TokenResponse, ApiError> {
    let at = now();
    let refresh = auth::random_token();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::user_id.eq(user.id),
            refresh_tokens::token_hash.eq(auth::token_digest(&refresh)),
            refresh_tokens::family_id.eq(family_id),
            refresh_tokens::created_at.eq(at),
            refresh_tokens::expires_at.eq(at + Duration::seconds(refresh_ttl_seconds)),
        ))
        .execute(conn)?;
    let roles = roles_of(conn, user.id)?;
    Ok(TokenResponse {
        access_token: keys.issue(user.id, family_id, at.and_utc().timestamp())?,
        token_type: "Bearer".into(),
        expires_in: keys.access_ttl_seconds,
        refresh_token: Some(refresh),
        refresh_expires_in: refresh_ttl_seconds,
        user: views::user(user, roles)?,
    })
}

/// Check a username and password and open a session.
/// When repeated failed sign-ins lock an account: after `after` failures in a row, for `first_seconds`, doubling with
/// each further failure up to an hour. A successful sign-in clears the count.
#[derive(Debug, Clone, Copy)]
pub struct Lockout {
    pub after: i32,
    pub first_seconds: i64,
}

fn record_failure(conn: &mut DbConn, user: &UserRow, policy: Lockout, origin: Option<&str>) -> Result<(), ApiError> {
    let failures = user.failed_logins.saturating_add(1);
    let locked_until = (failures >= policy.after).then(|| {
        let doublings = (failures - policy.after).min(12) as u32;
        let seconds = policy.first_seconds.saturating_mul(1_i64 << doublings).min(3600);
        now() + Duration::seconds(seconds)
    });
    crate::db::write_tx(conn, |conn| {
        diesel::update(users::table.find(user.id))
            .set((users::failed_logins.eq(failures), users::locked_until.eq(locked_until)))
            .execute(conn)?;
        let who = Who { user_id: Some(user.id), origin: origin.map(String::from), ..Who::default() };
        let details = json!({"reason": "wrong_password", "failures": failures, "locked_until": locked_until});
        audit::record(conn, &who, AuditAction::SignInFailed, Object::User(user.id), details)
    })
}

/// Record a refused sign-in that changes nothing else.
fn record_refusal(conn: &mut DbConn, who: &Who, username: &str, reason: &str) -> Result<(), ApiError> {
    let object = who.user_id.map_or(Object::Session, Object::User);
    let details = json!({"reason": reason, "username": username});
    crate::db::write_tx(conn, |conn| audit::record(conn, who, AuditAction::SignInFailed, object, details))
}

/// Sign in. The one domain operation that opens its own write transactions, rather than running in its route's: a
/// refused sign-in must still leave its audit entry (and count towards the lockout) although the request fails, and
/// the password check (deliberately slow) must not hold the write lock while it runs.
pub fn login(
    conn: &mut DbConn,
    keys: &JwtKeys,
    username: &str,
    password: &str,
    refresh_ttl_seconds: i64,
    lockout: Lockout,
    origin: Option<&str>,
) -> Result<TokenResponse, ApiError> {
    let username = username.trim().to_lowercase();
    let mut who = Who { origin: origin.map(String::from), ..Who::default() };
    if username.is_empty() || username.len() > 64 || username.chars().any(char::is_control) {
        auth::verify_password(password, auth::dummy_hash());
        return Err(bad_credentials());
    }
    let user: Option<UserRow> =
        users::table.filter(users::username.eq(&username)).select(UserRow::as_select()).first(conn).optional()?;
    let Some(user) = user else {
        // Spend the same time as a real check, so response times do not tell which usernames exist.
        auth::verify_password(password, auth::dummy_hash());
        record_refusal(conn, &who, &username, "unknown_user")?;
        return Err(bad_credentials());
    };
    who.user_id = Some(user.id);
    if let Some(until) = user.locked_until
        && until > now()
    {
        record_refusal(conn, &who, &username, "locked")?;
        let wait = (until - now()).num_seconds().max(1);
        return Err(ApiError::new(
            actix_web::http::StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::AccountLocked,
            format!("Too many failed sign-ins: try again in {wait} seconds."),
        )
        .retry_after(wait as u64));
    }
    if !auth::verify_password(password, &user.password_hash) {
        record_failure(conn, &user, lockout, origin)?;
        return Err(bad_credentials());
    }
    if !user.active {
        record_refusal(conn, &who, &username, "disabled")?;
        return Err(ApiError::unauthorized(ErrorCode::AccountDisabled, "This account is disabled."));
    }
    crate::db::write_tx(conn, |conn| {
        if user.failed_logins > 0 || user.locked_until.is_some() {
            diesel::update(users::table.find(user.id))
                .set((users::failed_logins.eq(0), users::locked_until.eq(None::<NaiveDateTime>)))
                .execute(conn)?;
        }
        let session = auth::random_token();
        let tokens = issue(conn, keys, &user, &session, refresh_ttl_seconds)?;
        audit::record(conn, &who, AuditAction::SignedIn, Object::User(user.id), json!({"session": session}))?;
        Ok(tokens)
    })
}

/// Exchange a refresh token for new tokens. Each refresh token works once; presenting one that was already used
/// means it was stolen or replayed, so the whole session (token family) is revoked.
pub fn refresh(
    conn: &mut DbConn,
    keys: &JwtKeys,
    token: &str,
    refresh_ttl_seconds: i64,
    origin: Option<&str>,
) -> Result<TokenResponse, ApiError> {
    let at = now();
    let row: RefreshTokenRow = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(auth::token_digest(token)))
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(bad_refresh)?;
    let reused = |conn: &mut DbConn| -> Result<TokenResponse, ApiError> {
        revoke_family(conn, &row.family_id)?;
        let who = Who { user_id: Some(row.user_id), origin: origin.map(String::from), ..Who::default() };
        let details = json!({"session": row.family_id, "reason": "refresh_token_reused"});
        audit::record(conn, &who, AuditAction::SessionEnded, Object::Session, details)?;
        Err(bad_refresh())
    };
    if row.revoked_at.is_some() {
        return reused(conn);
    }
    if row.expires_at <= at {
        return Err(bad_refresh());
    }
    let user: UserRow = users::table.find(row.user_id).select(UserRow::as_select()).first(conn)?;
    if !user.active {
        return Err(ApiError::unauthorized(ErrorCode::AccountDisabled, "This account is disabled."));
    }
    let used = diesel::update(refresh_tokens::table.find(row.id).filter(refresh_tokens::revoked_at.is_null()))
        .set(refresh_tokens::revoked_at.eq(at))
        .execute(conn)?;
    if used == 0 {
        // Someone used it between our read and our write.
        return reused(conn);
    }
    let tokens = issue(conn, keys, &user, &row.family_id, refresh_ttl_seconds)?;
    let who = Who { user_id: Some(user.id), origin: origin.map(String::from), ..Who::default() };
    audit::record(conn, &who, AuditAction::SessionRefreshed, Object::Session, json!({"session": row.family_id}))?;
    Ok(tokens)
}

/// End the session the refresh token belongs to. Unknown tokens are ignored: logging out twice is not an error.
pub fn logout(conn: &mut DbConn, token: &str, origin: Option<&str>) -> Result<(), ApiError> {
    let family: Option<(String, i64)> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(auth::token_digest(token)))
        .select((refresh_tokens::family_id, refresh_tokens::user_id))
        .first(conn)
        .optional()?;
    if let Some((family, user_id)) = family {
        revoke_family(conn, &family)?;
        let who = Who { user_id: Some(user_id), origin: origin.map(String::from), ..Who::default() };
        audit::record(conn, &who, AuditAction::SignedOut, Object::Session, json!({"session": family}))?;
    }
    Ok(())
}

fn revoke_family(conn: &mut DbConn, family: &str) -> Result<(), ApiError> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::family_id.eq(family)))
        .filter(refresh_tokens::revoked_at.is_null())
        .set(refresh_tokens::revoked_at.eq(now()))
        .execute(conn)?;
    Ok(())
}

/// Revoke every session of a user (disabled account, changed password).
pub fn revoke_all(conn: &mut DbConn, user_id: i64) -> Result<(), ApiError> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::user_id.eq(user_id)))
        .filter(refresh_tokens::revoked_at.is_null())
        .set(refresh_tokens::revoked_at.eq(now()))
        .execute(conn)?;
    Ok(())
}

/// The caller's live sessions: each chain of refresh tokens that is neither revoked nor expired, newest first.
pub fn sessions(conn: &mut DbConn, user_id: i64, current: &str) -> Result<Vec<shared_types::Session>, ApiError> {
    let at = now();
    let rows: Vec<(String, NaiveDateTime, NaiveDateTime)> = refresh_tokens::table
        .filter(refresh_tokens::user_id.eq(user_id))
        .filter(refresh_tokens::revoked_at.is_null())
        .filter(refresh_tokens::expires_at.gt(at))
        .select((refresh_tokens::family_id, refresh_tokens::created_at, refresh_tokens::expires_at))
        .load(conn)?;
    // The live token of a chain is its latest; the chain started with its first token, revoked since.
    let starts: Vec<(String, NaiveDateTime)> = refresh_tokens::table
        .filter(refresh_tokens::user_id.eq(user_id))
        .filter(refresh_tokens::family_id.eq_any(rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>()))
        .select((refresh_tokens::family_id, refresh_tokens::created_at))
        .load(conn)?;
    let mut sessions: Vec<shared_types::Session> = rows
        .into_iter()
        .map(|(family, last_used, expires)| {
            let started = starts.iter().filter(|(f, _)| *f == family).map(|(_, t)| *t).min().unwrap_or(last_used);
            shared_types::Session {
                current: family == current,
                id: family,
                started_at: super::utc(started),
                last_used_at: super::utc(last_used),
                expires_at: super::utc(expires),
            }
        })
        .collect();
    sessions.sort_by_key(|s| std::cmp::Reverse(s.last_used_at));
    Ok(sessions)
}

/// End one of the caller's sessions: its refresh token and its access tokens stop working at once.
pub fn end_session(conn: &mut DbConn, actor: &super::actor::Actor, family_id: &str) -> Result<(), ApiError> {
    let ended = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(actor.id()))
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now()))
    .execute(conn)?;
    if ended == 0 {
        return Err(ApiError::not_found(ErrorCode::SessionNotFound, "No such session of yours, or it has ended."));
    }
    audit::record(conn, &Who::of(actor), AuditAction::SessionEnded, Object::Session, json!({"session": family_id}))
}
