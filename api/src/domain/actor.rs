//! The caller as the domain sees them: their account, roles, unit, and the units they manage.

use diesel::dsl::exists;
use diesel::prelude::*;
use shared_types::{Confidentiality, ErrorCode, Role, UserRef};

use crate::db::DbConn;
use crate::error::ApiError;
use crate::models::{UnitRow, UserRow};
use crate::schema::{delegations, refresh_tokens, units, user_roles, users};

#[derive(Debug, Clone)]
pub struct Actor {
    pub user: UserRow,
    pub roles: Vec<Role>,
    pub unit: UnitRow,
    /// Ids of every unit the actor heads, with their subtrees.
    pub managed_unit_ids: Vec<i64>,
    /// The client's address, for the audit log.
    pub origin: Option<String>,
    /// Managers whose authority is delegated to the actor now.
    pub delegators: Vec<Delegator>,
    /// Set while the actor acts on a delegator's authority: events and audit entries name them.
    pub on_behalf_of: Option<i64>,
}

/// A manager who delegated to the actor, with what their authority covers.
#[derive(Debug, Clone)]
pub struct Delegator {
    pub user_id: i64,
    pub unit_id: i64,
    /// Every unit the manager heads, with their subtrees.
    pub managed_unit_ids: Vec<i64>,
}

impl Actor {
    pub fn id(&self) -> i64 {
        self.user.id
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn is_admin(&self) -> bool {
        self.has(Role::Admin)
    }

    pub fn clearance(&self) -> Confidentiality {
        self.user.clearance
    }

    /// Whether the actor heads this unit or one above it, themselves or by delegation.
    pub fn manages(&self, unit_id: i64) -> bool {
        self.managed_unit_ids.contains(&unit_id)
            || self.delegators.iter().any(|d| d.managed_unit_ids.contains(&unit_id))
    }

    /// Whether the actor heads this unit or one above it, themselves.
    pub fn manages_own(&self, unit_id: i64) -> bool {
        self.managed_unit_ids.contains(&unit_id)
    }

    /// The actor acting on `delegator`'s authority.
    pub fn on_behalf_of(&self, delegator: i64) -> Actor {
        Actor { on_behalf_of: Some(delegator), ..self.clone() }
    }

    /// Users whose personal referrals the actor may see and act on: themselves and their delegators.
    pub fn user_ids(&self) -> Vec<i64> {
        std::iter::once(self.id()).chain(self.delegators.iter().map(|d| d.user_id)).collect()
    }

    /// Units whose queues the actor works: their own and their delegators'.
    pub fn queue_unit_ids(&self) -> Vec<i64> {
        std::iter::once(self.unit.id).chain(self.delegators.iter().map(|d| d.unit_id)).collect()
    }

    /// Units the actor heads, themselves or by delegation, with their subtrees.
    pub fn all_managed_unit_ids(&self) -> Vec<i64> {
        let mut ids = self.managed_unit_ids.clone();
        ids.extend(self.delegators.iter().flat_map(|d| d.managed_unit_ids.iter().copied()));
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    pub fn user_ref(&self) -> UserRef {
        UserRef {
            id: self.user.id,
            username: self.user.username.clone(),
            full_name_ar: self.user.full_name_ar.clone(),
            full_name_en: self.user.full_name_en.clone(),
        }
    }
}

pub fn roles_of(conn: &mut DbConn, user_id: i64) -> Result<Vec<Role>, ApiError> {
    let names: Vec<String> =
        user_roles::table.filter(user_roles::user_id.eq(user_id)).select(user_roles::role).load(conn)?;
    let mut roles = names.iter().map(|r| super::parse::<Role>(r)).collect::<Result<Vec<_>, _>>()?;
    roles.sort();
    Ok(roles)
}

/// Ids of the given units and everything below them.
pub fn subtree_ids(conn: &mut DbConn, roots: &[UnitRow]) -> Result<Vec<i64>, ApiError> {
    let mut ids = Vec::new();
    for root in roots {
        let mut below: Vec<i64> =
            units::table.filter(units::path.like(format!("{}%", root.path))).select(units::id).load(conn)?;
        ids.append(&mut below);
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Load a user as the actor of work the server does itself (seeding).
pub fn load_actor(conn: &mut DbConn, user_id: i64) -> Result<Actor, ApiError> {
    load(conn, user_id, None)
}

/// Load the caller of a request, signed in to `session`. A token of a deleted or disabled account, or of a session
/// that has ended, stops working at once.
pub fn load_caller(conn: &mut DbConn, user_id: i64, session: &str) -> Result<Actor, ApiError> {
    load(conn, user_id, Some(session))
}

/// Every request does this, so the account, its unit, its roles (a row each), whether its session is live and
/// whether a delegation is in force for it come in one statement; the rarer look-ups (the units a manager heads,
/// the delegators) follow only when they apply.
fn load(conn: &mut DbConn, user_id: i64, session: Option<&str>) -> Result<Actor, ApiError> {
    let at = super::now();
    let live = refresh_tokens::table
        .filter(refresh_tokens::family_id.eq(session.unwrap_or_default()))
        .filter(refresh_tokens::user_id.eq(user_id))
        .filter(refresh_tokens::revoked_at.is_null())
        .filter(refresh_tokens::expires_at.gt(at));
    let delegated = delegations::table
        .filter(delegations::deputy_user_id.eq(user_id))
        .filter(delegations::ends_at.gt(at))
        .filter(delegations::starts_at.le(at))
        .filter(delegations::revoked_at.is_null());
    let rows: Vec<(UserRow, UnitRow, Option<String>, bool, bool)> = users::table
        .inner_join(units::table)
        .left_join(user_roles::table)
        .filter(users::id.eq(user_id))
        .select((
            UserRow::as_select(),
            UnitRow::as_select(),
            user_roles::role.nullable(),
            exists(delegated),
            exists(live),
        ))
        .load(conn)?;
    let mut roles = rows
        .iter()
        .filter_map(|(_, _, role, _, _)| role.as_deref())
        .map(super::parse::<Role>)
        .collect::<Result<Vec<_>, _>>()?;
    roles.sort();
    let Some((user, unit, _, deputy, session_live)) = rows.into_iter().next() else {
        return Err(ApiError::unauthorized(ErrorCode::InvalidToken, "The account of this token does not exist."));
    };
    if !user.active {
        return Err(ApiError::unauthorized(ErrorCode::AccountDisabled, "This account is disabled."));
    }
    if session.is_some() && !session_live {
        return Err(ApiError::unauthorized(ErrorCode::InvalidToken, "This session has ended; sign in again."));
    }
    // Heading a unit gives its subtree to a manager; most callers are not managers and skip the look-up.
    let managed_unit_ids = if roles.contains(&Role::Manager) { managed_by(conn, user.id)? } else { Vec::new() };
    let delegators = if deputy { delegators_of(conn, user.id, at)? } else { Vec::new() };
    Ok(Actor { user, roles, unit, managed_unit_ids, origin: None, delegators, on_behalf_of: None })
}

/// Every unit the user heads, with their subtrees.
fn managed_by(conn: &mut DbConn, user_id: i64) -> Result<Vec<i64>, ApiError> {
    let headed: Vec<UnitRow> = units::table
        .filter(units::head_user_id.eq(user_id))
        .filter(units::active.eq(true))
        .select(UnitRow::as_select())
        .load(conn)?;
    subtree_ids(conn, &headed)
}

/// The active managers who delegated to the user now (a delegation ends by itself at `ends_at`).
fn delegators_of(conn: &mut DbConn, user_id: i64, at: chrono::NaiveDateTime) -> Result<Vec<Delegator>, ApiError> {
    let rows: Vec<(i64, i64, bool)> = delegations::table
        .inner_join(users::table.on(users::id.eq(delegations::delegator_user_id)))
        .filter(delegations::deputy_user_id.eq(user_id))
        .filter(delegations::ends_at.gt(at))
        .filter(delegations::starts_at.le(at))
        .filter(delegations::revoked_at.is_null())
        .select((users::id, users::unit_id, users::active))
        .load(conn)?;
    let mut delegators = Vec::new();
    for (delegator, unit_id, active) in rows {
        if active {
            delegators.push(Delegator { user_id: delegator, unit_id, managed_unit_ids: managed_by(conn, delegator)? });
        }
    }
    Ok(delegators)
}
