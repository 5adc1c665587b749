//! HTTP routes, one module per resource. Each is registered through `utoipa_actix_web`, so no route exists
//! without its OpenAPI entry. Handlers extract, call the domain, and answer with shared types.

pub mod allowed;
pub mod audit;
pub mod auth;
pub mod body;
pub mod calendar;
pub mod clients;
pub mod delegations;
pub mod documents;
pub mod examples;
pub mod health;
pub mod inbox;
pub mod org;
pub mod referrals;
pub mod reports;
pub mod search;
pub mod submissions;
pub mod transactions;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, Responder, web};
use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::config::Settings;
use crate::db::{self, DbConn, DbPool};
use crate::domain::actor::{Actor, load_caller};
use crate::domain::idempotency::{self, Key, Stored};
use crate::error::ApiError;

/// Everything under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.configure(auth::configure)
        .configure(org::configure)
        .configure(transactions::configure)
        .configure(referrals::configure)
        .configure(inbox::configure)
        .configure(search::configure)
        .configure(reports::configure)
        .configure(documents::configure)
        .configure(audit::configure)
        .configure(delegations::configure)
        .configure(calendar::configure)
        .configure(clients::configure)
        .configure(submissions::configure);
}

pub type Pool = web::Data<DbPool>;

/// A page of a list: its size and where it starts.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1–200 (default 50).
    #[serde(default, deserialize_with = "crate::routes::page_limit")]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
/// The `Idempotency-Key` header, as each operation that honours it declares it (the handler reads it through
/// [`idempotency_key`]; this type only describes it).
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKey {
    /// Repeat-safe: the same key with the same request answers the first answer again without doing anything twice;
    /// the same key with another request is refused (422 `idempotency_key_reused`). 1 to 255 printable ASCII
    /// characters, for example a UUID.
    #[param(
        rename = "Idempotency-Key",
        required = false,
        min_length = 1,
        max_length = 255,
        pattern = "^[!-~]+$",
        example = "5f1c2d9e-8a43-4c1b-9a77-2f1e6b0d3c55"
    )]
    pub key: String,
}

/// A page's `limit`, refused outside 1–200 (400 `invalid_parameter`) rather than silently clamped: the document
/// states the bounds, and the server holds to them.
pub fn page_limit<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    use serde::Deserialize;
    use serde::de::Error;
    let max = shared_types::MAX_PAGE_SIZE;
    match Option::<u32>::deserialize(d)? {
        Some(n) if !(1..=max).contains(&n) => Err(D::Error::custom(format!("`limit` must be from 1 to {max}"))),
        limit => Ok(limit),
    }
}

pub type Config = web::Data<Settings>;
pub type Limits = web::Data<crate::rate_limit::RateLimits>;
pub type Registrar = web::Data<crate::registrar::Registrar>;

/// Run database work as the caller (loaded, and refused when disabled) on the blocking pool.
pub async fn as_caller<T, F>(pool: &Pool, who: AuthUser, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConn, &Actor) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    db::run(pool, move |conn| {
        let actor = caller(conn, who)?;
        f(conn, &actor)
    })
    .await
}

/// Load the caller (refused when disabled), with the address they call from.
pub fn caller(conn: &mut DbConn, who: AuthUser) -> Result<Actor, ApiError> {
    let mut actor = load_caller(conn, who.user_id, &who.session)?;
    actor.origin = who.origin.map(|ip| ip.to_string());
    Ok(actor)
}

/// Run a read as the caller in one read-only snapshot (the domain function writes nothing), so that what one answer
/// puts together from several statements — a page and its total, a report's tallies and its live figures — is of
/// one moment.
pub async fn read<T, F>(pool: &Pool, who: AuthUser, f: F) -> Result<web::Json<T>, ApiError>
where
    F: FnOnce(&mut DbConn, &Actor) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    snapshot(pool, who, f).await.map(web::Json)
}

/// [`read`] without the JSON wrapping, for answers that are shaped further (exports, headers).
pub async fn snapshot<T, F>(pool: &Pool, who: AuthUser, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConn, &Actor) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    as_caller(pool, who, move |conn, actor| db::read_tx(conn, |conn| f(conn, actor))).await
}

/// Run a change as the caller in one write transaction: the route helpers alone open database transactions, and the
/// domain writes inside the one it is given. Also for reads that leave an audit entry (downloads).
pub async fn change<T, F>(pool: &Pool, who: AuthUser, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConn, &Actor) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    as_caller(pool, who, move |conn, actor| db::write_tx(conn, |conn| f(conn, actor))).await
}

/// Run a change as the caller in one write transaction, honouring `Idempotency-Key` when sent. Answers the stored
/// answer of type `T`, the operation's declared body.
pub async fn write<T, B, F>(
    pool: &Pool,
    who: AuthUser,
    req: &HttpRequest,
    body: &B,
    status: StatusCode,
    f: F,
) -> Result<Stored<T>, ApiError>
where
    B: Serialize,
    F: FnOnce(&mut DbConn, &Actor) -> Result<T, ApiError> + Send + 'static,
    T: Serialize + Send + 'static,
{
    let key = idempotency_key(req, body)?;
    db::run(pool, move |conn| {
        let actor = caller(conn, who)?;
        idempotency::execute(conn, actor.id(), key.as_ref(), status.as_u16(), |conn| f(conn, &actor))
    })
    .await
}

/// A stored or fresh answer is sent as it was stored: its status and its JSON.
impl<T> Responder for Stored<T> {
    type Body = actix_web::body::BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        HttpResponse::build(StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK))
            .content_type("application/json")
            .body(self.body)
    }
}

/// The request's `Idempotency-Key`, with a fingerprint of the request, when one is sent.
pub fn idempotency_key(req: &HttpRequest, body: &impl Serialize) -> Result<Option<Key>, ApiError> {
    match req.headers().get("Idempotency-Key") {
        None => Ok(None),
        Some(value) => {
            let value = value.to_str().map_err(|_| {
                ApiError::bad_request(
                    shared_types::ErrorCode::InvalidParameter,
                    "`Idempotency-Key` must be printable ASCII.",
                )
            })?;
            Key::new(value, req.method().as_str(), req.path(), body).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    /// The type in `Stored<…>` or `web::Json<…>` of a handler's `Result<…, ApiError>`.
    fn answered_type(signature: &str) -> Option<String> {
        let after = signature.split("-> Result<").nth(1)?;
        for wrapper in ["Stored<", "web::Json<"] {
            if let Some(inner) = after.strip_prefix(wrapper) {
                // Up to the `>` that closes the wrapper.
                let mut depth = 1;
                for (i, c) in inner.char_indices() {
                    match c {
                        '<' => depth += 1,
                        '>' => {
                            depth -= 1;
                            if depth == 0 {
                                return Some(inner[..i].replace(' ', ""));
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        None
    }

    /// Every handler that answers a typed JSON body (`Stored<T>` for writes, `web::Json<T>` for reads) declares that
    /// same `T` as the body of its success answer in its OpenAPI entry: the compiler checks what the handler
    /// answers, this test that the document says so.
    #[test]
    fn every_handler_documents_the_body_it_answers() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes");
        let mut checked = 0;
        let mut wrong = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let source = std::fs::read_to_string(&path).unwrap();
            for operation in source.split("#[utoipa::path(").skip(1) {
                let Some(at) = operation.find("pub async fn ") else { continue };
                let (attribute, rest) = operation.split_at(at);
                let signature = &rest[..rest.find('{').unwrap_or(rest.len())];
                let Some(answered) = answered_type(signature) else { continue };
                let name = rest["pub async fn ".len()..].split('(').next().unwrap_or_default().to_string();
                let documented: Vec<String> = attribute
                    .split("(status = 20")
                    .skip(1)
                    .filter_map(|answer| {
                        let body = answer.split("body = ").nth(1)?;
                        let end = body.find([',', ')']).map(|i| {
                            // `Vec<T>` and `Page<T>` hold no comma; stop at the first one after the type.
                            let closing = body[..i].matches('<').count() - body[..i].matches('>').count();
                            if closing == 0 { i } else { body.find('>').map_or(i, |j| j + 1) }
                        })?;
                        Some(body[..end].replace(' ', ""))
                    })
                    .collect();
                checked += 1;
                if !documented.contains(&answered) {
                    wrong.push(format!("{}: {name} answers {answered}, documents {documented:?}", path.display()));
                }
            }
        }
        assert!(checked >= 40, "only {checked} handlers found: the parsing no longer matches the routes");
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
