//! Agency submissions: `/agency/submissions` for the agency (its token), `/intake` for the central registry.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use shared_types::{
    NewSubmission, Problem, ReceivedLetter, RegisterSubmission, RejectSubmission, Submission, TransactionWithReferrals,
};
use utoipa_actix_web::service_config::ServiceConfig;

use super::documents::{Blobs, receive};
use super::{Config, Limits, Pool, read, write};
use crate::auth::{AuthClient, AuthUser};
use crate::db;
use crate::domain::{clients, exchange, submissions};
use crate::error::ApiError;
use shared_types::ApiScope;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(submit)
        .service(submit_document)
        .service(own_submissions)
        .service(own_submission)
        .service(intake_queue)
        .service(register_submission)
        .service(reject_submission)
        .service(received_letters)
        .service(received_letter)
        .service(received_document);
}

/// Run database work for an active API client that holds `scope`, in one write transaction when `write`.
async fn as_client<T, F>(pool: &super::Pool, who: AuthClient, scope: ApiScope, write: bool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut db::DbConn, &crate::models::ApiClientRow, Option<String>) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    who.ensure(scope)?;
    db::run(pool, move |conn| {
        let client = clients::active_row(conn, &who)?;
        let origin = who.origin.map(|ip| ip.to_string());
        if write { db::write_tx(conn, |conn| f(conn, &client, origin)) } else { f(conn, &client, origin) }
    })
    .await
}

/// Submit an incoming letter to the central registry (scope `submit`). Its documents follow, one
/// `POST /agency/submissions/{id}/documents` each; it waits in the registry's intake queue.
#[utoipa::path(tag = "agencies", request_body = NewSubmission, responses(
    (status = 201, description = "Submitted; pending", body = Submission),
    (status = 401, description = "`invalid_token`, `invalid_client`", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "The token lacks `submit`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "`rate_limited`: too many submissions from this client (see `Retry-After`)", body = Problem, content_type = "application/problem+json"),
), security(("agency" = ["submit"])))]
#[post("/agency/submissions")]
pub async fn submit(
    pool: Pool,
    limits: Limits,
    who: AuthClient,
    body: web::Json<NewSubmission>,
) -> Result<HttpResponse, ApiError> {
    limits.submission(who.client_id)?;
    let body = body.into_inner();
    let s = as_client(&pool, who, ApiScope::Submit, true, move |conn, client, origin| {
        submissions::submit(conn, client, origin, &body)
    })
    .await?;
    Ok(HttpResponse::Created().json(s))
}

/// Attach a document to a pending submission (scope `submit`): `multipart/form-data` with `title` and `file`.
#[utoipa::path(tag = "agencies", params(("id" = i64, Path, description = "Submission id")),
    request_body(content = shared_types::NewDocumentForm, content_type = "multipart/form-data"), responses(
    (status = 201, description = "The submission with its documents", body = Submission),
    (status = 404, description = "`submission_not_found`", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`submission_decided`", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "`payload_too_large`", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "`unsupported_media_type`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`validation_failed`", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "`rate_limited`", body = Problem, content_type = "application/problem+json"),
), security(("agency" = ["submit"])))]
#[post("/agency/submissions/{id}/documents")]
pub async fn submit_document(
    pool: Pool,
    config: Config,
    blobs: Blobs,
    limits: Limits,
    who: AuthClient,
    id: web::Path<i64>,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    limits.submission(who.client_id)?;
    let id = id.into_inner();
    let check = who.clone();
    as_client(&pool, check, ApiScope::Submit, false, move |conn, client, _| {
        submissions::check_new_document(conn, client, id)
    })
    .await?;
    let upload = receive(form, &blobs, config.max_upload_bytes).await?;
    let title = upload.fields.get("title").cloned().unwrap_or_default();
    crate::domain::documents::validate_header(&title, None)?;
    let file = upload.file;
    let s = as_client(&pool, who, ApiScope::Submit, true, move |conn, client, origin| {
        submissions::add_document(conn, client, origin, id, title.trim(), &file)
    })
    .await?;
    Ok(HttpResponse::Created().json(s))
}

/// The agency's own submissions, newest first, with their status and registration numbers (scope
/// `read_submissions`).
#[utoipa::path(tag = "agencies", responses(
    (status = 200, description = "Submissions", body = Vec<Submission>),
    (status = 403, description = "The token lacks `read_submissions`", body = Problem, content_type = "application/problem+json"),
), security(("agency" = ["read_submissions"])))]
#[get("/agency/submissions")]
pub async fn own_submissions(pool: Pool, who: AuthClient) -> Result<web::Json<Vec<Submission>>, ApiError> {
    as_client(&pool, who, ApiScope::ReadSubmissions, false, |conn, client, _| submissions::list_own(conn, client))
        .await
        .map(web::Json)
}

/// One of the agency's submissions (scope `read_submissions`); another agency's is 404.
#[utoipa::path(tag = "agencies", params(("id" = i64, Path, description = "Submission id")), responses(
    (status = 200, description = "The submission", body = Submission),
    (status = 404, description = "`submission_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("agency" = ["read_submissions"])))]
#[get("/agency/submissions/{id}")]
pub async fn own_submission(
    pool: Pool,
    who: AuthClient,
    id: web::Path<i64>,
) -> Result<web::Json<Submission>, ApiError> {
    let id = id.into_inner();
    as_client(&pool, who, ApiScope::ReadSubmissions, false, move |conn, client, _| {
        submissions::get_own(conn, client, id)
    })
    .await
    .map(web::Json)
}

/// The central registry's intake queue: pending agency submissions, oldest first (central registry clerks,
/// administrators).
#[utoipa::path(tag = "agencies", responses(
    (status = 200, description = "Pending submissions", body = Vec<Submission>),
    (status = 403, description = "Not of the central registry", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/intake")]
pub async fn intake_queue(pool: Pool, who: AuthUser) -> Result<web::Json<Vec<Submission>>, ApiError> {
    read(&pool, who, submissions::intake).await
}

/// Register a submission: it becomes an incoming transaction from the agency, numbered by the central registry,
/// with the submitted documents, referred as given. The agency then reads the number.
#[utoipa::path(tag = "agencies", params(("id" = i64, Path, description = "Submission id")), request_body = RegisterSubmission, responses(
    (status = 201, description = "Registered", body = TransactionWithReferrals),
    (status = 403, description = "Not of the central registry", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "`submission_not_found`", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`submission_decided`, `version_conflict`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid referrals", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/intake/{id}/register")]
pub async fn register_submission(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<RegisterSubmission>,
) -> Result<HttpResponse, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    write(&pool, who, &req, &body.clone(), StatusCode::CREATED, move |conn, actor| {
        submissions::register(conn, actor, id, &body)
    })
    .await
}

/// Reject a submission, saying why (the agency reads the reason).
#[utoipa::path(tag = "agencies", params(("id" = i64, Path, description = "Submission id")), request_body = RejectSubmission, responses(
    (status = 200, description = "Rejected", body = Submission),
    (status = 403, description = "Not of the central registry", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "`submission_not_found`", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`submission_decided`, `version_conflict`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/intake/{id}/reject")]
pub async fn reject_submission(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<RejectSubmission>,
) -> Result<HttpResponse, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| {
        submissions::reject(conn, actor, id, &body)
    })
    .await
}

/// Outgoing letters of the organisation addressed to the agency, once registered, newest first (scope `receive`).
#[utoipa::path(tag = "agencies", responses(
    (status = 200, description = "Letters", body = Vec<ReceivedLetter>),
    (status = 403, description = "The token lacks `receive`", body = Problem, content_type = "application/problem+json"),
), security(("agency" = ["receive"])))]
#[get("/agency/correspondence")]
pub async fn received_letters(pool: Pool, who: AuthClient) -> Result<web::Json<Vec<ReceivedLetter>>, ApiError> {
    as_client(&pool, who, ApiScope::Receive, false, |conn, client, _| exchange::list(conn, client)).await.map(web::Json)
}

/// One letter addressed to the agency (scope `receive`); anything else is 404.
#[utoipa::path(tag = "agencies", params(("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "The letter", body = ReceivedLetter),
    (status = 404, description = "`transaction_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("agency" = ["receive"])))]
#[get("/agency/correspondence/{id}")]
pub async fn received_letter(
    pool: Pool,
    who: AuthClient,
    id: web::Path<i64>,
) -> Result<web::Json<ReceivedLetter>, ApiError> {
    let id = id.into_inner();
    as_client(&pool, who, ApiScope::Receive, false, move |conn, client, _| exchange::get(conn, client, id))
        .await
        .map(web::Json)
}

/// The content of a document (its latest version) of a letter addressed to the agency (scope `receive`); audited.
#[utoipa::path(tag = "agencies", params(("id" = i64, Path, description = "Transaction id"), ("document" = i64, Path, description = "Document id")), responses(
    (status = 200, description = "The content", content_type = "application/octet-stream", body = Vec<u8>),
    (status = 404, description = "`transaction_not_found`, `document_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("agency" = ["receive"])))]
#[get("/agency/correspondence/{id}/documents/{document}/content")]
pub async fn received_document(
    pool: Pool,
    blobs: Blobs,
    who: AuthClient,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, document) = path.into_inner();
    let d = as_client(&pool, who, ApiScope::Receive, false, move |conn, client, origin| {
        exchange::document_for_download(conn, client, origin, id, document)
    })
    .await?;
    let stream = blobs.read(&d.sha256, None).await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CONTENT_TYPE, d.media_type.clone()))
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            super::documents::disposition(false, &d.file_name),
        ))
        .insert_header((actix_web::http::header::ETAG, format!("\"{}\"", d.sha256)))
        .insert_header(actix_web::http::header::ContentEncoding::Identity)
        .no_chunking(d.size as u64)
        .streaming(stream))
}
