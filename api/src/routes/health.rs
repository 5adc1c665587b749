//! Liveness and readiness probes, outside `/api/v1`.

use actix_web::{HttpResponse, get};
use diesel::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use super::Pool;
use crate::db;
use crate::error::ApiError;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`
    pub status: String,
}

/// Liveness probe
///
/// Answers 200 `{"status": "ok"}` whenever the process is up and serving HTTP. It does not touch the database, so use
/// it to decide whether to restart the process and `GET /readyz` to decide whether to send it traffic. Served outside
/// `/api/v1`; no authentication, nothing audited.
#[utoipa::path(tag = "health", responses((status = 200, description = "The process is up", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok".into() })
}

/// Readiness probe
///
/// Takes a database connection from the pool and runs `SELECT 1`: 200 `{"status": "ok"}` when the database answers, 503
/// `service_unavailable` (a problem document) when no connection can be had or the query fails, so a load balancer can
/// take the node out of rotation until it recovers. Served outside `/api/v1`; no authentication.
#[utoipa::path(tag = "health", responses(
    (status = 200, description = "Ready to serve", body = Health),
    (status = 503, description = "The database does not answer", body = shared_types::Problem, content_type = "application/problem+json"),
))]
#[get("/readyz")]
pub async fn readyz(pool: Pool) -> Result<HttpResponse, ApiError> {
    db::run(&pool, |conn| {
        diesel::sql_query("SELECT 1").execute(conn).map_err(ApiError::unavailable)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Ok().json(Health { status: "ok".into() }))
}
