//! The caller as the domain sees them: their account, roles, unit, and the units they manage.

use diesel::prelude::*;
use shared_types::{Confidentiality, ErrorCode, Role, UserRef};

use crate::db::DbConn;
use crate::error::ApiError;
use crate::models::{UnitRow, UserRow};
use crate::schema::{units, user_roles, users};

#[derive(Debug, Clone)]
pub struct Actor {
    pub user: UserRow,
    pub roles: Vec<Role>,
    pub unit: UnitRow,
    /// Ids of every unit the actor heads, with their subtrees.
    pub managed_unit_ids: Vec<i64>,
    /// The client's address, for the audit log.
    pub origin: Option<String>,
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
        Confidentiality::from_level(self.user.clearance).unwrap_or(Confidentiality::Normal)
    }

    /// Whether the actor, a manager, heads this unit or one above it.
    pub fn manages(&self, unit_id: i64) -> bool {
        self.managed_unit_ids.contains(&unit_id)
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

/// Load the caller. A token of a deleted or disabled account stops working at once.
pub fn load_actor(conn: &mut DbConn, user_id: i64) -> Result<Actor, ApiError> {
    let (user, unit): (UserRow, UnitRow) = users::table
        .inner_join(units::table)
        .filter(users::id.eq(user_id))
        .select((UserRow::as_select(), UnitRow::as_select()))
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::unauthorized(ErrorCode::InvalidToken, "The account of this token does not exist."))?;
    if !user.active {
        return Err(ApiError::unauthorized(ErrorCode::AccountDisabled, "This account is disabled."));
    }
    let roles = roles_of(conn, user.id)?;
    // Heading a unit gives its subtree to a manager; most callers are not managers and skip the look-up.
    let managed_unit_ids = if roles.contains(&Role::Manager) {
        let headed: Vec<UnitRow> = units::table
            .filter(units::head_user_id.eq(user.id))
            .filter(units::active.eq(true))
            .select(UnitRow::as_select())
            .load(conn)?;
        subtree_ids(conn, &headed)?
    } else {
        Vec::new()
    };
    Ok(Actor { user, roles, unit, managed_unit_ids, origin: None })
}
