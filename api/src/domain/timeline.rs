//! A transaction's timeline: every event appended to it (each with its audit log entry, in the same statements),
//! and the timeline as clients read it.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared_types::{Event, EventKind};

use super::actor::Actor;
use super::views::Refs;
use super::{policy, utc};
use crate::columns::AsText;
use crate::db::{self, DbConn};
use crate::domain::ids::TransactionId;
use crate::error::ApiError;
use crate::models::{EventRow, NewEventRow};
use crate::schema::events;

/// Timeline events to append together, each with who recorded it: every timeline write goes through here, and
/// writes each event's audit log entry with it.
#[derive(Default)]
pub struct Events<'a> {
    rows: Vec<NewEventRow>,
    by: Vec<&'a Actor>,
}

impl<'a> Events<'a> {
    pub fn push(
        &mut self,
        by: &'a Actor,
        transaction_id: i64,
        referral_id: Option<i64>,
        kind: EventKind,
        at: NaiveDateTime,
        details: &serde_json::Value,
    ) {
        self.rows.push(NewEventRow {
            transaction_id,
            referral_id,
            kind: AsText(kind),
            actor_user_id: by.id(),
            actor_unit_id: by.unit.id,
            on_behalf_of_user_id: by.on_behalf_of,
            at,
            details: details.to_string(),
        });
        self.by.push(by);
    }

    /// Append the events and their audit entries (one statement each), and reindex for search the transactions
    /// whose searched text the events change, in the same database transaction.
    pub fn write(self, conn: &mut DbConn) -> Result<(), ApiError> {
        db::insert_events(conn, &self.rows)?;
        super::audit::events(conn, &self.by, &self.rows)?;
        let changed: Vec<i64> = self
            .rows
            .iter()
            .filter(|e| super::search::index::REINDEXING.contains(&e.kind.0))
            .map(|e| e.transaction_id)
            .collect();
        super::search::reindex(conn, &changed)
    }
}

/// Append an event to a transaction's timeline.
pub fn record(
    conn: &mut DbConn,
    transaction_id: i64,
    referral_id: Option<i64>,
    kind: EventKind,
    actor: &Actor,
    at: NaiveDateTime,
    details: serde_json::Value,
) -> Result<(), ApiError> {
    let mut events = Events::default();
    events.push(actor, transaction_id, referral_id, kind, at, &details);
    events.write(conn)
}

/// The timeline of a transaction the actor may see, oldest first.
pub fn timeline(conn: &mut DbConn, actor: &Actor, id: TransactionId) -> Result<Vec<Event>, ApiError> {
    let t = policy::visible_transaction(conn, actor, id)?;
    let rows: Vec<EventRow> = events::table
        .filter(events::transaction_id.eq(t.id))
        .order(events::id)
        .select(EventRow::as_select())
        .load(conn)?;
    let refs = Refs::load(
        conn,
        rows.iter().map(|e| e.actor_unit_id),
        rows.iter().flat_map(|e| [Some(e.actor_user_id), e.on_behalf_of_user_id].into_iter().flatten()),
        [],
    )?;
    rows.iter()
        .map(|e| {
            Ok(Event {
                id: e.id,
                kind: e.kind,
                at: utc(e.at),
                actor: refs.user(e.actor_user_id),
                actor_unit: refs.unit(e.actor_unit_id),
                on_behalf_of: e.on_behalf_of_user_id.map(|id| refs.user(id)),
                referral_id: e.referral_id,
                details: serde_json::from_str(&e.details).map_err(ApiError::internal)?,
            })
        })
        .collect()
}
