//! Turning rows into the shared types clients see, with the names of the units, users and entities they refer to
//! loaded in one batch per kind.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared_types::{
    EntityRef, ExternalEntity, Referral, Transaction, TransactionLink, TransactionStatus, TransactionSummary, Unit,
    UnitRef, User, UserRef,
};

use super::actor::Actor;
use super::utc;
use crate::calendar;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::models::{EntityRow, LinkRow, ReferralRow, TransactionRow, UnitRow, UserRow};
use crate::schema::{external_entities, transaction_links, transactions, units, users};

/// Names of the units, users and entities a set of records refers to.
#[derive(Debug, Default)]
pub struct Refs {
    units: HashMap<i64, UnitRef>,
    users: HashMap<i64, UserRef>,
    entities: HashMap<i64, EntityRef>,
    /// The working calendar's clock, for the business time of referrals' dwell (loaded with referrals).
    clock: Option<std::sync::Arc<crate::working_time::BusinessClock>>,
}

impl Refs {
    /// Count referrals' dwell in business time by this clock.
    pub fn set_clock(&mut self, clock: std::sync::Arc<crate::working_time::BusinessClock>) {
        self.clock = Some(clock);
    }

    pub fn load(
        conn: &mut DbConn,
        unit_ids: impl IntoIterator<Item = i64>,
        user_ids: impl IntoIterator<Item = i64>,
        entity_ids: impl IntoIterator<Item = i64>,
    ) -> Result<Refs, ApiError> {
        let mut unit_ids: Vec<i64> = unit_ids.into_iter().collect();
        let mut user_ids: Vec<i64> = user_ids.into_iter().collect();
        let mut entity_ids: Vec<i64> = entity_ids.into_iter().collect();
        for ids in [&mut unit_ids, &mut user_ids, &mut entity_ids] {
            ids.sort_unstable();
            ids.dedup();
        }
        let mut refs = Refs::default();
        if !unit_ids.is_empty() {
            let rows: Vec<(i64, String, String, String)> = units::table
                .filter(units::id.eq_any(&unit_ids))
                .select((units::id, units::code, units::name_ar, units::name_en))
                .load(conn)?;
            refs.units = rows
                .into_iter()
                .map(|(id, code, name_ar, name_en)| (id, UnitRef { id, code, name_ar, name_en }))
                .collect();
        }
        if !user_ids.is_empty() {
            let rows: Vec<(i64, String, String, String)> = users::table
                .filter(users::id.eq_any(&user_ids))
                .select((users::id, users::username, users::full_name_ar, users::full_name_en))
                .load(conn)?;
            refs.users = rows
                .into_iter()
                .map(|(id, username, full_name_ar, full_name_en)| {
                    (id, UserRef { id, username, full_name_ar, full_name_en })
                })
                .collect();
        }
        if !entity_ids.is_empty() {
            let rows: Vec<(i64, String, String, String)> = external_entities::table
                .filter(external_entities::id.eq_any(&entity_ids))
                .select((
                    external_entities::id,
                    external_entities::code,
                    external_entities::name_ar,
                    external_entities::name_en,
                ))
                .load(conn)?;
            refs.entities = rows
                .into_iter()
                .map(|(id, code, name_ar, name_en)| (id, EntityRef { id, code, name_ar, name_en }))
                .collect();
        }
        Ok(refs)
    }

    pub fn add_unit(&mut self, u: &UnitRow) {
        let unit = UnitRef { id: u.id, code: u.code.clone(), name_ar: u.name_ar.clone(), name_en: u.name_en.clone() };
        self.units.insert(u.id, unit);
    }

    pub fn add_user(&mut self, u: &UserRow) {
        let user = UserRef {
            id: u.id,
            username: u.username.clone(),
            full_name_ar: u.full_name_ar.clone(),
            full_name_en: u.full_name_en.clone(),
        };
        self.users.insert(u.id, user);
    }

    pub fn add_entity(&mut self, e: &EntityRow) {
        let entity =
            EntityRef { id: e.id, code: e.code.clone(), name_ar: e.name_ar.clone(), name_en: e.name_en.clone() };
        self.entities.insert(e.id, entity);
    }

    /// Refs for a set of referrals.
    pub fn for_referrals(conn: &mut DbConn, rows: &[ReferralRow]) -> Result<Refs, ApiError> {
        let mut refs = Refs::load(
            conn,
            rows.iter().flat_map(|r| [r.from_unit_id, r.to_unit_id]),
            rows.iter().flat_map(|r| {
                [Some(r.from_user_id), r.to_user_id, r.received_by, r.completed_by].into_iter().flatten()
            }),
            [],
        )?;
        if !rows.is_empty() {
            refs.set_clock(super::working_calendar::clock(conn)?);
        }
        Ok(refs)
    }

    /// The unit, if it was loaded (it exists).
    pub fn known_unit(&self, id: i64) -> Option<UnitRef> {
        self.units.get(&id).cloned()
    }

    pub fn unit(&self, id: i64) -> UnitRef {
        self.units.get(&id).cloned().unwrap_or_else(|| UnitRef {
            id,
            code: String::new(),
            name_ar: String::new(),
            name_en: String::new(),
        })
    }

    pub fn user(&self, id: i64) -> UserRef {
        self.users.get(&id).cloned().unwrap_or_else(|| UserRef {
            id,
            username: String::new(),
            full_name_ar: String::new(),
            full_name_en: String::new(),
        })
    }

    pub fn entity(&self, id: i64) -> EntityRef {
        self.entities.get(&id).cloned().unwrap_or_else(|| EntityRef {
            id,
            code: String::new(),
            name_ar: String::new(),
            name_en: String::new(),
        })
    }
}

pub fn referral(r: &ReferralRow, refs: &Refs, now: NaiveDateTime) -> Result<Referral, ApiError> {
    let open = r.is_open();
    Ok(Referral {
        id: r.id,
        transaction_id: r.transaction_id,
        parent_referral_id: r.parent_referral_id,
        from_unit: refs.unit(r.from_unit_id),
        from_user: refs.user(r.from_user_id),
        to_unit: refs.unit(r.to_unit_id),
        to_user: r.to_user_id.map(|id| refs.user(id)),
        purpose: r.purpose,
        instructions: r.instructions.clone(),
        due_at: r.due_at.map(utc),
        status: r.status,
        outcome: r.outcome,
        action_note: r.action_note.clone(),
        sent_at: utc(r.sent_at),
        received_at: r.received_at.map(utc),
        received_by: r.received_by.map(|id| refs.user(id)),
        completed_at: r.completed_at.map(utc),
        completed_by: r.completed_by.map(|id| refs.user(id)),
        overdue: open && r.due_at.is_some_and(|d| d < now),
        dwell: super::tracking::dwell_of(r, now, refs.clock.as_deref()),
        version: r.version,
    })
}

pub fn referrals(conn: &mut DbConn, rows: &[ReferralRow]) -> Result<Vec<Referral>, ApiError> {
    let refs = Refs::for_referrals(conn, rows)?;
    let now = super::now();
    rows.iter().map(|r| referral(r, &refs, now)).collect()
}

fn transaction_overdue(t: &TransactionRow, now: NaiveDateTime) -> bool {
    t.status == TransactionStatus::Open && t.due_at.is_some_and(|d| d < now)
}

pub fn summary(t: &TransactionRow) -> Result<TransactionSummary, ApiError> {
    Ok(TransactionSummary {
        id: t.id,
        kind: t.kind,
        status: t.status,
        registration_number: t.registration_number.clone(),
        subject: t.subject.clone(),
        priority: t.priority,
        confidentiality: t.confidentiality,
        due_at: t.due_at.map(utc),
    })
}

fn header_refs(t: &TransactionRow) -> (Vec<i64>, Vec<i64>) {
    ([t.origin_unit_id].into_iter().chain(t.registry_unit_id).collect(), vec![t.created_by])
}

/// The full header of a transaction, with the links the actor may see.
pub fn transaction(conn: &mut DbConn, actor: &Actor, t: &TransactionRow) -> Result<Transaction, ApiError> {
    let (unit_ids, user_ids) = header_refs(t);
    let refs = Refs::load(conn, unit_ids, user_ids, t.external_entity_id)?;
    header(conn, actor, t, &refs)
}

/// A transaction with referrals just opened on it, their names loaded in one batch.
pub fn with_referrals(
    conn: &mut DbConn,
    actor: &Actor,
    t: &TransactionRow,
    rows: &[ReferralRow],
) -> Result<shared_types::TransactionWithReferrals, ApiError> {
    let refs = refs_for(conn, t, rows)?;
    assemble(conn, actor, t, rows, &refs)
}

/// The names a transaction and its referrals refer to.
pub fn refs_for(conn: &mut DbConn, t: &TransactionRow, rows: &[ReferralRow]) -> Result<Refs, ApiError> {
    let (mut unit_ids, mut user_ids) = header_refs(t);
    for r in rows {
        unit_ids.extend([r.from_unit_id, r.to_unit_id]);
        user_ids.extend([Some(r.from_user_id), r.to_user_id, r.received_by, r.completed_by].into_iter().flatten());
    }
    let mut refs = Refs::load(conn, unit_ids, user_ids, t.external_entity_id)?;
    if !rows.is_empty() {
        refs.set_clock(super::working_calendar::clock(conn)?);
    }
    Ok(refs)
}

/// A transaction with referrals, with names loaded beforehand by [`refs_for`].
pub fn assemble(
    conn: &mut DbConn,
    actor: &Actor,
    t: &TransactionRow,
    rows: &[ReferralRow],
    refs: &Refs,
) -> Result<shared_types::TransactionWithReferrals, ApiError> {
    with_referrals_of(header(conn, actor, t, refs)?, rows, refs)
}

/// Like [`assemble`], for a transaction known to have no links (one just created without any): no reads.
pub fn assemble_unlinked(
    t: &TransactionRow,
    rows: &[ReferralRow],
    refs: &Refs,
) -> Result<shared_types::TransactionWithReferrals, ApiError> {
    with_referrals_of(header_with(t, refs, Vec::new(), super::now())?, rows, refs)
}

fn with_referrals_of(
    transaction: Transaction,
    rows: &[ReferralRow],
    refs: &Refs,
) -> Result<shared_types::TransactionWithReferrals, ApiError> {
    let now = super::now();
    let referrals = rows.iter().map(|r| referral(r, refs, now)).collect::<Result<_, _>>()?;
    Ok(shared_types::TransactionWithReferrals { transaction, referrals })
}

fn header(conn: &mut DbConn, actor: &Actor, t: &TransactionRow, refs: &Refs) -> Result<Transaction, ApiError> {
    let links: Vec<LinkRow> = transaction_links::table
        .filter(transaction_links::from_transaction_id.eq(t.id).or(transaction_links::to_transaction_id.eq(t.id)))
        .order(transaction_links::id)
        .select(LinkRow::as_select())
        .load(conn)?;
    let other_ids: Vec<i64> = links
        .iter()
        .map(|l| if l.from_transaction_id == t.id { l.to_transaction_id } else { l.from_transaction_id })
        .collect();
    let other_rows: Vec<TransactionRow> = if other_ids.is_empty() {
        Vec::new()
    } else {
        transactions::table
            .filter(transactions::id.eq_any(&other_ids))
            .select(TransactionRow::as_select())
            .load(conn)?
    };
    // A link names the other transaction; show only those the actor may see.
    let mut others: HashMap<i64, (Option<String>, String)> = HashMap::new();
    for o in other_rows {
        if super::policy::can_view(conn, actor, &o)? {
            others.insert(o.id, (o.registration_number, o.subject));
        }
    }
    let mut link_views = Vec::with_capacity(links.len());
    for l in &links {
        let outbound = l.from_transaction_id == t.id;
        let other = if outbound { l.to_transaction_id } else { l.from_transaction_id };
        let Some((number, subject)) = others.get(&other).cloned() else { continue };
        link_views.push(TransactionLink {
            kind: l.kind,
            transaction_id: other,
            registration_number: number,
            subject,
            direction: if outbound { "outbound" } else { "inbound" }.into(),
        });
    }
    header_with(t, refs, link_views, super::now())
}

/// The header of a transaction with the links to show.
fn header_with(
    t: &TransactionRow,
    refs: &Refs,
    links: Vec<TransactionLink>,
    now: NaiveDateTime,
) -> Result<Transaction, ApiError> {
    Ok(Transaction {
        id: t.id,
        kind: t.kind,
        status: t.status,
        registration_number: t.registration_number.clone(),
        registry: t.registry_unit_id.map(|id| refs.unit(id)),
        hijri_year: t.hijri_year,
        subject: t.subject.clone(),
        summary: t.summary.clone(),
        external_entity: t.external_entity_id.map(|id| refs.entity(id)),
        sender_reference: t.sender_reference.clone(),
        sender_reference_date: t.sender_reference_date,
        priority: t.priority,
        confidentiality: t.confidentiality,
        due_at: t.due_at.map(utc),
        overdue: transaction_overdue(t, now),
        attachments_count: t.attachments_count,
        origin_unit: refs.unit(t.origin_unit_id),
        created_by: refs.user(t.created_by),
        created_at: utc(t.created_at),
        registered_at: t.registered_at.map(utc),
        registered_on: t.registered_at.map(|at| calendar::dual_date(utc(at))),
        closed_at: t.closed_at.map(utc),
        resolution: t.resolution.clone(),
        archived_at: t.archived_at.map(utc),
        links,
        version: t.version,
    })
}

pub fn unit(u: &UnitRow) -> Result<Unit, ApiError> {
    Ok(Unit {
        id: u.id,
        code: u.code.clone(),
        name_ar: u.name_ar.clone(),
        name_en: u.name_en.clone(),
        kind: u.kind,
        parent_id: u.parent_id,
        head_user_id: u.head_user_id,
        registry_code: u.registry_code.clone(),
        active: u.active,
    })
}

pub fn user(u: &UserRow, roles: Vec<shared_types::Role>) -> Result<User, ApiError> {
    Ok(User {
        id: u.id,
        username: u.username.clone(),
        full_name_ar: u.full_name_ar.clone(),
        full_name_en: u.full_name_en.clone(),
        unit_id: u.unit_id,
        roles,
        clearance: u.clearance,
        phone: u.phone.clone(),
        email: u.email.clone(),
        active: u.active,
    })
}

pub fn entity(e: &EntityRow) -> Result<ExternalEntity, ApiError> {
    Ok(ExternalEntity {
        id: e.id,
        code: e.code.clone(),
        name_ar: e.name_ar.clone(),
        name_en: e.name_en.clone(),
        kind: e.kind,
        active: e.active,
    })
}
