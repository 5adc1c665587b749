//! The audit log: an append-only, hash-chained record of every state change and every read of a document's content.
//!
//! An entry is written by the domain in the same database transaction as the change it records, so a change
//! cannot commit without its entry, nor an entry without its change. Entries are written unsealed. The sealer
//! ([`seal`], run every second by the server and before every verification) gives pending entries, in id order,
//! the next sequence number and `hash = SHA-256(previous hash, "\n", canonical entry)`, so that changing, removing
//! or reordering a sealed entry breaks the chain from there on, which [`verify`] reports. Sealing after the commit
//! instead of inside it keeps the chain from serialising every writer of the organisation on one row.

use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use shared_types::{AuditAction, AuditBreak, AuditEntry, AuditVerification, Page, Role};

use super::actor::Actor;
use super::views::Refs;
use super::{naive, now, utc};
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::models::{AuditRow, NewAuditRow, NewEventRow};
use crate::schema::{audit_log, transactions};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Entries sealed per database transaction.
const SEAL_BATCH: i64 = 1000;

/// Who acted, as the audit log records them.
#[derive(Debug, Clone, Default)]
pub struct Who {
    pub user_id: Option<i64>,
    pub on_behalf_of_user_id: Option<i64>,
    pub client_id: Option<i64>,
    /// The client's address.
    pub origin: Option<String>,
}

impl Who {
    pub fn of(actor: &Actor) -> Who {
        Who {
            user_id: Some(actor.id()),
            on_behalf_of_user_id: actor.on_behalf_of,
            client_id: None,
            origin: actor.origin.clone(),
        }
    }
}

/// What an entry is about.
#[derive(Debug, Clone, Copy)]
pub enum Object {
    Transaction(i64),
    /// A referral, with its transaction.
    Referral(i64, i64),
    /// A document, with its transaction.
    Document(i64, i64),
    Unit(i64),
    User(i64),
    Entity(i64),
    Session,
    ApiClient(i64),
    Submission(i64),
    /// The working week and hours.
    WorkingCalendar,
    Holiday(i64),
}

impl Object {
    fn parts(self) -> (&'static str, Option<i64>, Option<i64>) {
        match self {
            Object::Transaction(t) => ("transaction", Some(t), Some(t)),
            Object::Referral(r, t) => ("referral", Some(r), Some(t)),
            Object::Document(d, t) => ("document", Some(d), Some(t)),
            Object::Unit(id) => ("unit", Some(id), None),
            Object::User(id) => ("user", Some(id), None),
            Object::Entity(id) => ("entity", Some(id), None),
            Object::Session => ("session", None, None),
            Object::ApiClient(id) => ("api_client", Some(id), None),
            Object::Submission(id) => ("submission", Some(id), None),
            Object::WorkingCalendar => ("working_calendar", None, None),
            Object::Holiday(id) => ("holiday", Some(id), None),
        }
    }
}

/// Append one entry.
pub fn record(
    conn: &mut DbConn,
    who: &Who,
    action: AuditAction,
    object: Object,
    details: serde_json::Value,
) -> Result<(), ApiError> {
    let (object_type, object_id, transaction_id) = object.parts();
    let details = details.to_string();
    db::insert_audit(
        conn,
        &[NewAuditRow {
            at: now(),
            user_id: who.user_id,
            on_behalf_of_user_id: who.on_behalf_of_user_id,
            client_id: who.client_id,
            origin: who.origin.as_deref(),
            action: action.as_str(),
            object_type,
            object_id,
            transaction_id,
            details: &details,
        }],
    )?;
    Ok(())
}

/// Append the entries of timeline events, in one statement; `by[i]` recorded `rows[i]`.
pub fn events(conn: &mut DbConn, by: &[&Actor], rows: &[NewEventRow]) -> Result<(), ApiError> {
    debug_assert_eq!(by.len(), rows.len());
    let entries: Vec<NewAuditRow> = rows
        .iter()
        .zip(by)
        .map(|(e, actor)| {
            let (object_type, object_id) = match e.referral_id {
                Some(r) => ("referral", r),
                None => ("transaction", e.transaction_id),
            };
            NewAuditRow {
                at: e.at,
                user_id: Some(e.actor_user_id),
                on_behalf_of_user_id: e.on_behalf_of_user_id,
                client_id: None,
                origin: actor.origin.as_deref(),
                action: e.kind.0.as_str(),
                object_type,
                object_id: Some(object_id),
                transaction_id: Some(e.transaction_id),
                details: &e.details,
            }
        })
        .collect();
    db::insert_audit(conn, &entries)?;
    Ok(())
}

/// The form of an entry that its hash covers: every column but the hashes, in a fixed order.
#[derive(Serialize)]
struct Canonical<'a> {
    seq: i64,
    id: i64,
    at: String,
    user_id: Option<i64>,
    on_behalf_of_user_id: Option<i64>,
    client_id: Option<i64>,
    origin: Option<&'a str>,
    action: &'a str,
    object_type: &'a str,
    object_id: Option<i64>,
    transaction_id: Option<i64>,
    details: &'a str,
}

/// The hash of an entry at `seq` following `prev_hash`.
pub fn entry_hash(prev_hash: &str, seq: i64, row: &AuditRow) -> String {
    let canonical = Canonical {
        seq,
        id: row.id,
        at: row.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        user_id: row.user_id,
        on_behalf_of_user_id: row.on_behalf_of_user_id,
        client_id: row.client_id,
        origin: row.origin.as_deref(),
        action: &row.action,
        object_type: &row.object_type,
        object_id: row.object_id,
        transaction_id: row.transaction_id,
        details: &row.details,
    };
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    // Serialising a struct of plain fields cannot fail.
    hasher.update(serde_json::to_vec(&canonical).unwrap_or_default());
    hex::encode(hasher.finalize())
}

/// The last sealed entry's sequence number and hash.
fn head(conn: &mut DbConn) -> Result<(i64, String), ApiError> {
    let last: Option<(Option<i64>, Option<String>)> = audit_log::table
        .filter(audit_log::seq.is_not_null())
        .order(audit_log::seq.desc())
        .select((audit_log::seq, audit_log::hash))
        .first(conn)
        .optional()?;
    Ok(match last {
        Some((Some(seq), Some(hash))) => (seq, hash),
        _ => (0, GENESIS.to_string()),
    })
}

/// Seal every pending entry; answers how many were sealed. Safe to run from several processes at once: on
/// PostgreSQL sealers take turns on an advisory lock, and SQLite has one writer. A background job, not an operation:
/// it opens its own write transactions, one per batch, so that a long backlog never holds the write lock at once.
pub fn seal(conn: &mut DbConn) -> Result<usize, ApiError> {
    let mut sealed = 0;
    loop {
        let batch = db::write_tx(conn, |conn| -> Result<usize, ApiError> {
            if let DbConn::Pg(pg) = conn {
                // One sealer at a time; the lock ends with the transaction.
                diesel::sql_query("SELECT pg_advisory_xact_lock(7316812001)").execute(pg)?;
            }
            let pending: Vec<AuditRow> = audit_log::table
                .filter(audit_log::seq.is_null())
                .order(audit_log::id)
                .limit(SEAL_BATCH)
                .select(AuditRow::as_select())
                .load(conn)?;
            if pending.is_empty() {
                return Ok(0);
            }
            let (mut seq, mut prev) = head(conn)?;
            // One statement for the batch. Every value in it is an integer or a hex digest computed here.
            let mut values = Vec::with_capacity(pending.len());
            for row in &pending {
                seq += 1;
                let hash = entry_hash(&prev, seq, row);
                values.push(format!("({}, {seq}, '{prev}', '{hash}')", row.id));
                prev = hash;
            }
            let update = diesel::sql_query(format!(
                "UPDATE audit_log SET seq = v.column2, prev_hash = v.column3, hash = v.column4 \
                 FROM (VALUES {}) AS v WHERE audit_log.id = v.column1",
                values.join(", ")
            ));
            let sealed = match conn {
                DbConn::Sqlite(c) => update.execute(c)?,
                DbConn::Pg(c) => update.execute(c)?,
            };
            if sealed != pending.len() {
                return Err(ApiError::internal(format!("sealed {sealed} audit entries of {}", pending.len())));
            }
            Ok(pending.len())
        })?;
        sealed += batch;
        if (batch as i64) < SEAL_BATCH {
            return Ok(sealed);
        }
    }
}

/// Seal what is pending, then check every sealed entry from the first: its sequence number follows the one
/// before, it names the previous hash, and its own hash matches its content. Reports the first entry that fails.
pub fn verify(conn: &mut DbConn) -> Result<AuditVerification, ApiError> {
    seal(conn)?;
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_string();
    let mut verified = 0;
    let broken = |seq: i64, id: Option<i64>, reason: &str, verified: i64, prev: &str| AuditVerification {
        intact: false,
        verified,
        head_hash: (verified > 0).then(|| prev.to_string()),
        first_broken: Some(AuditBreak { seq, id, reason: reason.into() }),
    };
    loop {
        let rows: Vec<AuditRow> = audit_log::table
            .filter(audit_log::seq.ge(expected_seq))
            .order(audit_log::seq)
            .limit(5000)
            .select(AuditRow::as_select())
            .load(conn)?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            let seq = row.seq.unwrap_or_default();
            if seq != expected_seq {
                return Ok(broken(expected_seq, None, "missing", verified, &prev));
            }
            if row.prev_hash.as_deref() != Some(prev.as_str()) {
                return Ok(broken(seq, Some(row.id), "chain_mismatch", verified, &prev));
            }
            let hash = entry_hash(&prev, seq, &row);
            if row.hash.as_deref() != Some(hash.as_str()) {
                return Ok(broken(seq, Some(row.id), "hash_mismatch", verified, &prev));
            }
            prev = hash;
            expected_seq += 1;
            verified += 1;
        }
    }
    Ok(AuditVerification { intact: true, verified, head_hash: (verified > 0).then_some(prev), first_broken: None })
}

/// Auditors read the log; nobody else does, administrators included (they are audited by it).
pub fn ensure_auditor(actor: &Actor) -> Result<(), ApiError> {
    if actor.has(Role::Auditor) { Ok(()) } else { Err(ApiError::forbidden("Only an auditor can read the audit log.")) }
}

/// Filters of the audit log list.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub user_id: Option<i64>,
    pub action: Option<String>,
    pub transaction_id: Option<i64>,
    pub object_type: Option<String>,
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    pub to: Option<chrono::DateTime<chrono::Utc>>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// The audit log, newest first, for an auditor. Entries about a transaction above the auditor's clearance are left
/// out, as the transaction itself would be.
pub fn list(conn: &mut DbConn, actor: &Actor, f: &AuditFilter) -> Result<Page<AuditEntry>, ApiError> {
    ensure_auditor(actor)?;
    let limit = i64::from(super::paging::size(f.limit));
    let mut q = audit_log::table.into_boxed();
    if let Some(user) = f.user_id {
        q = q.filter(audit_log::user_id.eq(user));
    }
    if let Some(action) = &f.action {
        q = q.filter(audit_log::action.eq(action.clone()));
    }
    if let Some(t) = f.transaction_id {
        q = q.filter(audit_log::transaction_id.eq(t));
    }
    if let Some(kind) = &f.object_type {
        q = q.filter(audit_log::object_type.eq(kind.clone()));
    }
    if let Some(from) = f.from {
        q = q.filter(audit_log::at.ge(naive(from)));
    }
    if let Some(to) = f.to {
        q = q.filter(audit_log::at.lt(naive(to)));
    }
    if let Some(before) = super::paging::after(f.cursor.as_deref(), 'a')? {
        q = q.filter(audit_log::id.lt(before));
    }
    let above_clearance = transactions::table
        .filter(transactions::id.nullable().eq(audit_log::transaction_id))
        .filter(diesel::dsl::not(super::policy::cleared(actor)));
    q = q.filter(diesel::dsl::not(diesel::dsl::exists(above_clearance)));
    let mut rows: Vec<AuditRow> =
        q.order(audit_log::id.desc()).limit(limit + 1).select(AuditRow::as_select()).load(conn)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let users = rows.iter().flat_map(|r| [r.user_id, r.on_behalf_of_user_id]).flatten();
    let refs = Refs::load(conn, [], users, [])?;
    let next_cursor = if more { rows.last().map(|r| format!("a{}", r.id)) } else { None };
    let items = rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            seq: r.seq,
            at: utc(r.at),
            user: r.user_id.map(|id| refs.user(id)),
            client_id: r.client_id,
            on_behalf_of: r.on_behalf_of_user_id.map(|id| refs.user(id)),
            origin: r.origin,
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            transaction_id: r.transaction_id,
            details: serde_json::from_str(&r.details).unwrap_or(serde_json::Value::String(r.details)),
            hash: r.hash,
        })
        .collect();
    Ok(Page { items, next_cursor })
}
