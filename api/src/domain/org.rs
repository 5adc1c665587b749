//! The organisation: the unit tree, user accounts and roles, and the directory of external entities.

use diesel::prelude::*;
use shared_types::{
    AuditAction, ErrorCode, ExternalEntity, NewExternalEntity, NewUnit, NewUser, Role, Unit, UnitUpdate, User,
    UserUpdate,
};

use super::actor::{Actor, roles_of};
use super::audit::{self, Object, Who};
use super::{now, policy, views};
use crate::auth;
use crate::columns::{AsLevel, AsText};
use crate::db::DbConn;
use crate::error::{ApiError, Validator};
use crate::models::{EntityRow, NewUnitRow, NewUserRow, UnitRow, UserRow};
use crate::schema::{external_entities, units, user_roles, users};
use crate::text;

pub const MIN_PASSWORD: usize = 10;

/// Audit an administrative change, with the request as its details (a password only as `password_changed`).
fn audit_change(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    action: AuditAction,
    object: Object,
    req: &impl serde::Serialize,
) -> Result<(), ApiError> {
    let who = actor.map(Who::of).unwrap_or_default();
    let mut details = serde_json::to_value(req).map_err(ApiError::internal)?;
    if let Some(fields) = details.as_object_mut()
        && let Some(password) = fields.remove("password")
    {
        fields.insert("password_changed".into(), serde_json::Value::Bool(!password.is_null()));
    }
    audit::record(conn, &who, action, object, details)
}

diesel::define_sql_function! {
    /// Lower-case text, in both backends, for case-insensitive search.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// A `LIKE` pattern (with `ESCAPE '\'`) matching the text anywhere, lower-cased: the caller's `%`, `_` and `\` are
/// literal characters, and control characters are dropped (PostgreSQL refuses a NUL in text).
/// What the people picker searches for a user: username and both names, folded.
pub fn user_search_name(username: &str, full_name_ar: &str, full_name_en: &str) -> String {
    text::fold(&format!("{username} {full_name_ar} {full_name_en}"))
}

/// What the entity picker searches for an external entity: code and both names, folded.
pub fn entity_search_name(code: &str, name_ar: &str, name_en: &str) -> String {
    text::fold(&format!("{code} {name_ar} {name_en}"))
}

/// Give the users and entities that have no search name yet (rows from before there was one) theirs. Run at start,
/// after the migrations: a no-op once every row has one.
pub fn fill_search_names(conn: &mut DbConn) -> Result<usize, ApiError> {
    let people: Vec<(i64, String, String, String)> = users::table
        .filter(users::search_name.eq(""))
        .select((users::id, users::username, users::full_name_ar, users::full_name_en))
        .load(conn)?;
    let entities: Vec<(i64, String, String, String)> = external_entities::table
        .filter(external_entities::search_name.eq(""))
        .select((
            external_entities::id,
            external_entities::code,
            external_entities::name_ar,
            external_entities::name_en,
        ))
        .load(conn)?;
    if people.is_empty() && entities.is_empty() {
        return Ok(0);
    }
    crate::db::write_tx(conn, |conn| {
        for (id, username, ar, en) in &people {
            diesel::update(users::table.find(id))
                .set(users::search_name.eq(user_search_name(username, ar, en)))
                .execute(conn)?;
        }
        for (id, code, ar, en) in &entities {
            diesel::update(external_entities::table.find(id))
                .set(external_entities::search_name.eq(entity_search_name(code, ar, en)))
                .execute(conn)?;
        }
        Ok::<_, ApiError>(people.len() + entities.len())
    })
}

/// `search_name LIKE` patterns for a picker's query: one per folded word, each a literal substring (the
/// wildcards `%` and `_` and the escape `\` stand for themselves).
fn word_patterns(q: &str) -> Vec<String> {
    text::fold(q).split(' ').filter(|w| w.chars().any(|c| !c.is_control())).take(8).map(contains_pattern).collect()
}

fn contains_pattern(q: &str) -> String {
    let mut pattern = String::from("%");
    for c in q.to_lowercase().chars().filter(|c| !c.is_control()) {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

fn validate_code(v: &mut Validator, field: &str, code: &str) {
    let ok =
        !code.is_empty() && code.len() <= 32 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        v.add(field, "invalid", "1 to 32 letters A–Z, digits, '-' or '_'");
    }
}

fn unit_row(conn: &mut DbConn, id: i64) -> Result<UnitRow, ApiError> {
    units::table
        .find(id)
        .select(UnitRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(ErrorCode::UnitNotFound, format!("No unit {id}.")))
}

fn user_row(conn: &mut DbConn, id: i64) -> Result<UserRow, ApiError> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(ErrorCode::UserNotFound, format!("No user {id}.")))
}

/// The ids of a unit and, with `subtree`, of every unit under it (to any depth); none for a unit that does not
/// exist, so a filter by it finds nothing.
pub fn unit_scope(conn: &mut DbConn, unit: i64, subtree: bool) -> Result<Vec<i64>, ApiError> {
    let all: Vec<(i64, String)> = units::table.select((units::id, units::path)).load(conn)?;
    let Some(path) = all.iter().find(|(id, _)| *id == unit).map(|(_, p)| p.clone()) else {
        return Ok(Vec::new());
    };
    Ok(if subtree {
        all.into_iter().filter(|(_, p)| p.starts_with(&path)).map(|(id, _)| id).collect()
    } else {
        vec![unit]
    })
}

pub fn list_units(conn: &mut DbConn) -> Result<Vec<Unit>, ApiError> {
    let rows: Vec<UnitRow> = units::table.order(units::path).select(UnitRow::as_select()).load(conn)?;
    rows.iter().map(views::unit).collect()
}

pub fn get_unit(conn: &mut DbConn, id: i64) -> Result<Unit, ApiError> {
    views::unit(&unit_row(conn, id)?)
}

/// Create a unit under a parent (or a root, for the central registry of a new deployment).
pub fn create_unit(conn: &mut DbConn, actor: Option<&Actor>, req: &NewUnit) -> Result<Unit, ApiError> {
    if let Some(a) = actor {
        policy::ensure_admin(a)?;
    }
    let mut v = Validator::new();
    validate_code(&mut v, "code", &req.code);
    v.text("name_ar", &req.name_ar, 200);
    v.text("name_en", &req.name_en, 200);
    if let Some(rc) = &req.registry_code {
        validate_code(&mut v, "registry_code", rc);
    }
    let parent = match req.parent_id {
        Some(pid) => {
            let p = units::table.find(pid).select(UnitRow::as_select()).first(conn).optional()?;
            if p.is_none() {
                v.add("parent_id", "not_found", format!("no unit {pid}"));
            }
            p
        }
        None => None,
    };
    if let Some(head) = req.head_user_id
        && users::table.find(head).select(users::id).first::<i64>(conn).optional()?.is_none()
    {
        v.add("head_user_id", "not_found", format!("no user {head}"));
    }
    v.finish()?;
    let at = now();
    let row: UnitRow = diesel::insert_into(units::table)
        .values(NewUnitRow {
            code: &req.code,
            name_ar: req.name_ar.trim(),
            name_en: req.name_en.trim(),
            kind: AsText(req.kind),
            parent_id: req.parent_id,
            head_user_id: req.head_user_id,
            registry_code: req.registry_code.as_deref(),
            path: "",
            active: true,
            created_at: at,
            updated_at: at,
        })
        .returning(units::all_columns)
        .get_result(conn)?;
    let path = format!("{}{}/", parent.as_ref().map(|p| p.path.as_str()).unwrap_or("/"), row.id);
    let row: UnitRow = diesel::update(units::table.find(row.id))
        .set(units::path.eq(&path))
        .returning(units::all_columns)
        .get_result(conn)?;
    audit_change(conn, actor, AuditAction::UnitCreated, Object::Unit(row.id), req)?;
    views::unit(&row)
}

/// Rename, move (with the whole subtree), change head, disable or enable a unit.
pub fn update_unit(conn: &mut DbConn, actor: &Actor, id: i64, req: &UnitUpdate) -> Result<Unit, ApiError> {
    policy::ensure_admin(actor)?;
    let unit = unit_row(conn, id)?;
    let mut v = Validator::new();
    if let Some(n) = &req.name_ar {
        v.text("name_ar", n, 200);
    }
    if let Some(n) = &req.name_en {
        v.text("name_en", n, 200);
    }
    if let Some(head) = req.head_user_id
        && users::table.find(head).select(users::id).first::<i64>(conn).optional()?.is_none()
    {
        v.add("head_user_id", "not_found", format!("no user {head}"));
    }
    let new_parent = match req.parent_id {
        Some(pid) if Some(pid) != unit.parent_id => {
            match units::table.find(pid).select(UnitRow::as_select()).first(conn).optional()? {
                None => {
                    v.add("parent_id", "not_found", format!("no unit {pid}"));
                    None
                }
                Some(p) => Some(p),
            }
        }
        _ => None,
    };
    v.finish()?;
    if let Some(p) = &new_parent
        && p.path.starts_with(&unit.path)
    {
        return Err(ApiError::conflict(
            ErrorCode::UnitCycle,
            "A unit cannot be moved under itself or its own subtree.",
        ));
    }
    let at = now();
    diesel::update(units::table.find(id))
        .set((
            units::name_ar.eq(req.name_ar.as_deref().map(str::trim).unwrap_or(&unit.name_ar)),
            units::name_en.eq(req.name_en.as_deref().map(str::trim).unwrap_or(&unit.name_en)),
            units::head_user_id.eq(req.head_user_id.or(unit.head_user_id)),
            units::active.eq(req.active.unwrap_or(unit.active)),
            units::updated_at.eq(at),
        ))
        .execute(conn)?;
    if let Some(p) = new_parent {
        let new_path = format!("{}{}/", p.path, unit.id);
        let subtree: Vec<(i64, String)> = units::table
            .filter(units::path.like(format!("{}%", unit.path)))
            .select((units::id, units::path))
            .load(conn)?;
        for (uid, path) in subtree {
            let moved = format!("{}{}", new_path, &path[unit.path.len()..]);
            diesel::update(units::table.find(uid)).set(units::path.eq(moved)).execute(conn)?;
        }
        diesel::update(units::table.find(id)).set(units::parent_id.eq(p.id)).execute(conn)?;
    }
    audit_change(conn, Some(actor), AuditAction::UnitUpdated, Object::Unit(id), req)?;
    get_unit(conn, id)
}

fn user_view(conn: &mut DbConn, row: &UserRow) -> Result<User, ApiError> {
    let roles = roles_of(conn, row.id)?;
    views::user(row, roles)
}

/// Users, optionally of one unit and/or matching a name or username.
pub fn list_users(conn: &mut DbConn, unit_id: Option<i64>, q: Option<&str>) -> Result<Vec<User>, ApiError> {
    let mut query = users::table.into_boxed();
    if let Some(u) = unit_id {
        query = query.filter(users::unit_id.eq(u));
    }
    // Every word of the query, folded, somewhere in the user's folded names: وزاره finds وزارة.
    for pattern in word_patterns(q.unwrap_or_default()) {
        query = query.filter(users::search_name.like(pattern).escape('\\'));
    }
    let rows: Vec<UserRow> = query.order(users::id).limit(500).select(UserRow::as_select()).load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|u| u.id).collect();
    let role_rows: Vec<(i64, String)> = user_roles::table
        .filter(user_roles::user_id.eq_any(&ids))
        .select((user_roles::user_id, user_roles::role))
        .load(conn)?;
    rows.iter()
        .map(|u| {
            let mut roles = role_rows
                .iter()
                .filter(|(id, _)| *id == u.id)
                .map(|(_, r)| super::parse::<Role>(r))
                .collect::<Result<Vec<_>, _>>()?;
            roles.sort();
            views::user(u, roles)
        })
        .collect()
}

pub fn get_user(conn: &mut DbConn, id: i64) -> Result<User, ApiError> {
    let row = user_row(conn, id)?;
    user_view(conn, &row)
}

/// The password policy, after NIST SP 800-63B: long enough, no composition rules, but not guessable — not containing
/// the account's own names, and scoring at least 3 of 4 on zxcvbn's guessability estimate (dictionary words,
/// keyboard patterns, repeats, dates). Accounts seeded from the command line only need the length.
fn validate_password(v: &mut Validator, field: &str, password: &str, names: &[&str], strength: bool) {
    if password.chars().count() < MIN_PASSWORD {
        v.add(field, "too_short", format!("must be at least {MIN_PASSWORD} characters"));
        return;
    }
    if password.len() > 256 {
        v.add(field, "too_long", "must be at most 256 bytes");
        return;
    }
    if !strength {
        return;
    }
    let folded = password.to_lowercase();
    if names.iter().map(|n| n.trim().to_lowercase()).any(|n| n.chars().count() >= 3 && folded.contains(&n)) {
        v.add(field, "contains_name", "must not contain the username");
        return;
    }
    let estimate = zxcvbn::zxcvbn(password, names);
    if estimate.score() < zxcvbn::Score::Three {
        let hint = estimate
            .feedback()
            .and_then(|f| f.warning())
            .map_or_else(|| "too easy to guess".to_string(), |w| w.to_string());
        v.add(field, "too_weak", format!("{hint}; use a longer phrase of several unrelated words"));
    }
}

fn set_roles(conn: &mut DbConn, user_id: i64, roles: &[Role]) -> Result<(), ApiError> {
    diesel::delete(user_roles::table.filter(user_roles::user_id.eq(user_id))).execute(conn)?;
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    for role in roles {
        diesel::insert_into(user_roles::table)
            .values((user_roles::user_id.eq(user_id), user_roles::role.eq(role.as_str())))
            .execute(conn)?;
    }
    Ok(())
}

/// Create a user account. `actor` is `None` only for seeding.
pub fn create_user(conn: &mut DbConn, actor: Option<&Actor>, req: &NewUser) -> Result<User, ApiError> {
    if let Some(a) = actor {
        policy::ensure_admin(a)?;
    }
    let mut v = Validator::new();
    let username = req.username.trim().to_lowercase();
    let username_ok = (3..=64).contains(&username.len())
        && username.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !username_ok {
        v.add("username", "invalid", "3 to 64 letters a–z, digits, '.', '-' or '_'");
    }
    v.text("full_name_ar", &req.full_name_ar, 200);
    v.text("full_name_en", &req.full_name_en, 200);
    validate_password(
        &mut v,
        "password",
        &req.password,
        &[&username, &req.full_name_ar, &req.full_name_en],
        actor.is_some(),
    );
    if req.roles.is_empty() {
        v.add("roles", "required", "give at least one role");
    }
    v.optional_text("phone", req.phone.as_deref(), 32);
    v.optional_text("email", req.email.as_deref(), 254);
    match units::table.find(req.unit_id).select(units::active).first::<bool>(conn).optional()? {
        None => v.add("unit_id", "not_found", format!("no unit {}", req.unit_id)),
        Some(false) => v.add("unit_id", "disabled", "this unit is disabled"),
        Some(true) => {}
    }
    v.finish()?;
    if users::table.filter(users::username.eq(&username)).select(users::id).first::<i64>(conn).optional()?.is_some() {
        return Err(ApiError::conflict(ErrorCode::AlreadyExists, format!("The username `{username}` is taken.")));
    }
    let hash = auth::hash_password(&req.password)?;
    let at = now();
    let row: UserRow = diesel::insert_into(users::table)
        .values(NewUserRow {
            username: &username,
            password_hash: &hash,
            full_name_ar: req.full_name_ar.trim(),
            full_name_en: req.full_name_en.trim(),
            unit_id: req.unit_id,
            clearance: req.clearance.into(),
            phone: req.phone.as_deref(),
            email: req.email.as_deref(),
            active: true,
            created_at: at,
            updated_at: at,
            search_name: &user_search_name(&username, req.full_name_ar.trim(), req.full_name_en.trim()),
        })
        .returning(users::all_columns)
        .get_result(conn)?;
    set_roles(conn, row.id, &req.roles)?;
    audit_change(conn, actor, AuditAction::UserCreated, Object::User(row.id), req)?;
    user_view(conn, &row)
}

/// Edit, move, re-role, disable or enable a user; disabling also ends their sessions.
pub fn update_user(conn: &mut DbConn, actor: &Actor, id: i64, req: &UserUpdate) -> Result<User, ApiError> {
    policy::ensure_admin(actor)?;
    let user = user_row(conn, id)?;
    let mut v = Validator::new();
    if let Some(n) = &req.full_name_ar {
        v.text("full_name_ar", n, 200);
    }
    if let Some(n) = &req.full_name_en {
        v.text("full_name_en", n, 200);
    }
    if let Some(p) = &req.password {
        validate_password(&mut v, "password", p, &[&user.username, &user.full_name_ar, &user.full_name_en], true);
    }
    if req.roles.as_ref().is_some_and(|r| r.is_empty()) {
        v.add("roles", "required", "give at least one role");
    }
    if let Some(unit) = req.unit_id {
        match units::table.find(unit).select(units::active).first::<bool>(conn).optional()? {
            None => v.add("unit_id", "not_found", format!("no unit {unit}")),
            Some(false) => v.add("unit_id", "disabled", "this unit is disabled"),
            Some(true) => {}
        }
    }
    v.optional_text("phone", req.phone.as_deref(), 32);
    v.optional_text("email", req.email.as_deref(), 254);
    v.finish()?;
    if id == actor.id() && req.active == Some(false) {
        return Err(ApiError::conflict(ErrorCode::Forbidden, "You cannot disable your own account."));
    }
    let hash = req.password.as_deref().map(auth::hash_password).transpose()?;
    let at = now();
    let full_name_ar = req.full_name_ar.as_deref().map(str::trim).unwrap_or(&user.full_name_ar);
    let full_name_en = req.full_name_en.as_deref().map(str::trim).unwrap_or(&user.full_name_en);
    diesel::update(users::table.find(id))
        .set((
            users::full_name_ar.eq(full_name_ar),
            users::full_name_en.eq(full_name_en),
            users::search_name.eq(user_search_name(&user.username, full_name_ar, full_name_en)),
            users::unit_id.eq(req.unit_id.unwrap_or(user.unit_id)),
            users::clearance.eq(AsLevel::from(req.clearance.unwrap_or(user.clearance))),
            users::phone.eq(req.phone.as_deref().or(user.phone.as_deref())),
            users::email.eq(req.email.as_deref().or(user.email.as_deref())),
            users::active.eq(req.active.unwrap_or(user.active)),
            users::password_hash.eq(hash.as_deref().unwrap_or(&user.password_hash)),
            users::updated_at.eq(at),
        ))
        .execute(conn)?;
    if let Some(roles) = &req.roles {
        set_roles(conn, id, roles)?;
    }
    if req.active == Some(false) || hash.is_some() {
        super::accounts::revoke_all(conn, id)?;
    }
    audit_change(conn, Some(actor), AuditAction::UserUpdated, Object::User(id), req)?;
    get_user(conn, id)
}

pub fn list_entities(conn: &mut DbConn, q: Option<&str>) -> Result<Vec<ExternalEntity>, ApiError> {
    let mut query = external_entities::table.into_boxed();
    for pattern in word_patterns(q.unwrap_or_default()) {
        query = query.filter(external_entities::search_name.like(pattern).escape('\\'));
    }
    let rows: Vec<EntityRow> =
        query.order(external_entities::id).limit(500).select(EntityRow::as_select()).load(conn)?;
    rows.iter().map(views::entity).collect()
}

/// Add an external entity to the directory (admins and registry clerks).
pub fn create_entity(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    req: &NewExternalEntity,
) -> Result<ExternalEntity, ApiError> {
    if let Some(a) = actor
        && !(a.is_admin() || a.has(Role::RegistryClerk))
    {
        return Err(ApiError::forbidden("Only administrators and registry clerks can add external entities."));
    }
    let mut v = Validator::new();
    validate_code(&mut v, "code", &req.code);
    v.text("name_ar", &req.name_ar, 200);
    v.text("name_en", &req.name_en, 200);
    v.finish()?;
    if external_entities::table
        .filter(external_entities::code.eq(&req.code))
        .select(external_entities::id)
        .first::<i64>(conn)
        .optional()?
        .is_some()
    {
        return Err(ApiError::conflict(ErrorCode::AlreadyExists, format!("The code `{}` is taken.", req.code)));
    }
    let row: EntityRow = diesel::insert_into(external_entities::table)
        .values((
            external_entities::code.eq(&req.code),
            external_entities::name_ar.eq(req.name_ar.trim()),
            external_entities::name_en.eq(req.name_en.trim()),
            external_entities::kind.eq(AsText(req.kind)),
            external_entities::active.eq(true),
            external_entities::created_at.eq(now()),
            external_entities::search_name.eq(entity_search_name(&req.code, req.name_ar.trim(), req.name_en.trim())),
        ))
        .returning(external_entities::all_columns)
        .get_result(conn)?;
    audit_change(conn, actor, AuditAction::EntityCreated, Object::Entity(row.id), req)?;
    views::entity(&row)
}
