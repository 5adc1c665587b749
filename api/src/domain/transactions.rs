//! Registering and numbering transactions, drafts, links, and opening referrals.
//!
//! Registration is written in groups: [`create_all`] writes any number of checked registrations in one database
//! transaction, each kind of row in one statement, with each registry's numbers taken in one step. The registrar
//! (`crate::registrar`) feeds it whatever arrived together; a single registration is a group of one.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;
use shared_types::{
    DraftUpdate, ErrorCode, EventKind, NewLink, NewTransaction, Purpose, ReferralTarget, TransactionKind,
    TransactionWithReferrals, UnitKind,
};

use super::actor::Actor;
use super::{naive, now, policy, utc, views};
use crate::calendar;
use crate::db::{self, DbConn};
use crate::error::{ApiError, Validator};
use crate::models::{
    EntityRow, NewEventRow, NewReferralRow, NewTransactionRow, ReferralRow, TransactionRow, UnitRow, UserRow,
};
use crate::schema::{external_entities, transaction_links, transactions, units, users};

pub use shared_types::limits::{MAX_NOTE, MAX_REFERENCE, MAX_SUBJECT, MAX_TARGETS, MAX_TEXT};

/// Timeline events to append together, each with who recorded it: every timeline write goes through here, and
/// writes each event's audit log entry with it.
#[derive(Default)]
pub struct Events<'a> {
    rows: Vec<NewEventRow<'static>>,
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
            kind: kind.as_str(),
            actor_user_id: by.id(),
            actor_unit_id: by.unit.id,
            on_behalf_of_user_id: by.on_behalf_of,
            at,
            details: details.to_string(),
        });
        self.by.push(by);
    }

    /// Append the events and their audit entries: one statement each.
    pub fn write(self, conn: &mut DbConn) -> Result<(), ApiError> {
        db::insert_events(conn, &self.rows)?;
        super::audit::events(conn, &self.by, &self.rows)
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

/// The registry that numbers what a unit registers: the nearest unit at or above it that runs one, else the
/// central registry.
pub fn registry_of(conn: &mut DbConn, unit: &UnitRow) -> Result<UnitRow, ApiError> {
    let chain: Vec<UnitRow> = units::table
        .filter(units::id.eq_any(path_ids(unit)))
        .filter(units::registry_code.is_not_null())
        .select(UnitRow::as_select())
        .load(conn)?;
    registry_among(conn, unit, &chain)
}

/// The registry that numbers what `unit` registers, found among `units` (which hold at least every unit on its path
/// that runs a registry), else the central registry.
fn registry_among(conn: &mut DbConn, unit: &UnitRow, units: &[UnitRow]) -> Result<UnitRow, ApiError> {
    match nearest_registry(unit, units) {
        Some(registry) => Ok(registry.clone()),
        None => central_registry(conn, unit),
    }
}

/// The ids of a unit and every unit above it.
fn path_ids(unit: &UnitRow) -> Vec<i64> {
    unit.path.split('/').filter_map(|p| p.parse().ok()).collect()
}

/// Of the units given, the deepest on `unit`'s path that runs a registry.
fn nearest_registry<'u>(unit: &UnitRow, units: &'u [UnitRow]) -> Option<&'u UnitRow> {
    let path = path_ids(unit);
    units.iter().filter(|u| u.registry_code.is_some() && path.contains(&u.id)).max_by_key(|u| u.path.len())
}

/// Units with no registry of their own above them register through the central registry.
fn central_registry(conn: &mut DbConn, unit: &UnitRow) -> Result<UnitRow, ApiError> {
    units::table
        .filter(units::kind.eq(UnitKind::CentralRegistry.as_str()))
        .order(units::id)
        .select(UnitRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::internal(format!("unit {} has no registry and there is no central registry", unit.id)))
}

/// A registration number taken from a registry's counter.
pub struct Number {
    pub hijri_year: i32,
    pub sequence: i64,
    pub text: String,
}

/// The next numbers of the registries for the current Hijri year: one per entry, in order (`None` for an entry
/// with no registry). Each registry's counter is bumped once, by its count, in registry order, so that concurrent
/// writers lock counters in the same order. The counter row stays locked until commit and rolls back with it:
/// numbers are unique and gapless.
pub fn take_numbers(
    conn: &mut DbConn,
    registries: &[Option<&UnitRow>],
    at: NaiveDateTime,
) -> Result<Vec<Option<Number>>, ApiError> {
    let year = calendar::hijri_year_at(utc(at));
    let mut counts: BTreeMap<i64, i64> = BTreeMap::new();
    for registry in registries.iter().flatten() {
        *counts.entry(registry.id).or_default() += 1;
    }
    let mut next: HashMap<i64, i64> = HashMap::with_capacity(counts.len());
    for (&registry, &count) in &counts {
        let last = db::take_sequences(conn, registry, year, count)?;
        next.insert(registry, last - count + 1);
    }
    Ok(registries
        .iter()
        .map(|registry| {
            let registry = (*registry)?;
            let sequence = next.get_mut(&registry.id)?;
            let taken = *sequence;
            *sequence += 1;
            let prefix = if registry.kind == UnitKind::CentralRegistry.as_str() {
                None
            } else {
                registry.registry_code.as_deref()
            };
            Some(Number {
                hijri_year: year,
                sequence: taken,
                text: calendar::format_registration_number(prefix, year, taken),
            })
        })
        .collect())
}

/// Check referral targets: units and users exist, are active, and each user belongs to the named unit and is
/// cleared for the transaction. `units` holds the rows of the target units (more may be there).
fn check_targets(
    v: &mut Validator,
    field: &str,
    targets: &[ReferralTarget],
    units: &[UnitRow],
    users: &[UserRow],
    confidentiality: i32,
) {
    for (i, t) in targets.iter().enumerate() {
        let f = |name: &str| format!("{field}[{i}].{name}");
        match units.iter().find(|u| u.id == t.unit_id) {
            None => v.add(f("unit_id"), "not_found", format!("no unit {}", t.unit_id)),
            Some(u) if !u.active => v.add(f("unit_id"), "disabled", "this unit is disabled"),
            Some(_) => {}
        }
        if let Some(user_id) = t.user_id {
            match users.iter().find(|u| u.id == user_id) {
                None => v.add(f("user_id"), "not_found", format!("no user {user_id}")),
                Some(u) if !u.active => v.add(f("user_id"), "disabled", "this user is disabled"),
                Some(u) if u.unit_id != t.unit_id => {
                    v.add(f("user_id"), "invalid", "this user does not belong to the named unit")
                }
                Some(u) if u.clearance < confidentiality => {
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
}

/// The users referral targets name.
fn target_users(conn: &mut DbConn, targets: &[ReferralTarget]) -> Result<Vec<UserRow>, ApiError> {
    let ids: Vec<i64> = targets.iter().filter_map(|t| t.user_id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(users::table.filter(users::id.eq_any(&ids)).select(UserRow::as_select()).load(conn)?)
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
    if !count_targets(v, field, targets, required) {
        return Ok(());
    }
    let unit_ids: Vec<i64> = targets.iter().map(|t| t.unit_id).collect();
    let units: Vec<UnitRow> =
        units::table.filter(units::id.eq_any(&unit_ids)).select(UnitRow::as_select()).load(conn)?;
    let users = target_users(conn, targets)?;
    check_targets(v, field, targets, &units, &users, confidentiality);
    Ok(())
}

/// Check how many targets there are; false when too many to look at further.
fn count_targets(v: &mut Validator, field: &str, targets: &[ReferralTarget], required: bool) -> bool {
    if required && targets.is_empty() {
        v.add(field, "required", "name at least one unit or user to refer to");
    }
    if targets.len() > MAX_TARGETS {
        v.add(field, "too_many", format!("at most {MAX_TARGETS} referrals at once"));
        return false;
    }
    true
}

/// The event of the step that opens referrals (registered, forwarded, returned), written ahead of their `referred`
/// events in the same statements.
pub struct Lead {
    pub kind: EventKind,
    pub referral_id: Option<i64>,
    pub details: serde_json::Value,
}

/// The referrals one step opens on a transaction: from the actor to each target, after the step's own event.
pub struct Opening<'a> {
    pub actor: &'a Actor,
    pub transaction: &'a TransactionRow,
    pub parent: Option<&'a ReferralRow>,
    pub targets: &'a [ReferralTarget],
    pub lead: Option<Lead>,
}

/// Open the referrals of several steps at once, each with a `referred` event after its step's lead event: one
/// statement for every referral, one for every event, one for their audit entries. Answers each step's referrals.
pub fn open_all(
    conn: &mut DbConn,
    at: NaiveDateTime,
    steps: &[Opening<'_>],
) -> Result<Vec<Vec<ReferralRow>>, ApiError> {
    let rows: Vec<NewReferralRow> = steps
        .iter()
        .flat_map(|step| {
            step.targets.iter().map(move |target| NewReferralRow {
                transaction_id: step.transaction.id,
                parent_referral_id: step.parent.map(|p| p.id),
                from_unit_id: step.actor.unit.id,
                from_user_id: step.actor.id(),
                to_unit_id: target.unit_id,
                to_user_id: target.user_id,
                purpose: target.purpose.as_str(),
                instructions: target.instructions.as_deref().filter(|s| !s.trim().is_empty()),
                due_at: target.due_at.map(naive).or(step.transaction.due_at),
                status: "sent",
                sent_at: at,
                version: 1,
            })
        })
        .collect();
    let mut inserted = db::insert_referrals(conn, &rows)?.into_iter();
    let opened: Vec<Vec<ReferralRow>> =
        steps.iter().map(|step| inserted.by_ref().take(step.targets.len()).collect()).collect();
    let mut events = Events::default();
    for (step, rows) in steps.iter().zip(&opened) {
        if let Some(lead) = &step.lead {
            events.push(step.actor, step.transaction.id, lead.referral_id, lead.kind, at, &lead.details);
        }
        for row in rows {
            let details = json!({
                "to_unit_id": row.to_unit_id,
                "to_user_id": row.to_user_id,
                "purpose": row.purpose,
                "instructions": row.instructions,
                "parent_referral_id": row.parent_referral_id,
            });
            events.push(step.actor, step.transaction.id, Some(row.id), EventKind::Referred, at, &details);
        }
    }
    events.write(conn)?;
    Ok(opened)
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
    let step = Opening { actor, transaction: t, parent, targets, lead };
    Ok(open_all(conn, at, std::slice::from_ref(&step))?.pop().unwrap_or_default())
}

/// Links name transactions the actor may see; a hidden one answers exactly as a missing one.
fn validate_links(conn: &mut DbConn, actor: &Actor, v: &mut Validator, links: &[NewLink]) -> Result<(), ApiError> {
    for (i, l) in links.iter().enumerate() {
        if !link_target_visible(conn, actor, l.transaction_id)? {
            v.add(format!("links[{i}].transaction_id"), "not_found", format!("no transaction {}", l.transaction_id));
        }
    }
    Ok(())
}

/// Whether the actor may see the transaction a link names: hidden and missing alike are `false` (the caller learns
/// nothing), any other failure (the database) is an error, not a verdict.
fn link_target_visible(conn: &mut DbConn, actor: &Actor, id: i64) -> Result<bool, ApiError> {
    match policy::visible_transaction(conn, actor, id) {
        Ok(_) => Ok(true),
        Err(e) if e.status == actix_web::http::StatusCode::NOT_FOUND => Ok(false),
        Err(e) => Err(e),
    }
}

/// The other end of a link must be one the actor may see.
fn ensure_link_target(conn: &mut DbConn, actor: &Actor, id: i64) -> Result<(), ApiError> {
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
        ensure_link_target(conn, actor, l.transaction_id)?;
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
        check_targets(&mut v, "referrals", targets, &units, &users, req.confidentiality.level());
    }
    validate_links(conn, actor, &mut v, &req.links)?;
    v.finish()?;
    let registry = match req.kind {
        TransactionKind::Internal => None,
        _ => Some(registry_among(conn, &actor.unit, &units)?),
    };
    let mut refs = views::Refs::default();
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
                kind: req.kind.as_str(),
                status: if draft { "draft" } else { "open" },
                registry_unit_id: c.prepared.registry.as_ref().map(|r| r.id),
                hijri_year: number.as_ref().map(|n| n.hijri_year),
                sequence: number.as_ref().map(|n| n.sequence),
                registration_number: number.as_ref().map(|n| n.text.as_str()),
                subject: req.subject.trim(),
                summary: req.summary.as_deref(),
                external_entity_id: req.external_entity_id,
                sender_reference: req.sender_reference.as_deref(),
                sender_reference_date: req.sender_reference_date,
                priority: req.priority.as_str(),
                confidentiality: req.confidentiality.level(),
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

fn draft_of_actor(conn: &mut DbConn, actor: &Actor, id: i64) -> Result<TransactionRow, ApiError> {
    let t = policy::visible_transaction(conn, actor, id)?;
    policy::may_edit_draft(actor, &t)?;
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
    let number = take_numbers(conn, &[Some(&registry)], at)?
        .pop()
        .flatten()
        .ok_or_else(|| ApiError::internal("no registration number was taken"))?;
    let sent: TransactionRow = diesel::update(transactions::table.find(t.id).filter(transactions::status.eq("draft")))
        .set((
            transactions::status.eq("open"),
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
pub fn link(conn: &mut DbConn, actor: &Actor, id: i64, req: &NewLink) -> Result<shared_types::Transaction, ApiError> {
    let t = policy::visible_transaction(conn, actor, id)?;
    let open = policy::open_referrals(conn, &t)?;
    policy::may_link(actor, &t, &open)?;
    if req.transaction_id == t.id {
        return Err(ApiError::field("transaction_id", "invalid", "a transaction cannot link to itself"));
    }
    // Whether the other one is visible comes before whether the link exists: a link to a hidden transaction must
    // answer as a link to a missing one.
    ensure_link_target(conn, actor, req.transaction_id)?;
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
