//! External agencies as API clients: registered by an administrator (client id and secret, the secret stored as its
//! SHA-256 and shown once), rotated and revoked; the OAuth2 client-credentials grant issues them scoped tokens
//! whose audience staff endpoints refuse.

use diesel::prelude::*;
use serde_json::json;
use shared_types::{
    ApiClient, ApiClientCredentials, ApiScope, AuditAction, ClientTokenResponse, ErrorCode, NewApiClient,
};

use super::actor::Actor;
use super::audit::{self, Object, Who};
use super::views::Refs;
use super::{now, policy, utc};
use crate::auth::{self, AuthClient, JwtKeys};
use crate::columns::AsLevel;
use crate::db::DbConn;
use crate::error::{ApiError, Validator};
use crate::models::ApiClientRow;
use crate::schema::{api_clients, external_entities};

fn invalid_client() -> ApiError {
    ApiError::unauthorized(ErrorCode::InvalidClient, "The client id or secret is wrong, or the client was revoked.")
}

fn not_found(id: i64) -> ApiError {
    ApiError::not_found(ErrorCode::ApiClientNotFound, format!("No API client {id}."))
}

fn scopes_of(row: &ApiClientRow) -> Vec<ApiScope> {
    row.scopes.split_whitespace().filter_map(|s| s.parse().ok()).collect()
}

fn views(conn: &mut DbConn, rows: &[ApiClientRow]) -> Result<Vec<ApiClient>, ApiError> {
    let refs = Refs::load(conn, [], [], rows.iter().map(|r| r.external_entity_id))?;
    rows.iter()
        .map(|r| -> Result<ApiClient, ApiError> {
            Ok(ApiClient {
                id: r.id,
                client_id: r.client_id.clone(),
                name: r.name.clone(),
                external_entity: refs.entity(r.external_entity_id),
                scopes: scopes_of(r),
                created_at: utc(r.created_at),
                secret_rotated_at: utc(r.secret_rotated_at),
                revoked_at: r.revoked_at.map(utc),
                clearance: r.clearance,
            })
        })
        .collect()
}

fn credentials(conn: &mut DbConn, row: &ApiClientRow, secret: String) -> Result<ApiClientCredentials, ApiError> {
    let client = views(conn, std::slice::from_ref(row))?.remove(0);
    Ok(ApiClientCredentials { client, client_secret: secret })
}

fn row(conn: &mut DbConn, id: i64) -> Result<ApiClientRow, ApiError> {
    api_clients::table.find(id).select(ApiClientRow::as_select()).first(conn).optional()?.ok_or_else(|| not_found(id))
}

/// Register an agency as an API client (administrators).
pub fn create(conn: &mut DbConn, actor: &Actor, req: &NewApiClient) -> Result<ApiClientCredentials, ApiError> {
    policy::ensure_admin(actor)?;
    let mut v = Validator::new();
    v.text("name", &req.name, 200);
    match external_entities::table
        .find(req.external_entity_id)
        .select(external_entities::active)
        .first::<bool>(conn)
        .optional()?
    {
        None => v.add("external_entity_id", "not_found", format!("no external entity {}", req.external_entity_id)),
        Some(false) => v.add("external_entity_id", "disabled", "this entity is disabled"),
        Some(true) => {}
    }
    if req.scopes.is_empty() {
        v.add("scopes", "required", "grant at least one scope");
    }
    let clearance = req.clearance.unwrap_or(shared_types::Confidentiality::Normal);
    if clearance > actor.clearance() {
        v.add("clearance", "above_clearance", "cannot exceed your own clearance");
    }
    v.finish()?;
    let mut scopes: Vec<&str> = req.scopes.iter().map(|s| s.as_str()).collect();
    scopes.sort_unstable();
    scopes.dedup();
    let secret = auth::random_token();
    let at = now();
    let row: ApiClientRow = diesel::insert_into(api_clients::table)
        .values((
            api_clients::client_id.eq(format!("agency-{}", &auth::random_token()[..16])),
            api_clients::secret_hash.eq(auth::token_digest(&secret)),
            api_clients::name.eq(req.name.trim()),
            api_clients::external_entity_id.eq(req.external_entity_id),
            api_clients::scopes.eq(scopes.join(" ")),
            api_clients::created_by.eq(actor.id()),
            api_clients::created_at.eq(at),
            api_clients::secret_rotated_at.eq(at),
            api_clients::clearance.eq(AsLevel::from(clearance)),
        ))
        .returning(api_clients::all_columns)
        .get_result(conn)?;
    let details = json!({"client_id": row.client_id, "name": row.name, "external_entity_id": row.external_entity_id,
                         "scopes": row.scopes, "clearance": row.clearance.level()});
    audit::record(conn, &Who::of(actor), AuditAction::ApiClientCreated, Object::ApiClient(row.id), details)?;
    credentials(conn, &row, secret)
}

/// Every API client (administrators).
pub fn list(conn: &mut DbConn, actor: &Actor) -> Result<Vec<ApiClient>, ApiError> {
    policy::ensure_admin(actor)?;
    let rows: Vec<ApiClientRow> =
        api_clients::table.order(api_clients::id).select(ApiClientRow::as_select()).load(conn)?;
    views(conn, &rows)
}

/// Give a client a new secret; the old one stops working at once (its tokens lapse within their lifetime).
pub fn rotate(conn: &mut DbConn, actor: &Actor, id: i64) -> Result<ApiClientCredentials, ApiError> {
    policy::ensure_admin(actor)?;
    let current = row(conn, id)?;
    if current.revoked_at.is_some() {
        return Err(ApiError::conflict(ErrorCode::InvalidClient, "This client is revoked; register a new one."));
    }
    let secret = auth::random_token();
    let updated: ApiClientRow = diesel::update(api_clients::table.find(id))
        .set((api_clients::secret_hash.eq(auth::token_digest(&secret)), api_clients::secret_rotated_at.eq(now())))
        .returning(api_clients::all_columns)
        .get_result(conn)?;
    audit::record(
        conn,
        &Who::of(actor),
        AuditAction::ApiClientSecretRotated,
        Object::ApiClient(id),
        json!({"client_id": updated.client_id}),
    )?;
    credentials(conn, &updated, secret)
}

/// Revoke a client: no new tokens, and its tokens stop working at once.
pub fn revoke(conn: &mut DbConn, actor: &Actor, id: i64) -> Result<(), ApiError> {
    policy::ensure_admin(actor)?;
    let current = row(conn, id)?;
    if current.revoked_at.is_some() {
        return Ok(());
    }
    diesel::update(api_clients::table.find(id)).set(api_clients::revoked_at.eq(now())).execute(conn)?;
    audit::record(
        conn,
        &Who::of(actor),
        AuditAction::ApiClientRevoked,
        Object::ApiClient(id),
        json!({"client_id": current.client_id}),
    )
}

/// A token issued by [`token`], to be recorded by [`record_token`].
pub struct Issued {
    client: i64,
    origin: Option<String>,
    scope: String,
}

/// The client-credentials grant: check the client's id and secret and issue a token for the scopes asked (all of
/// the client's when none are). Reads only: a refused request writes nothing (and takes no write lock); the caller
/// records an issued token with [`record_token`] in a write transaction before answering it.
pub fn token(
    conn: &mut DbConn,
    keys: &JwtKeys,
    client_id: &str,
    secret: &str,
    scope: Option<&str>,
    origin: Option<String>,
) -> Result<(ClientTokenResponse, Issued), ApiError> {
    let row: ApiClientRow = api_clients::table
        .filter(api_clients::client_id.eq(client_id))
        .select(ApiClientRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(invalid_client)?;
    // Both are SHA-256 digests of a 32-byte random secret: comparing them reveals nothing usable about the secret.
    if row.revoked_at.is_some() || row.secret_hash != auth::token_digest(secret) {
        return Err(invalid_client());
    }
    let allowed = scopes_of(&row);
    let granted: Vec<ApiScope> = match scope.map(str::split_whitespace) {
        None => allowed.clone(),
        Some(asked) => {
            let mut granted = Vec::new();
            for name in asked {
                match name.parse::<ApiScope>() {
                    Ok(s) if allowed.contains(&s) => granted.push(s),
                    _ => {
                        return Err(ApiError::bad_request(
                            ErrorCode::InvalidScope,
                            format!("This client may not ask for the scope `{name}`."),
                        ));
                    }
                }
            }
            granted
        }
    };
    let scope = granted.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ");
    let access_token = keys.issue_client(row.id, &scope, now().and_utc().timestamp())?;
    let issued = Issued { client: row.id, origin, scope: scope.clone() };
    Ok((
        ClientTokenResponse { access_token, token_type: "Bearer".into(), expires_in: keys.access_ttl_seconds, scope },
        issued,
    ))
}

/// Audit an issued token, with the client as actor.
pub fn record_token(conn: &mut DbConn, issued: Issued) -> Result<(), ApiError> {
    let who = Who { client_id: Some(issued.client), origin: issued.origin, ..Who::default() };
    let details = json!({"scope": issued.scope});
    audit::record(conn, &who, AuditAction::ClientTokenIssued, Object::ApiClient(issued.client), details)
}

/// The client behind a token, refused when it was revoked since (a rotated secret leaves issued tokens to lapse).
pub fn active_row(conn: &mut DbConn, who: &AuthClient) -> Result<ApiClientRow, ApiError> {
    let row = row(conn, who.client_id).map_err(|_| invalid_client())?;
    if row.revoked_at.is_some() {
        return Err(invalid_client());
    }
    Ok(row)
}

/// The client behind a token, as it sees itself.
pub fn current(conn: &mut DbConn, who: &AuthClient) -> Result<ApiClient, ApiError> {
    let row = active_row(conn, who)?;
    Ok(views(conn, std::slice::from_ref(&row))?.remove(0))
}
