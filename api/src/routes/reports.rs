//! `/reports/{name}`: figures over what the caller may see, by period and unit subtree, as JSON or as a CSV or XLSX
//! download.

use actix_web::{HttpResponse, get, http::header, web};
use shared_types::{Problem, Report, ReportFormat, ReportLanguage, ReportName, ReportQuery};
use utoipa_actix_web::service_config::ServiceConfig;

use super::documents::disposition;
use super::{Pool, snapshot};
use crate::auth::AuthUser;
use crate::domain::reports::{self, export};
use crate::error::ApiError;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_report);
}

/// A report
///
/// One of the reports: `volume_by_kind`, `volume_by_unit`, `volume_by_month` (Hijri, Umm al-Qura months),
/// `open_by_unit`, `processing_by_unit` (average, median and 90th percentile of sent → completed, nearest rank),
/// `dwell_by_holder` (per person across transactions, the slowest first), `ageing` (open transactions by age) and
/// `bottlenecks` (where open referrals have waited longest). Each is a table: `measures` names the columns and every
/// row carries its key and one value per measure; durations are wall-clock seconds. In `volume_by_unit` a
/// transaction counts for a unit in the period its first referral to that unit was sent in, so the figures of two
/// periods add up to those of both; in `dwell_by_holder` and `bottlenecks`, `max_seconds` is the longest wait of
/// work still open.
///
/// Every figure is counted within the caller's access rules, as search counts them — clearance, and for anyone but
/// administrators and auditors a tie to the transaction (author, registry, or on its route, delegations included):
/// a report never counts what the caller may not see. `from` and `to` (days, Gregorian or Hijri, Riyadh time) limit
/// the period — the registration day for transaction reports, the day a referral was sent for unit and person
/// reports; `unit_id` limits the report to a unit and (unless `subtree=false`) its sub-units.
///
/// `format=csv` or `format=xlsx` answers the same table as a file to download, headings and names in `lang`
/// (Arabic by default, right-to-left sheet; durations in hours). A period that ends before it starts counts nothing.
/// 400 `invalid_parameter` for an unknown report, parameter or value, or a day that is not a day.
#[utoipa::path(tag = "reports", params(("name" = ReportName, Path, description = "Which report"), ReportQuery),
    responses(
        (status = 200, description = "The report: JSON, or the file asked for with `format`", content(
            (Report = "application/json"),
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, description = "`invalid_parameter`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
#[get("/reports/{name}")]
pub async fn get_report(
    pool: Pool,
    who: AuthUser,
    name: web::Path<ReportName>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let name = name.into_inner();
    let q = query.into_inner();
    let (format, lang) = (q.format.unwrap_or(ReportFormat::Json), q.lang.unwrap_or(ReportLanguage::Ar));
    let report: Report = snapshot(&pool, who, move |conn, actor| reports::report(conn, actor, name, &q)).await?;
    if format == ReportFormat::Json {
        return Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(report));
    }
    let file = web::block(move || export::download(&report, format, lang)).await.map_err(ApiError::internal)??;
    let (name, value) = disposition(false, &file.file_name);
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, file.media_type))
        .insert_header((name, value))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(file.bytes))
}
