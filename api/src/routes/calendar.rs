//! `/calendar`: the working week and hours, Ramadan's hours and the holidays, within which business time — dwell,
//! deadlines, escalation — is counted.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use serde::Deserialize;
use shared_types::{Holiday, HolidayChange, NewHoliday, Problem, WorkingCalendar, WorkingWeek};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::body::Json;
use super::{IdempotencyKey, Pool, as_caller, read, write};
use crate::auth::AuthUser;
use crate::db;
use crate::domain::idempotency::Stored;
use crate::domain::working_calendar;
use crate::error::ApiError;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_calendar)
        .service(set_working_week)
        .service(add_holiday)
        .service(change_holiday)
        .service(remove_holiday);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// The first day whose holidays are listed, `YYYY-MM-DD`, Gregorian or Hijri (a year before 1700); by default
    /// the first day of the current Hijri year.
    pub from: Option<String>,
    /// The last day, likewise; by default the last day of the next Hijri year.
    pub to: Option<String>,
}

/// The working calendar
///
/// The working days of the week, the working hours (Riyadh time) and Ramadan's, and the holidays that touch the days
/// `from` to `to`, each with its days in both calendars. The Eids and the national days are generated for every year
/// (the Eids by Umm al-Qura) and an administrator may move them to the officially announced days. Any signed-in user.
/// 422 `validation_failed` for a day that is not one.
#[utoipa::path(tag = "calendar", params(CalendarQuery), responses(
    (status = 200, description = "The calendar", body = WorkingCalendar),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`from` or `to` is not a day", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/calendar")]
pub async fn get_calendar(
    pool: Pool,
    who: AuthUser,
    query: web::Query<CalendarQuery>,
) -> Result<web::Json<WorkingCalendar>, ApiError> {
    let q = query.into_inner();
    read(&pool, who, move |conn, actor| working_calendar::get(conn, actor, q.from.as_deref(), q.to.as_deref())).await
}

/// Set the working week
///
/// The working days (at least one, each once), the working hours as `HH:MM` and, if they differ, Ramadan's. Business
/// time everywhere follows from the next request on, on every server. Administrators only (403 `forbidden`); 422
/// `validation_failed` for no day, a day twice, a time that is not `HH:MM`, or hours that end before they begin.
/// Audited; an `Idempotency-Key` makes a retry safe.
#[utoipa::path(tag = "calendar", request_body = WorkingWeek, params(IdempotencyKey), responses(
    (status = 200, description = "The calendar as it now is", body = WorkingCalendar),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid week or hours", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[put("/calendar/week")]
pub async fn set_working_week(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    body: Json<WorkingWeek>,
) -> Result<Stored<WorkingCalendar>, ApiError> {
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| {
        working_calendar::set_week(conn, actor, &body)
    })
    .await
}

/// Add a holiday
///
/// A day off (or several, at most 60) that is not generated: a day declared off for rain, an extra day at an Eid.
/// Days as `YYYY-MM-DD`, Gregorian or Hijri. Administrators only; 422 `validation_failed` for a blank name, a day
/// that is not one, or a last day before the first. Audited; an `Idempotency-Key` makes a retry safe.
#[utoipa::path(tag = "calendar", request_body = NewHoliday, params(IdempotencyKey), responses(
    (status = 201, description = "Added", body = Holiday),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid name or days", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/calendar/holidays")]
pub async fn add_holiday(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    body: Json<NewHoliday>,
) -> Result<Stored<Holiday>, ApiError> {
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::CREATED, move |conn, actor| {
        working_calendar::add_holiday(conn, actor, &body)
    })
    .await
}

/// Rename or move a holiday
///
/// What is given changes; moving an Eid to the officially announced days is the usual use, and a moved holiday stays
/// where it was put. Administrators only; 404 `holiday_not_found`; 422 `validation_failed` as for adding. Audited
/// with the days it had before.
#[utoipa::path(tag = "calendar", request_body = HolidayChange, params(("id" = i64, Path, description = "Holiday id"), IdempotencyKey), responses(
    (status = 200, description = "Changed", body = Holiday),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "`holiday_not_found`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid name or days", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/calendar/holidays/{id}")]
pub async fn change_holiday(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: Json<HolidayChange>,
) -> Result<Stored<Holiday>, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| {
        working_calendar::change_holiday(conn, actor, id, &body)
    })
    .await
}

/// Remove a holiday
///
/// Only a holiday an administrator added (`kind` `other`); a generated one answers 409 `holiday_generated` (move it
/// instead). Administrators only; 404 `holiday_not_found`. Audited.
#[utoipa::path(tag = "calendar", params(("id" = i64, Path, description = "Holiday id")), responses(
    (status = 204, description = "Removed"),
    (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "`holiday_not_found`", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`holiday_generated`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/calendar/holidays/{id}")]
pub async fn remove_holiday(pool: Pool, who: AuthUser, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    as_caller(&pool, who, move |conn, actor| {
        db::write_tx(conn, |conn| working_calendar::remove_holiday(conn, actor, id))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
