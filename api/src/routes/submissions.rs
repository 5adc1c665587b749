//! Agency submissions: `/agency/submissions` for the agency (its token), `/intake` for the central registry.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, get, post, web};
use shared_types::{
    NewSubmission, NewSubmissionForm, Page, Problem, ReceivedLetter, RegisterSubmission, RejectSubmission, Submission,
    TransactionWithReferrals,
};
use utoipa_actix_web::service_config::ServiceConfig;

use super::body::Json;
use super::documents::Blobs;
use super::{Config, IdempotencyKey, Limits, PageQuery, Pool, read, write};
use crate::auth::{AuthClient, AuthUser};
use crate::db;
use crate::domain::idempotency::Stored;
use crate::domain::ids::{DocumentId, TransactionId};
use crate::domain::{clients, exchange, submissions};
use crate::error::ApiError;
use crate::uploads::{self, receive};
use shared_types::ApiScope;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(submit)
        .service(submit_document)
        .service(own_submissions)
        .service(own_submission)
        .service(intake_queue)
        .service(intake_submission)
        .service(intake_document)
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

/// Submit an incoming letter to the central registry
///
/// Scope `submit`. Send the letter alone as JSON (`NewSubmission`), or the letter and its documents in one
/// `multipart/form-data` request (`NewSubmissionForm`: a `letter` part holding the JSON, then a `file` part per
/// document, each optionally after a `title` part), which is registered whole or not at all. More documents can be
/// added while it is pending, one `POST /agency/submissions/{id}/documents` each.
///
/// The submission waits, `pending`, in the central registry's intake queue until a clerk registers it as an incoming
/// transaction (the agency then reads its registration number) or rejects it with a reason. Documents follow the rules
/// of staff uploads (PDF, images, office documents, plain text; at most 50). Errors: 401 `unauthenticated`,
/// `invalid_token` or `invalid_client` (revoked); 403 `forbidden` without the `submit` scope; 422 `validation_failed`
/// for a missing subject or sender reference or a bad part; 429 `rate_limited` beyond the client's submission quota.
/// This endpoint does not honour `Idempotency-Key`: after a timeout, check `GET /agency/submissions` before sending
/// again.
#[utoipa::path(tag = "agencies",
    request_body(content(
        (NewSubmission = "application/json"),
        (NewSubmissionForm = "multipart/form-data"),
    )),
    responses(
    (status = 201, description = "Submitted; pending", body = Submission),
    (status = 400, description = "`malformed_json`, `malformed_upload`", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "`invalid_token`, `invalid_client`", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "The token lacks `submit`", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "`payload_too_large`", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "`unsupported_media_type`: a document of a kind not accepted", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "`rate_limited`: too many submissions from this client (see `Retry-After`)", body = Problem, content_type = "application/problem+json"),
), security(("agency" = ["submit"])))]
#[post("/agency/submissions")]
pub async fn submit(
    pool: Pool,
    config: Config,
    blobs: Blobs,
    limits: Limits,
    who: AuthClient,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    let mut payload = payload.into_inner();
    // (The JSON extractor's own error is already the problem its handler made of it: it is passed on as it is.)
    limits.submission(who.client_id)?;
    let multipart = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"));
    let s = if multipart {
        // Who may submit is settled before a byte of the documents is read.
        let check = who.clone();
        as_client(&pool, check, ApiScope::Submit, false, |_, _, _| Ok(())).await?;
        let (letter, documents) =
            receive_submission(Multipart::new(req.headers(), payload), &blobs, config.max_upload_bytes).await?;
        as_client(&pool, who, ApiScope::Submit, true, move |conn, client, origin| {
            submissions::submit_with_documents(conn, client, origin, &letter, &documents)
        })
        .await?
    } else {
        // The same checks and problems as every JSON body (size limit, unknown fields, types).
        let body = web::Json::<NewSubmission>::from_request(&req, &mut payload).await?;
        let body = body.into_inner();
        as_client(&pool, who, ApiScope::Submit, true, move |conn, client, origin| {
            submissions::submit(conn, client, origin, &body)
        })
        .await?
    };
    Ok(HttpResponse::Created().json(s))
}

/// Read a submission's form: the `letter` (JSON) and each `file`, titled by the `title` part before it (or by its
/// file name). Each file is checked and stored as it arrives; nothing is registered here.
async fn receive_submission(
    mut form: Multipart,
    blobs: &crate::blobs::BlobStore,
    max: u64,
) -> Result<(NewSubmission, Vec<(String, crate::domain::documents::StoredFile)>), ApiError> {
    use futures_util::StreamExt;
    let (mut letter, mut title, mut documents) = (None, None::<String>, Vec::new());
    while let Some(field) = form.next().await {
        let mut field = field.map_err(uploads::malformed)?;
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "letter" => {
                let text = uploads::text_field(&mut field, "letter").await?;
                let parsed: NewSubmission = serde_json::from_str(&text)
                    .and_then(super::body::read)
                    .map_err(|e| ApiError::field("letter", "invalid", format!("not a letter: {e}")))?;
                letter = Some(parsed);
            }
            "title" => {
                if title.is_some() {
                    return Err(ApiError::field("title", "required", "a `title` part names the `file` part after it"));
                }
                title = Some(uploads::text_field(&mut field, "title").await?);
            }
            "file" => {
                if documents.len() as i64 >= submissions::MAX_DOCUMENTS {
                    return Err(ApiError::field(
                        "file",
                        "too_many",
                        format!("at most {} documents", submissions::MAX_DOCUMENTS),
                    ));
                }
                let (file, temp) = uploads::file_field(field, blobs, max).await?;
                let title = title.take().unwrap_or_else(|| file.file_name.clone());
                crate::domain::documents::validate_header(&title, None)?;
                blobs.store_file(&file.sha256, temp.path()).await?;
                documents.push((title.trim().to_string(), file));
            }
            other => {
                return Err(ApiError::field(other, "unknown_field", "expected `letter`, `title` and `file` parts"));
            }
        }
    }
    // A title names the file after it; one left over names nothing, and would be dropped unseen.
    if title.is_some() {
        return Err(ApiError::field("title", "required", "a `title` part names the `file` part after it"));
    }
    let letter = letter.ok_or_else(|| ApiError::field("letter", "required", "send the letter as a `letter` part"))?;
    Ok((letter, documents))
}

/// Attach a document to a pending submission
///
/// Scope `submit`. `multipart/form-data` with `title` and `file` (an optional `sha256` part is checked against what
/// arrives; any other part is refused, 422 `unknown_field`): the document joins one of the agency's own pending
/// submissions, at most 50 per submission, and the submission's `version` goes up, so a clerk who registers what they read earlier is
/// told it changed. 404 `submission_not_found` for another agency's or a missing submission; 409 `submission_decided`
/// once it is registered or rejected; 403 `forbidden` without the scope; 413, 415 and 422 as for staff uploads; 429
/// `rate_limited` beyond the client's submission quota.
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
    let upload = receive(form, &blobs, config.max_upload_bytes, &["title", "sha256"]).await?;
    let title = upload.fields.get("title").cloned().unwrap_or_default();
    crate::domain::documents::validate_header(&title, None)?;
    let file = upload.file;
    let s = as_client(&pool, who, ApiScope::Submit, true, move |conn, client, origin| {
        submissions::add_document(conn, client, origin, id, title.trim(), &file)
    })
    .await?;
    Ok(HttpResponse::Created().json(s))
}

/// List the agency's own submissions
///
/// Scope `read_submissions`. The calling agency's own submissions, newest first, each with its status (`pending`,
/// `registered` or `rejected`), the registration number once registered, the reason once rejected, and its documents.
/// Page with `limit` (1–200, default 50) and `cursor` (the previous page's `next_cursor`). 403 `forbidden` without the
/// scope; 400 `invalid_parameter` for a foreign cursor.
#[utoipa::path(tag = "agencies", params(PageQuery), responses(
    (status = 200, description = "A page of submissions", body = Page<Submission>),
    (status = 400, description = "`invalid_parameter`", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "The token lacks `read_submissions`", body = Problem, content_type = "application/problem+json"),
), security(("agency" = ["read_submissions"])))]
#[get("/agency/submissions")]
pub async fn own_submissions(
    pool: Pool,
    who: AuthClient,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<Submission>>, ApiError> {
    let q = query.into_inner();
    as_client(&pool, who, ApiScope::ReadSubmissions, false, move |conn, client, _| {
        submissions::list_own(conn, client, q.limit, q.cursor.as_deref())
    })
    .await
    .map(web::Json)
}

/// Get one of the agency's own submissions
///
/// Scope `read_submissions`. One submission of the calling agency with its status, registration number or rejection
/// reason, and documents; another agency's submission answers 404 `submission_not_found`, like a missing one. 403
/// `forbidden` without the scope.
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

/// List the intake queue of agency submissions
///
/// The pending submissions of external agencies, oldest first, waiting for the central registry to register or reject
/// them. Registry clerks of the central registry only; everyone else, clerks of other registries and administrators
/// included, gets 403 `forbidden`. Page with `limit` (1–200, default 50) and `cursor` (the previous page's
/// `next_cursor`); 400 `invalid_parameter` for a foreign cursor.
#[utoipa::path(tag = "agencies", params(PageQuery), responses(
    (status = 200, description = "A page of pending submissions", body = Page<Submission>),
    (status = 400, description = "`invalid_parameter`", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not of the central registry", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/intake")]
pub async fn intake_queue(
    pool: Pool,
    who: AuthUser,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<Submission>>, ApiError> {
    let q = query.into_inner();
    read(&pool, who, move |conn, actor| submissions::intake(conn, actor, q.limit, q.cursor.as_deref())).await
}

/// Get a submission from the intake queue
///
/// One agency submission, pending or decided, with its letter and documents, for a clerk of the central registry to
/// read before deciding it. Its `version` goes up whenever the agency adds a document: send it as `expected_version`
/// when registering or rejecting to decide on what was read. Registry clerks of the central registry only (403
/// `forbidden`); 404 `submission_not_found`.
#[utoipa::path(tag = "agencies", params(("id" = i64, Path, description = "Submission id")), responses(
    (status = 200, description = "The submission", body = Submission),
    (status = 403, description = "Not of the central registry", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "`submission_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/intake/{id}")]
pub async fn intake_submission(
    pool: Pool,
    who: AuthUser,
    id: web::Path<i64>,
) -> Result<web::Json<Submission>, ApiError> {
    let id = id.into_inner();
    read(&pool, who, move |conn, actor| submissions::intake_one(conn, actor, id)).await
}

/// Download a document of a submission
///
/// Streams a submitted document with its media type, `ETag` (its SHA-256), length and file name, for a clerk of the
/// central registry to read before deciding; each read is audited as `document_downloaded`. Registry clerks of the
/// central registry only (403 `forbidden`). 404 `submission_not_found`, or `document_not_found` when the document is
/// not one of this submission's.
#[utoipa::path(tag = "agencies", params(("id" = i64, Path, description = "Submission id"), ("document" = i64, Path, description = "Submitted document id")), responses(
    (status = 200, description = "The file", content_type = "application/octet-stream"),
    (status = 403, description = "Not of the central registry", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "`submission_not_found`, `document_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/intake/{id}/documents/{document}/content")]
pub async fn intake_document(
    pool: Pool,
    blobs: Blobs,
    who: AuthUser,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, document) = path.into_inner();
    let d =
        super::change(&pool, who, move |conn, actor| submissions::intake_document(conn, actor, id, document)).await?;
    let stream = blobs.read(&d.sha256, None).await?;
    Ok(file_response(&d.media_type, &d.file_name, &d.sha256, d.size).streaming(stream))
}

/// The headers of a whole stored file being sent.
fn file_response(media_type: &str, file_name: &str, sha256: &str, size: i64) -> actix_web::HttpResponseBuilder {
    let mut res = HttpResponse::Ok();
    res.insert_header((actix_web::http::header::CONTENT_TYPE, media_type.to_string()))
        .insert_header(super::documents::disposition(false, file_name))
        .insert_header((actix_web::http::header::ETAG, format!("\"{sha256}\"")))
        .insert_header(actix_web::http::header::ContentEncoding::Identity)
        .no_chunking(size as u64);
    res
}

/// Register a submission as an incoming transaction
///
/// Turns a pending submission into an incoming transaction from the agency's entity, numbered by the central registry,
/// with the submitted documents attached and the given `referrals` opened, with `confidentiality` (`normal` by default,
/// at most the clerk's clearance) and `due_at`; the agency then reads the registration number. Registry clerks of the
/// central registry only (403 `forbidden`). Send the submission's `version` as `expected_version`: 409
/// `version_conflict` when the agency added a document since, `submission_decided` when someone decided it first. 404
/// `submission_not_found`; 422 `validation_failed` for invalid referrals. Audited; an `Idempotency-Key` makes a retry
/// safe.
#[utoipa::path(tag = "agencies", params(IdempotencyKey, ("id" = i64, Path, description = "Submission id")), request_body = RegisterSubmission, responses(
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
    body: Json<RegisterSubmission>,
) -> Result<Stored<TransactionWithReferrals>, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    write(&pool, who, &req, &body.clone(), StatusCode::CREATED, move |conn, actor| {
        submissions::register(conn, actor, id, &body)
    })
    .await
}

/// Reject a submission
///
/// Rejects a pending submission with a `reason`, which the agency reads on its submission. Registry clerks of the
/// central registry only (403 `forbidden`). Send the submission's `version` as `expected_version` (409
/// `version_conflict` on a mismatch); 409 `submission_decided` when it was already decided; 404 `submission_not_found`;
/// 422 `validation_failed` without a reason. Audited.
#[utoipa::path(tag = "agencies", params(IdempotencyKey, ("id" = i64, Path, description = "Submission id")), request_body = RejectSubmission, responses(
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
    body: Json<RejectSubmission>,
) -> Result<Stored<Submission>, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| {
        submissions::reject(conn, actor, id, &body)
    })
    .await
}

/// List letters addressed to the agency
///
/// Scope `receive`. The organisation's registered outgoing letters whose recipient is the agency's entity and whose
/// confidentiality is within the client's clearance, newest first, each with its registration number, subject, summary
/// and documents (the latest version of each; withdrawn ones left out). Page with `limit` (1–200, default 50) and
/// `cursor` (the previous page's `next_cursor`). 403 `forbidden` without the scope; 400 `invalid_parameter` for a
/// foreign cursor.
#[utoipa::path(tag = "agencies", params(PageQuery), responses(
    (status = 200, description = "A page of letters", body = Page<ReceivedLetter>),
    (status = 400, description = "`invalid_parameter`", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "The token lacks `receive`", body = Problem, content_type = "application/problem+json"),
), security(("agency" = ["receive"])))]
#[get("/agency/correspondence")]
pub async fn received_letters(
    pool: Pool,
    who: AuthClient,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<ReceivedLetter>>, ApiError> {
    let q = query.into_inner();
    as_client(&pool, who, ApiScope::Receive, false, move |conn, client, _| {
        exchange::list(conn, client, q.limit, q.cursor.as_deref())
    })
    .await
    .map(web::Json)
}

/// Get a letter addressed to the agency
///
/// Scope `receive`. One registered outgoing letter addressed to the agency's entity, within the client's clearance,
/// with its documents. Any other transaction id (another recipient, not outgoing, above the clearance, or missing)
/// answers 404 `transaction_not_found`. 403 `forbidden` without the scope.
#[utoipa::path(tag = "agencies", params(("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "The letter", body = ReceivedLetter),
    (status = 404, description = "`transaction_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("agency" = ["receive"])))]
#[get("/agency/correspondence/{id}")]
pub async fn received_letter(
    pool: Pool,
    who: AuthClient,
    id: web::Path<TransactionId>,
) -> Result<web::Json<ReceivedLetter>, ApiError> {
    let id = id.into_inner();
    as_client(&pool, who, ApiScope::Receive, false, move |conn, client, _| exchange::get(conn, client, id))
        .await
        .map(web::Json)
}

/// Download a document of a letter addressed to the agency
///
/// Scope `receive`. Streams the latest version of a document of a letter the agency may read, with its media type,
/// `ETag` (its SHA-256), length and file name; each download is audited with the client as the actor. 404
/// `transaction_not_found` when the letter is not one the agency may read, `document_not_found` when the document is
/// not one of the letter's or was withdrawn. 403 `forbidden` without the scope.
#[utoipa::path(tag = "agencies", params(("id" = i64, Path, description = "Transaction id"), ("document" = i64, Path, description = "Document id")), responses(
    (status = 200, description = "The content", content_type = "application/octet-stream", body = Vec<u8>),
    (status = 404, description = "`transaction_not_found`, `document_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("agency" = ["receive"])))]
#[get("/agency/correspondence/{id}/documents/{document}/content")]
pub async fn received_document(
    pool: Pool,
    blobs: Blobs,
    who: AuthClient,
    path: web::Path<(TransactionId, DocumentId)>,
) -> Result<HttpResponse, ApiError> {
    let (id, document) = path.into_inner();
    let d = as_client(&pool, who, ApiScope::Receive, true, move |conn, client, origin| {
        exchange::document_for_download(conn, client, origin, id, document)
    })
    .await?;
    let stream = blobs.read(&d.sha256, None).await?;
    Ok(file_response(&d.media_type, &d.file_name, &d.sha256, d.size).streaming(stream))
}
