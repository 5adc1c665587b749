//! `Idempotency-Key` on creating requests: the same key and body answer the stored response without doing the work
//! again; the same key with another body is refused. The key is stored in the same database transaction as the
//! work, so either both happen or neither does.

use std::marker::PhantomData;

use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use shared_types::ErrorCode;

use super::now;
use crate::db::{self, DbConn, write_tx};
use crate::error::ApiError;
use crate::models::NewIdempotencyRow;
use crate::schema::idempotency_keys;

/// A stored or fresh answer of an operation whose body is a `T`: the HTTP status and the JSON of that `T`. Kept as
/// text (what a replay sends back byte for byte), typed by what it holds, so that an operation can only answer the
/// type it declares: [`Stored::new`] takes a `T`, and the route answers `Stored<T>` as its response type.
#[derive(Debug)]
pub struct Stored<T> {
    pub status: u16,
    pub body: String,
    of: PhantomData<fn() -> T>,
}

impl<T: Serialize> Stored<T> {
    /// The answer `value` with `status`.
    pub fn new(status: u16, value: &T) -> Result<Self, ApiError> {
        Ok(Stored { status, body: serde_json::to_string(value).map_err(ApiError::internal)?, of: PhantomData })
    }
}

impl<T> Stored<T> {
    /// An answer read back from the store, written by [`Stored::new`] for the same operation (the key's fingerprint
    /// names the method and path).
    fn replayed(status: u16, body: String) -> Self {
        Stored { status, body, of: PhantomData }
    }
}

/// The caller's key and a fingerprint of their request.
#[derive(Debug, Clone)]
pub struct Key {
    pub key: String,
    pub request_hash: String,
}

impl Key {
    pub fn new(key: &str, method: &str, path: &str, body: &impl Serialize) -> Result<Key, ApiError> {
        let key = key.trim();
        if key.is_empty() || key.len() > 255 || !key.chars().all(|c| c.is_ascii_graphic()) {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidParameter,
                "`Idempotency-Key` must be 1 to 255 printable ASCII characters.",
            ));
        }
        let body = serde_json::to_string(body).map_err(ApiError::internal)?;
        let digest = Sha256::digest(format!("{method} {path}\n{body}").as_bytes());
        Ok(Key { key: key.to_string(), request_hash: hex::encode(digest) })
    }
}

/// The answer stored for this key, if any; refused when the key was used for another request.
pub fn lookup<T>(conn: &mut DbConn, user_id: i64, key: &Key) -> Result<Option<Stored<T>>, ApiError> {
    let row: Option<(String, i32, String)> = idempotency_keys::table
        .find((user_id, &key.key))
        .select((idempotency_keys::request_hash, idempotency_keys::status_code, idempotency_keys::response_body))
        .first(conn)
        .optional()?;
    match row {
        None => Ok(None),
        Some((hash, status, body)) if hash == key.request_hash => {
            Ok(Some(Stored::replayed(u16::try_from(status).unwrap_or(200), body)))
        }
        Some(_) => Err(ApiError::new(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::IdempotencyKeyReused,
            "This Idempotency-Key was already used for a different request.",
        )),
    }
}

/// Keep the answers of keyed requests with their work, in the same database transaction: one statement for all.
pub fn store<T>(conn: &mut DbConn, answers: &[(i64, &Key, &Stored<T>)]) -> Result<(), ApiError> {
    let at = now();
    let rows: Vec<NewIdempotencyRow> = answers
        .iter()
        .map(|(user_id, key, stored)| NewIdempotencyRow {
            user_id: *user_id,
            idempotency_key: &key.key,
            request_hash: &key.request_hash,
            status_code: i32::from(stored.status),
            response_body: &stored.body,
            created_at: at,
        })
        .collect();
    db::insert_idempotency(conn, &rows).map_err(|e| match e {
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
            ApiError::conflict(ErrorCode::IdempotencyKeyReused, "concurrent request with the same key")
        }
        other => other.into(),
    })?;
    Ok(())
}

/// The answer to give when keyed work failed: a concurrent request with the same key may have committed first
/// (its work then makes ours fail, or our key collide with its), and its answer is ours.
pub fn recover<T>(conn: &mut DbConn, user_id: i64, key: Option<&Key>, error: ApiError) -> Result<Stored<T>, ApiError> {
    match key {
        Some(key) => lookup(conn, user_id, key)?.ok_or(error),
        None => Err(error),
    }
}

/// Run `work` in one write transaction, at most once per key.
pub fn execute<T, F>(
    conn: &mut DbConn,
    user_id: i64,
    key: Option<&Key>,
    status: u16,
    work: F,
) -> Result<Stored<T>, ApiError>
where
    T: Serialize,
    F: FnOnce(&mut DbConn) -> Result<T, ApiError>,
{
    if let Some(key) = key
        && let Some(stored) = lookup(conn, user_id, key)?
    {
        return Ok(stored);
    }
    let result: Result<Stored<T>, ApiError> = write_tx(conn, |conn| {
        let stored = Stored::new(status, &work(conn)?)?;
        if let Some(key) = key {
            store(conn, &[(user_id, key, &stored)])?;
        }
        Ok(stored)
    });
    match result {
        Ok(stored) => Ok(stored),
        Err(e) => recover(conn, user_id, key, e),
    }
}
