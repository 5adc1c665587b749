//! Registering transactions (incoming, outgoing, internal drafts), editing and sending drafts, and links between
//! transactions. Numbers come from [`super::numbering`], referrals are opened by [`super::routing::opening`].
//!
//! Registration is written in groups: [`create_all`] writes any number of checked registrations in one database
//! transaction, each kind of row in one statement, with each registry's numbers taken in one step. The registrar
//! (`crate::registrar`) feeds it whatever arrived together; a single registration is a group of one.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;
use shared_types::{
    DraftUpdate, ErrorCode, EventKind, NewLink, NewTransaction, ReferralTarget, TransactionKind, TransactionStatus,
    TransactionWithReferrals,
};

use super::actor::Actor;
use super::numbering::{path_ids, registry_among, registry_of, take_numbers};
use super::routing::opening::{
    Lead, Opening, check_targets, count_targets, open_all, open_referrals, target_users, validate_targets,
};
use super::timeline::record;
use super::{naive, now, policy, views};
use crate::columns::{AsLevel, AsText};
use crate::db::{self, DbConn};
use crate::domain::ids::TransactionId;
use crate::error::{ApiError, Validator};
use crate::models::{EntityRow, NewTransactionRow, TransactionRow, UnitRow};
use crate::schema::{external_entities, transaction_links, transactions, units};

pub use shared_types::limits::{MAX_NOTE, MAX_REFERENCE, MAX_SUBJECT, MAX_TARGETS, MAX_TEXT};

/// Links name transactions the actor may see; a hidden one answers exactly as a missing one.
fn validate_links(conn: &mut DbConn, actor: &Actor, v: &mut Validator, links: &[NewLink]) -> Result<(), ApiError> {
    for (i, l) in links.iter().enumerate() {
        if !link_target_visible(conn, actor, TransactionId(l.transaction_id))? {
            v.add(format!("links[{i}].transaction_id"), "not_found", format!("no transaction {}", l.transaction_id));
        }
    }
    Ok(())
}

/// Whether the actor may see the transaction a link names: hidden and missing alike are `false` (the caller learns
/// nothing), any other failure (the database) is an error, not a verdict.
fn link_target_visible(conn: &mut DbConn, actor: &Actor, id: TransactionId) -> Result<bool, ApiError> {
    match policy::visible_transaction(conn, actor, id) {
        Ok(_) => Ok(true),
        Err(e) if e.status == actix_web::http::StatusCode::NOT_FOUND => Ok(false),
        Err(e) => Err(e),
    }
}

/// The other end of a link must be one the actor may see.
fn ensure_link_target(conn: &mut DbConn, actor: &Actor, id: TransactionId) -> Result<(), ApiError> {
    if link_target_visible(conn, actor, id)? {
        Ok(())
    } else {
        Err(ApiError::field("links", "not_found", format!("no transaction {id}")))
    }
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
        ensure_link_target(conn, actor, TransactionId(l.transaction_id))?;
        diesel::insert_into(transaction_links::table)
            .values((
                transaction_links::from_transaction_id.eq(t.id),
                transaction_links::to_transaction_id.eq(l.transaction_id),
                transaction_links::kind.eq(AsText(l.kind)),
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

/// A registration checked by [`prepare_create`], ready for [`create_all`].
pub struct Creation<'a> {
    pub actor: &'a Actor,
    pub req: &'a NewTransaction,
    pub prepared: &'a PreparedCreate,
}

/// Register an incoming letter, create an outgoing one, or start an internal draft.
pub fn create(conn: &mut DbConn, actor: &Actor, req: &NewTransaction) -> Result<TransactionWithReferrals, ApiError> {
    let prepared = prepare_create(conn, actor, req)?;
    let mut created = create_all(conn, &[Creation { actor, req, prepared: &prepared }])?;
    created.pop().ok_or_else(|| ApiError::internal("a registration wrote nothing"))
}

/// The reads of [`create`]: validation, the registry that will number it, and the names its answer shows, in
/// three statements at most (units, the entity, named users). Units and users are only ever disabled, never
/// deleted, and foreign keys still hold at write time.
pub fn prepare_create(conn: &mut DbConn, actor: &Actor, req: &NewTransaction) -> Result<PreparedCreate, ApiError> {
    policy::may_register(actor, req.kind)?;
    let mut v = Validator::new();
    v.text("subject", &req.subject, MAX_SUBJECT);
    v.optional_text("summary", req.summary.as_deref(), MAX_TEXT);
    v.optional_text("sender_reference", req.sender_reference.as_deref(), MAX_REFERENCE);
    v.range("attachments_count", req.attachments_count.into(), 0, 10_000);
    if req.confidentiality.level() > actor.clearance().level() {
        v.add("confidentiality", "above_clearance", "cannot exceed your own clearance");
    }
    let entity: Option<EntityRow> = match req.external_entity_id {
        Some(id) => external_entities::table.find(id).select(EntityRow::as_select()).first(conn).optional()?,
        None => None,
    };
    match req.kind {
        TransactionKind::Incoming | TransactionKind::Outgoing => match (req.external_entity_id, &entity) {
            (None, _) => v.add("external_entity_id", "required", "name the sender (incoming) or recipient (outgoing)"),
            (Some(id), None) => v.add("external_entity_id", "not_found", format!("no external entity {id}")),
            (Some(_), Some(e)) if !e.active => v.add("external_entity_id", "disabled", "this entity is disabled"),
            (Some(_), Some(_)) => {}
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
    // One look-up for every unit involved: the targets, and the caller's unit and those above it (its registry).
    let targets = &req.referrals;
    let checkable = count_targets(&mut v, "referrals", targets, false);
    let unit_ids: Vec<i64> =
        path_ids(&actor.unit).into_iter().chain(targets.iter().take(MAX_TARGETS).map(|t| t.unit_id)).collect();
    let units: Vec<UnitRow> =
        units::table.filter(units::id.eq_any(&unit_ids)).select(UnitRow::as_select()).load(conn)?;
    let mut users = Vec::new();
    if checkable {
        users = target_users(conn, targets)?;
        check_targets(&mut v, "referrals", targets, &units, &users, req.confidentiality);
    }
    validate_links(conn, actor, &mut v, &req.links)?;
    v.finish()?;
    let registry = match req.kind {
        TransactionKind::Internal => None,
        _ => Some(registry_among(conn, &actor.unit, &units)?),
    };
    let mut refs = views::Refs::default();
    // The referrals the answer shows carry business time too (zero, but counted like every other).
    refs.set_clock(super::working_calendar::clock(conn)?);
    for unit in units.iter().chain(&registry) {
        refs.add_unit(unit);
    }
    refs.add_unit(&actor.unit);
    for user in users.iter().chain([&actor.user]) {
        refs.add_user(user);
    }
    if let Some(e) = &entity {
        refs.add_entity(e);
    }
    Ok(PreparedCreate { registry, refs })
}

/// Write checked registrations together: each registry's numbers in one step, then every transaction, every
/// referral, every event and every audit entry in one statement each. Answers each registration, in order. A failure
/// of any one fails them all (the caller then writes them one by one to find it).
pub fn create_all(conn: &mut DbConn, items: &[Creation<'_>]) -> Result<Vec<TransactionWithReferrals>, ApiError> {
    let at = now();
    let registries: Vec<Option<&UnitRow>> = items.iter().map(|c| c.prepared.registry.as_ref()).collect();
    let numbers = take_numbers(conn, &registries, at)?;
    let rows: Vec<NewTransactionRow> = items
        .iter()
        .zip(&numbers)
        .map(|(c, number)| {
            let (req, draft) = (c.req, c.req.kind == TransactionKind::Internal);
            NewTransactionRow {
                kind: AsText(req.kind),
                status: AsText(if draft { TransactionStatus::Draft } else { TransactionStatus::Open }),
                registry_unit_id: c.prepared.registry.as_ref().map(|r| r.id),
                hijri_year: number.as_ref().map(|n| n.hijri_year),
                sequence: number.as_ref().map(|n| n.sequence),
                registration_number: number.as_ref().map(|n| n.text.as_str()),
                subject: req.subject.trim(),
                summary: req.summary.as_deref(),
                external_entity_id: req.external_entity_id,
                sender_reference: req.sender_reference.as_deref(),
                sender_reference_date: req.sender_reference_date,
                priority: AsText(req.priority),
                confidentiality: req.confidentiality.into(),
                due_at: req.due_at.map(naive),
                attachments_count: req.attachments_count,
                origin_unit_id: c.actor.unit.id,
                created_by: c.actor.id(),
                created_at: at,
                registered_at: if draft { None } else { Some(at) },
                registered_by: if draft { None } else { Some(c.actor.id()) },
                version: 1,
                updated_at: at,
            }
        })
        .collect();
    let inserted = db::insert_transactions(conn, &rows)?;
    if inserted.len() != items.len() {
        return Err(ApiError::internal("a registration's transaction was not written"));
    }
    let steps: Vec<Opening> = items
        .iter()
        .zip(&inserted)
        .zip(&numbers)
        .map(|((c, t), number)| {
            let lead = match number {
                Some(n) => Lead {
                    kind: EventKind::Registered,
                    referral_id: None,
                    details: json!({"registration_number": n.text, "registry_unit_id": t.registry_unit_id}),
                },
                None => Lead { kind: EventKind::DraftCreated, referral_id: None, details: json!({}) },
            };
            Opening { actor: c.actor, transaction: t, parent: None, targets: &c.req.referrals, lead: Some(lead) }
        })
        .collect();
    let opened = open_all(conn, at, &steps)?;
    let mut answers = Vec::with_capacity(items.len());
    for ((c, t), opened) in items.iter().zip(&inserted).zip(&opened) {
        insert_links(conn, c.actor, t, &c.req.links, at)?;
        answers.push(if c.req.links.is_empty() {
            // Brand new and unlinked: nothing more to read.
            views::assemble_unlinked(t, opened, &c.prepared.refs)?
        } else {
            views::assemble(conn, c.actor, t, opened, &c.prepared.refs)?
        });
    }
    Ok(answers)
}

fn draft_of_actor(conn: &mut DbConn, actor: &Actor, id: TransactionId) -> Result<TransactionRow, ApiError> {
    let t = policy::visible_transaction(conn, actor, id)?;
    policy::may_edit_draft(actor, &t)?;
    Ok(t)
}

/// Edit a draft's header.
pub fn update_draft(
    conn: &mut DbConn,
    actor: &Actor,
    id: TransactionId,
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
            transactions::priority.eq(AsText(req.priority.unwrap_or(t.priority))),
            transactions::confidentiality.eq(AsLevel::from(req.confidentiality.unwrap_or(t.confidentiality))),
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
    id: TransactionId,
    targets: &[ReferralTarget],
) -> Result<TransactionWithReferrals, ApiError> {
    let t = draft_of_actor(conn, actor, id)?;
    let mut v = Validator::new();
    validate_targets(conn, &mut v, "targets", targets, true, t.confidentiality)?;
    v.finish()?;
    let at = now();
    let registry = registry_of(conn, &actor.unit)?;
    let number = take_numbers(conn, &[Some(&registry)], at)?
        .pop()
        .flatten()
        .ok_or_else(|| ApiError::internal("no registration number was taken"))?;
    let sent: TransactionRow = diesel::update(
        transactions::table.find(t.id).filter(transactions::status.eq(AsText(TransactionStatus::Draft))),
    )
    .set((
        transactions::status.eq(AsText(TransactionStatus::Open)),
        transactions::registry_unit_id.eq(registry.id),
        transactions::hijri_year.eq(number.hijri_year),
        transactions::sequence.eq(number.sequence),
        transactions::registration_number.eq(&number.text),
        transactions::registered_at.eq(at),
        transactions::registered_by.eq(actor.id()),
        transactions::version.eq(t.version + 1),
        transactions::updated_at.eq(at),
    ))
    .returning(transactions::all_columns)
    .get_result(conn)
    .optional()?
    .ok_or_else(|| ApiError::conflict(ErrorCode::TransactionNotDraft, "This draft was already sent."))?;
    let lead = Lead {
        kind: EventKind::Registered,
        referral_id: None,
        details: json!({"registration_number": number.text, "registry_unit_id": registry.id}),
    };
    let opened = open_referrals(conn, actor, &sent, None, targets, at, Some(lead))?;
    views::with_referrals(conn, actor, &sent, &opened)
}

/// Link a transaction to another (reply to, related, follow-up).
pub fn link(
    conn: &mut DbConn,
    actor: &Actor,
    id: TransactionId,
    req: &NewLink,
) -> Result<shared_types::Transaction, ApiError> {
    let t = policy::visible_transaction(conn, actor, id)?;
    let open = policy::open_referrals(conn, &t)?;
    policy::may_link(actor, &t, &open)?;
    if req.transaction_id == t.id {
        return Err(ApiError::field("transaction_id", "invalid", "a transaction cannot link to itself"));
    }
    // Whether the other one is visible comes before whether the link exists: a link to a hidden transaction must
    // answer as a link to a missing one.
    ensure_link_target(conn, actor, TransactionId(req.transaction_id))?;
    let exists: Option<i64> = transaction_links::table
        .filter(transaction_links::from_transaction_id.eq(t.id))
        .filter(transaction_links::to_transaction_id.eq(req.transaction_id))
        .filter(transaction_links::kind.eq(AsText(req.kind)))
        .select(transaction_links::id)
        .first(conn)
        .optional()?;
    if exists.is_some() {
        return Err(ApiError::conflict(ErrorCode::AlreadyExists, "This link already exists."));
    }
    insert_links(conn, actor, &t, std::slice::from_ref(req), now())?;
    views::transaction(conn, actor, &t)
}
