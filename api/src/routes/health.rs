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

/// Liveness: the process is up.
#[utoipa::path(tag = "health", responses((status = 200, description = "The process is up", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok".into() })
}

/// Readiness: the database answers.
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
