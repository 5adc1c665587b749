//! Registering and numbering transactions, drafts, links, and opening referrals.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;
use shared_types::{
    DraftUpdate, ErrorCode, EventKind, NewLink, NewTransaction, Purpose, ReferralTarget, Role, TransactionKind,
    TransactionWithReferrals, UnitKind,
};

use super::actor::Actor;
use super::{naive, now, policy, views};
use crate::calendar;
use crate::db::{self, DbConn};
use crate::error::{ApiError, Validator};
use crate::models::{NewEventRow, NewReferralRow, NewTransactionRow, ReferralRow, TransactionRow, UnitRow};
use crate::schema::{events, external_entities, transaction_links, transactions, units, users};

pub use shared_types::limits::{MAX_NOTE, MAX_REFERENCE, MAX_SUBJECT, MAX_TARGETS, MAX_TEXT};

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
    let details = details.to_string();
    record_events(
        conn,
        actor,
        &[NewEventRow {
            transaction_id,
            referral_id,
            kind: kind.as_str(),
            actor_user_id: actor.id(),
            actor_unit_id: actor.unit.id,
            on_behalf_of_user_id: actor.on_behalf_of,
            at,
            details: &details,
        }],
    )
}

/// Append events to timelines, each with its audit log entry: every timeline write goes through here.
pub fn record_events(conn: &mut DbConn, actor: &Actor, rows: &[NewEventRow<'_>]) -> Result<(), ApiError> {
    db::insert_events(conn, rows)?;
    super::audit::events(conn, actor, rows)
}

/// The registry that numbers what a unit registers: the nearest unit at or above it that runs one, else the
/// central registry.
pub fn registry_of(conn: &mut DbConn, unit: &UnitRow) -> Result<UnitRow, ApiError> {
    let ids: Vec<i64> = unit.path.split('/').filter_map(|p| p.parse().ok()).collect();
    let mut chain: Vec<UnitRow> = units::table
        .filter(units::id.eq_any(&ids))
        .filter(units::registry_code.is_not_null())
        .select(UnitRow::as_select())
        .load(conn)?;
    chain.sort_by_key(|u| u.path.len());
    if let Some(nearest) = chain.pop() {
        return Ok(nearest);
    }
    // Units with no registry of their own above them register through the central registry.
    units::table
        .filter(units::kind.eq(UnitKind::CentralRegistry.as_str()))
        .order(units::id)
        .select(UnitRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::internal(format!("unit {} has no registry and there is no central registry", unit.id)))
}

/// Number a registered transaction: the next number of its registry for the current Hijri year, written to the
/// transaction and to its `registered` event.
///
/// Taking the number locks the registry's counter until commit, which serialises registrations at that registry
/// (that is what keeps numbers gapless). So it is the last write of the registering transaction: the lock is held
/// for three statements and the commit, not for the whole registration.
fn assign_number(
    conn: &mut DbConn,
    registry: &UnitRow,
    t: &TransactionRow,
    at: NaiveDateTime,
) -> Result<TransactionRow, ApiError> {
    let year = calendar::hijri_year_at(super::utc(at));
    let sequence = db::next_sequence(conn, registry.id, year)?;
    let prefix =
        if registry.kind == UnitKind::CentralRegistry.as_str() { None } else { registry.registry_code.as_deref() };
    let number = calendar::format_registration_number(prefix, year, sequence);
    let numbered: TransactionRow = diesel::update(transactions::table.find(t.id))
        .set((
            transactions::hijri_year.eq(year),
            transactions::sequence.eq(sequence),
            transactions::registration_number.eq(&number),
        ))
        .returning(transactions::all_columns)
        .get_result(conn)?;
    let details = json!({"registration_number": number, "registry_unit_id": registry.id}).to_string();
    diesel::update(
        events::table.filter(events::transaction_id.eq(t.id)).filter(events::kind.eq(EventKind::Registered.as_str())),
    )
    .set(events::details.eq(details))
    .execute(conn)?;
    Ok(numbered)
}

/// Check referral targets: units and users exist, are active, and each user belongs to the named unit.
pub fn validate_targets(
    conn: &mut DbConn,
    v: &mut Validator,
    field: &str,
    targets: &[ReferralTarget],
    required: bool,
    confidentiality: i32,
) -> Result<(), ApiError> {
    if required && targets.is_empty() {
        v.add(field, "required", "name at least one unit or user to refer to");
    }
    if targets.len() > MAX_TARGETS {
        v.add(field, "too_many", format!("at most {MAX_TARGETS} referrals at once"));
        return Ok(());
    }
    let unit_ids: Vec<i64> = targets.iter().map(|t| t.unit_id).collect();
    let active: std::collections::HashMap<i64, bool> = units::table
        .filter(units::id.eq_any(&unit_ids))
        .select((units::id, units::active))
        .load::<(i64, bool)>(conn)?
        .into_iter()
        .collect();
    for (i, t) in targets.iter().enumerate() {
        let f = |name: &str| format!("{field}[{i}].{name}");
        match active.get(&t.unit_id) {
            None => v.add(f("unit_id"), "not_found", format!("no unit {}", t.unit_id)),
            Some(false) => v.add(f("unit_id"), "disabled", "this unit is disabled"),
            Some(true) => {}
        }
        if let Some(user_id) = t.user_id {
            let user = users::table
                .find(user_id)
                .select((users::unit_id, users::active, users::clearance))
                .first::<(i64, bool, i32)>(conn)
                .optional()?;
            match user {
                None => v.add(f("user_id"), "not_found", format!("no user {user_id}")),
                Some((_, false, _)) => v.add(f("user_id"), "disabled", "this user is disabled"),
                Some((unit, true, _)) if unit != t.unit_id => {
                    v.add(f("user_id"), "invalid", "this user does not belong to the named unit")
                }
                Some((_, true, clearance)) if clearance < confidentiality => {
                    v.add(f("user_id"), "insufficient_clearance", "this user is not cleared for the transaction")
                }
                Some(_) => {}
            }
        }
        v.optional_text(&f("instructions"), t.instructions.as_deref(), MAX_NOTE);
        if targets[..i].iter().any(|o| o.unit_id == t.unit_id && o.user_id == t.user_id) {
            v.add(f("unit_id"), "duplicate", "the same unit/user is named twice");
        }
    }
    Ok(())
}

/// The event of the step that opens referrals (registered, forwarded, returned), written ahead of their `referred`
/// events in the same statements.
pub struct Lead {
    pub kind: EventKind,
    pub referral_id: Option<i64>,
    pub details: serde_json::Value,
}

/// Open referrals from the actor to each target, each with a `referred` event (after the `lead` event, if any).
pub fn open_referrals(
    conn: &mut DbConn,
    actor: &Actor,
    t: &TransactionRow,
    parent: Option<&ReferralRow>,
    targets: &[ReferralTarget],
    at: NaiveDateTime,
    lead: Option<Lead>,
) -> Result<Vec<ReferralRow>, ApiError> {
    let rows: Vec<NewReferralRow> = targets
        .iter()
        .map(|target| NewReferralRow {
            transaction_id: t.id,
            parent_referral_id: parent.map(|p| p.id),
            from_unit_id: actor.unit.id,
            from_user_id: actor.id(),
            to_unit_id: target.unit_id,
            to_user_id: target.user_id,
            purpose: target.purpose.as_str(),
            instructions: target.instructions.as_deref().filter(|s| !s.trim().is_empty()),
            due_at: target.due_at.map(naive).or(t.due_at),
            status: "sent",
            sent_at: at,
            version: 1,
        })
        .collect();
    let opened = db::insert_referrals(conn, &rows)?;
    let details: Vec<String> = opened
        .iter()
        .map(|row| {
            json!({
                "to_unit_id": row.to_unit_id,
                "to_user_id": row.to_user_id,
                "purpose": row.purpose,
                "instructions": row.instructions,
                "parent_referral_id": row.parent_referral_id,
            })
            .to_string()
        })
        .collect();
    let lead_details = lead.as_ref().map(|l| l.details.to_string());
    let event = |kind: EventKind, referral_id: Option<i64>, details| NewEventRow {
        transaction_id: t.id,
        referral_id,
        kind: kind.as_str(),
        actor_user_id: actor.id(),
        actor_unit_id: actor.unit.id,
        on_behalf_of_user_id: actor.on_behalf_of,
        at,
        details,
    };
    let events: Vec<NewEventRow> = lead
        .iter()
        .zip(&lead_details)
        .map(|(l, details)| event(l.kind, l.referral_id, details))
        .chain(opened.iter().zip(&details).map(|(row, details)| event(EventKind::Referred, Some(row.id), details)))
        .collect();
    record_events(conn, actor, &events)?;
    Ok(opened)
}

fn validate_links(conn: &mut DbConn, v: &mut Validator, links: &[NewLink]) -> Result<(), ApiError> {
    for (i, l) in links.iter().enumerate() {
        let exists: Option<i64> =
            transactions::table.find(l.transaction_id).select(transactions::id).first(conn).optional()?;
        if exists.is_none() {
            v.add(format!("links[{i}].transaction_id"), "not_found", format!("no transaction {}", l.transaction_id));
        }
    }
    Ok(())
}

fn insert_links(
    conn: &mut DbConn,
    actor: &Actor,
    t: &TransactionRow,
    links: &[NewLink],
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    for l in links {
        // Linking only names the other transaction; it must be one the actor may see.
        policy::visible_transaction(conn, actor, l.transaction_id)
            .map_err(|_| ApiError::field("links", "not_found", format!("no transaction {}", l.transaction_id)))?;
        diesel::insert_into(transaction_links::table)
            .values((
                transaction_links::from_transaction_id.eq(t.id),
                transaction_links::to_transaction_id.eq(l.transaction_id),
                transaction_links::kind.eq(l.kind.as_str()),
                transaction_links::created_by.eq(actor.id()),
                transaction_links::created_at.eq(at),
            ))
            .execute(conn)?;
        record(
            conn,
            t.id,
            None,
            EventKind::Linked,
            actor,
            at,
            json!({"kind": l.kind, "transaction_id": l.transaction_id}),
        )?;
    }
    Ok(())
}

/// What registering needs to know before it writes: checked by [`prepare_create`] outside the write lock.
pub struct PreparedCreate {
    registry: Option<UnitRow>,
    refs: views::Refs,
}

/// Register an incoming letter, create an outgoing one, or start an internal draft.
pub fn create(conn: &mut DbConn, actor: &Actor, req: &NewTransaction) -> Result<TransactionWithReferrals, ApiError> {
    let prepared = prepare_create(conn, actor, req)?;
    create_prepared(conn, actor, req, prepared)
}

/// The reads of [`create`]: validation, the registry that will number it, and the names its answer shows. Units and
/// users are only ever disabled, never deleted, and foreign keys still hold at write time.
pub fn prepare_create(conn: &mut DbConn, actor: &Actor, req: &NewTransaction) -> Result<PreparedCreate, ApiError> {
    policy::ensure_staff(actor)?;
    if req.kind == TransactionKind::Incoming && !actor.has(Role::RegistryClerk) {
        return Err(ApiError::forbidden("Only registry clerks register incoming correspondence."));
    }
    let mut v = Validator::new();
    v.text("subject", &req.subject, MAX_SUBJECT);
    v.optional_text("summary", req.summary.as_deref(), MAX_TEXT);
    v.optional_text("sender_reference", req.sender_reference.as_deref(), MAX_REFERENCE);
    v.range("attachments_count", req.attachments_count.into(), 0, 10_000);
    if req.confidentiality.level() > actor.clearance().level() {
        v.add("confidentiality", "above_clearance", "cannot exceed your own clearance");
    }
    match req.kind {
        TransactionKind::Incoming | TransactionKind::Outgoing => match req.external_entity_id {
            None => v.add("external_entity_id", "required", "name the sender (incoming) or recipient (outgoing)"),
            Some(id) => {
                let active: Option<bool> =
                    external_entities::table.find(id).select(external_entities::active).first(conn).optional()?;
                match active {
                    None => v.add("external_entity_id", "not_found", format!("no external entity {id}")),
                    Some(false) => v.add("external_entity_id", "disabled", "this entity is disabled"),
                    Some(true) => {}
                }
            }
        },
        TransactionKind::Internal => {
            if req.external_entity_id.is_some() {
                v.add("external_entity_id", "not_allowed", "internal transactions have no external entity");
            }
            if !req.referrals.is_empty() {
                v.add("referrals", "not_allowed", "an internal transaction starts as a draft; send it to refer it");
            }
        }
    }
    if req.kind != TransactionKind::Incoming && (req.sender_reference.is_some() || req.sender_reference_date.is_some())
    {
        v.add("sender_reference", "not_allowed", "only incoming letters carry the sender's reference");
    }
    validate_targets(conn, &mut v, "referrals", &req.referrals, false, req.confidentiality.level())?;
    validate_links(conn, &mut v, &req.links)?;
    v.finish()?;
    let registry = if req.kind == TransactionKind::Internal { None } else { Some(registry_of(conn, &actor.unit)?) };
    let refs = views::Refs::load(
        conn,
        [actor.unit.id]
            .into_iter()
            .chain(registry.as_ref().map(|r| r.id))
            .chain(req.referrals.iter().map(|r| r.unit_id)),
        [actor.id()].into_iter().chain(req.referrals.iter().filter_map(|r| r.user_id)),
        req.external_entity_id,
    )?;
    Ok(PreparedCreate { registry, refs })
}

/// The writes of [`create`], in the write transaction.
pub fn create_prepared(
    conn: &mut DbConn,
    actor: &Actor,
    req: &NewTransaction,
    prepared: PreparedCreate,
) -> Result<TransactionWithReferrals, ApiError> {
    let PreparedCreate { registry, refs } = prepared;
    let at = now();
    let draft = req.kind == TransactionKind::Internal;
    let t: TransactionRow = diesel::insert_into(transactions::table)
        .values(NewTransactionRow {
            kind: req.kind.as_str(),
            status: if draft { "draft" } else { "open" },
            registry_unit_id: registry.as_ref().map(|r| r.id),
            hijri_year: None,
            sequence: None,
            registration_number: None,
            subject: req.subject.trim(),
            summary: req.summary.as_deref(),
            external_entity_id: req.external_entity_id,
            sender_reference: req.sender_reference.as_deref(),
            sender_reference_date: req.sender_reference_date,
            priority: req.priority.as_str(),
            confidentiality: req.confidentiality.level(),
            due_at: req.due_at.map(naive),
            attachments_count: req.attachments_count,
            origin_unit_id: actor.unit.id,
            created_by: actor.id(),
            created_at: at,
            registered_at: if draft { None } else { Some(at) },
            registered_by: if draft { None } else { Some(actor.id()) },
            version: 1,
            updated_at: at,
        })
        .returning(transactions::all_columns)
        .get_result(conn)?;
    let lead = if draft {
        Lead { kind: EventKind::DraftCreated, referral_id: None, details: json!({}) }
    } else {
        // The number is filled in by `assign_number`, last.
        Lead {
            kind: EventKind::Registered,
            referral_id: None,
            details: json!({"registry_unit_id": t.registry_unit_id}),
        }
    };
    let opened = open_referrals(conn, actor, &t, None, &req.referrals, at, Some(lead))?;
    insert_links(conn, actor, &t, &req.links, at)?;
    let t = match &registry {
        Some(registry) => assign_number(conn, registry, &t, at)?,
        None => t,
    };
    views::assemble(conn, actor, &t, &opened, &refs)
}

fn draft_of_actor(conn: &mut DbConn, actor: &Actor, id: i64) -> Result<TransactionRow, ApiError> {
    let t = policy::visible_transaction(conn, actor, id)?;
    if t.status != "draft" {
        return Err(ApiError::conflict(ErrorCode::TransactionNotDraft, "Only a draft can be edited or sent."));
    }
    if t.created_by != actor.id() && !actor.is_admin() {
        return Err(ApiError::forbidden("Only the author of a draft can edit or send it."));
    }
    Ok(t)
}

/// Edit a draft's header.
pub fn update_draft(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    req: &DraftUpdate,
) -> Result<shared_types::Transaction, ApiError> {
    let t = draft_of_actor(conn, actor, id)?;
    policy::ensure_version(req.expected_version, t.version)?;
    let mut v = Validator::new();
    if let Some(s) = &req.subject {
        v.text("subject", s, MAX_SUBJECT);
    }
    v.optional_text("summary", req.summary.as_deref(), MAX_TEXT);
    if let Some(n) = req.attachments_count {
        v.range("attachments_count", n.into(), 0, 10_000);
    }
    if req.confidentiality.is_some_and(|c| c.level() > actor.clearance().level()) {
        v.add("confidentiality", "above_clearance", "cannot exceed your own clearance");
    }
    v.finish()?;
    let at = now();
    let updated = diesel::update(transactions::table.find(t.id).filter(transactions::version.eq(t.version)))
        .set((
            transactions::subject.eq(req.subject.as_deref().map(str::trim).unwrap_or(&t.subject)),
            transactions::summary.eq(req.summary.as_deref().or(t.summary.as_deref())),
            transactions::priority.eq(req.priority.map(|p| p.as_str()).unwrap_or(&t.priority)),
            transactions::confidentiality.eq(req.confidentiality.map(|c| c.level()).unwrap_or(t.confidentiality)),
            transactions::due_at.eq(req.due_at.map(naive).or(t.due_at)),
            transactions::attachments_count.eq(req.attachments_count.unwrap_or(t.attachments_count)),
            transactions::version.eq(t.version + 1),
            transactions::updated_at.eq(at),
        ))
        .returning(transactions::all_columns)
        .get_result(conn)
        .optional()?
        .ok_or_else(|| ApiError::conflict(ErrorCode::VersionConflict, "The draft changed meanwhile; reload it."))?;
    record(conn, t.id, None, EventKind::DraftUpdated, actor, at, json!({}))?;
    views::transaction(conn, actor, &updated)
}

/// Send a draft: number it at the author's registry and refer it straight to the targets, without passing through
/// the central registry.
pub fn send_draft(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    targets: &[ReferralTarget],
) -> Result<TransactionWithReferrals, ApiError> {
    let t = draft_of_actor(conn, actor, id)?;
    let mut v = Validator::new();
    validate_targets(conn, &mut v, "targets", targets, true, t.confidentiality)?;
    v.finish()?;
    let at = now();
    let registry = registry_of(conn, &actor.unit)?;
    let sent: TransactionRow = diesel::update(transactions::table.find(t.id).filter(transactions::status.eq("draft")))
        .set((
            transactions::status.eq("open"),
            transactions::registry_unit_id.eq(registry.id),
            transactions::registered_at.eq(at),
            transactions::registered_by.eq(actor.id()),
            transactions::version.eq(t.version + 1),
            transactions::updated_at.eq(at),
        ))
        .returning(transactions::all_columns)
        .get_result(conn)
        .optional()?
        .ok_or_else(|| ApiError::conflict(ErrorCode::TransactionNotDraft, "This draft was already sent."))?;
    let lead =
        Lead { kind: EventKind::Registered, referral_id: None, details: json!({"registry_unit_id": registry.id}) };
    let opened = open_referrals(conn, actor, &sent, None, targets, at, Some(lead))?;
    let refs = views::refs_for(conn, &sent, &opened)?;
    let sent = assign_number(conn, &registry, &sent, at)?;
    views::assemble(conn, actor, &sent, &opened, &refs)
}

/// Link a transaction to another (reply to, related, follow-up).
pub fn link(conn: &mut DbConn, actor: &Actor, id: i64, req: &NewLink) -> Result<shared_types::Transaction, ApiError> {
    let t = policy::visible_transaction(conn, actor, id)?;
    if t.status == "archived" {
        policy::ensure_open(&t)?;
    }
    policy::ensure_participant(conn, actor, &t)?;
    if req.transaction_id == t.id {
        return Err(ApiError::field("transaction_id", "invalid", "a transaction cannot link to itself"));
    }
    let exists: Option<i64> = transaction_links::table
        .filter(transaction_links::from_transaction_id.eq(t.id))
        .filter(transaction_links::to_transaction_id.eq(req.transaction_id))
        .filter(transaction_links::kind.eq(req.kind.as_str()))
        .select(transaction_links::id)
        .first(conn)
        .optional()?;
    if exists.is_some() {
        return Err(ApiError::conflict(ErrorCode::AlreadyExists, "This link already exists."));
    }
    insert_links(conn, actor, &t, std::slice::from_ref(req), now())?;
    views::transaction(conn, actor, &t)
}

/// Whether a purpose makes the receiver the holder (a referral for action).
pub fn is_action(purpose: &str) -> bool {
    purpose == Purpose::Action.as_str()
}
