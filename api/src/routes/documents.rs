//! `/documents` and `/transactions/{id}/documents`: upload a document or a new version (streamed
//! `multipart/form-data`), list, download (streamed, with `Range`, `ETag` and an RFC 6266 file name), withdraw.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentEncoding};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use futures_util::StreamExt;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use shared_types::{
    Document, DocumentKind, DocumentText, DocumentVersion, ErrorCode, NewDocumentForm, NewVersionForm, Problem,
    WithdrawRequest,
};
use tokio::io::AsyncWriteExt;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::body::Json;
use super::{Config, Pool, as_caller, read};
use crate::auth::AuthUser;
use crate::blobs::BlobStore;
use crate::db;
use crate::domain::documents::{self, StoredFile};
use crate::error::ApiError;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(upload_document)
        .service(get_document)
        .service(upload_version)
        .service(download)
        .service(text)
        .service(refuse_delete)
        .service(refuse_put)
        .service(withdraw);
}

pub type Blobs = web::Data<BlobStore>;

/// Media types a document may have, recognised from the content itself.
pub const MEDIA_TYPES: &[&str] = &[
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/tiff",
    "image/gif",
    "image/webp",
    "image/bmp",
    "image/heif",
    "image/avif",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/rtf",
    "text/rtf",
    "text/plain",
];

/// How much of the start of a file is kept to recognise its type.
const SNIFF: usize = 64 * 1024;
/// Largest text field of the form.
const MAX_FIELD: usize = 16 * 1024;

pub(super) fn malformed(detail: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(ErrorCode::MalformedUpload, format!("The multipart/form-data body is not valid: {detail}."))
}

/// The form of an upload: its text fields and the file, which has been hashed and stored.
pub(super) struct Upload {
    pub(super) fields: std::collections::HashMap<String, String>,
    pub(super) file: StoredFile,
}

/// A file name as sent, if it is a plain name: no path, no control characters.
fn clean_file_name(name: &str) -> Result<String, ApiError> {
    let bad = name.trim().is_empty()
        || name == "."
        || name == ".."
        || name.chars().count() > 255
        || name.chars().any(|c| c == '/' || c == '\\' || c.is_control());
    if bad {
        return Err(ApiError::field(
            "file",
            "invalid",
            "the file name must be a plain name without path separators or control characters",
        ));
    }
    Ok(name.trim().to_string())
}

/// What the content is, from its first bytes; text when it is not a known binary format and reads as UTF-8.
fn sniff(head: &[u8]) -> Option<String> {
    if let Some(kind) = infer::get(head) {
        return Some(kind.mime_type().to_string());
    }
    match std::str::from_utf8(head) {
        Ok(_) => Some("text/plain".into()),
        // Cut inside a character at the end of the sniffed part: still text.
        Err(e) if e.error_len().is_none() => Some("text/plain".into()),
        Err(_) => None,
    }
}

/// The office document a ZIP package is, from the parts it holds; `None` for any other ZIP archive.
fn package_kind(path: &std::path::Path) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    let archive = zip::ZipArchive::new(std::io::BufReader::new(file)).ok()?;
    let has = |name: &str| archive.index_for_name(name).is_some();
    let kind = if has("word/document.xml") {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    } else if has("xl/workbook.xml") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else if has("ppt/presentation.xml") {
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    } else {
        return None;
    };
    Some(kind.to_string())
}

/// A text field of a form, read into memory (it is small).
pub(super) async fn text_field(field: &mut actix_multipart::Field, name: &str) -> Result<String, ApiError> {
    let mut value = Vec::new();
    while let Some(chunk) = field.next().await {
        value.extend_from_slice(&chunk.map_err(malformed)?);
        if value.len() > MAX_FIELD {
            return Err(ApiError::field(name, "too_long", "this form field is too long"));
        }
    }
    String::from_utf8(value).map_err(|_| ApiError::field(name, "invalid", "not UTF-8 text"))
}

/// A file part of a form, streamed to a temporary file while it is hashed and measured, then checked: not empty,
/// within `max`, a plain file name, an accepted type recognised from the content. Not yet in the store.
pub(super) async fn file_field(
    mut field: actix_multipart::Field,
    blobs: &BlobStore,
    max: u64,
) -> Result<(StoredFile, tempfile::NamedTempFile), ApiError> {
    let sent_name = field
        .content_disposition()
        .and_then(|cd| {
            cd.get_filename_ext()
                .and_then(|ext| String::from_utf8(ext.value.clone()).ok())
                .or_else(|| cd.get_filename().map(str::to_string))
        })
        .unwrap_or_default();
    let file_name = clean_file_name(&sent_name)?;
    let temp = tempfile::NamedTempFile::new_in(blobs.incoming_dir()).map_err(ApiError::internal)?;
    let mut out = tokio::fs::File::from_std(temp.as_file().try_clone().map_err(ApiError::internal)?);
    let (mut hasher, mut size, mut head) = (Sha256::new(), 0_u64, Vec::new());
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(malformed)?;
        size += chunk.len() as u64;
        if size > max {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                format!("A document may have at most {max} bytes."),
            ));
        }
        if head.len() < SNIFF {
            head.extend_from_slice(&chunk[..chunk.len().min(SNIFF - head.len())]);
        }
        hasher.update(&chunk);
        out.write_all(&chunk).await.map_err(ApiError::internal)?;
    }
    out.flush().await.map_err(ApiError::internal)?;
    out.sync_all().await.map_err(ApiError::internal)?;
    if size == 0 {
        return Err(ApiError::field("file", "empty", "the file is empty"));
    }
    let mut media_type = sniff(&head);
    if media_type.as_deref() == Some("application/zip") {
        // Office documents are ZIP packages: what is inside tells which (the start alone may not).
        // Reading the package's directory is file I/O: on the blocking pool, not on the server's worker.
        let path = temp.path().to_path_buf();
        media_type = web::block(move || package_kind(&path)).await.map_err(ApiError::internal)?;
    }
    let media_type = media_type.filter(|m| MEDIA_TYPES.contains(&m.as_str())).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "Documents are PDF, images, office documents or plain text.",
        )
    })?;
    let sha256 = hex::encode(hasher.finalize());
    Ok((StoredFile { sha256, size: size as i64, media_type, file_name }, temp))
}

/// Read a form of text fields and one `file`, which is stored (content-addressed) once it has arrived whole and
/// passed its checks. Nothing is registered here.
/// `parts` names the text parts the form may carry besides `file`; any other part is refused (422 `unknown_field`),
/// as an unknown field of a JSON body is, and so is a part sent twice.
pub(super) async fn receive(
    mut form: Multipart,
    blobs: &BlobStore,
    max: u64,
    parts: &[&str],
) -> Result<Upload, ApiError> {
    let mut fields = std::collections::HashMap::new();
    let mut file = None;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(malformed)?;
        let name = field.name().unwrap_or_default().to_string();
        if name != "file" {
            if !parts.contains(&name.as_str()) {
                return Err(ApiError::field(&name, "unknown_field", format!("this form has no `{name}` part")));
            }
            let value = text_field(&mut field, &name).await?;
            if fields.insert(name.clone(), value).is_some() {
                return Err(ApiError::field(&name, "duplicate", "send this part once"));
            }
            continue;
        }
        if file.is_some() {
            return Err(ApiError::field("file", "duplicate", "send one file"));
        }
        file = Some(file_field(field, blobs, max).await?);
    }
    let Some((stored, temp)) = file else {
        return Err(ApiError::field("file", "required", "attach the file"));
    };
    // A checksum sent by the client must match what arrived.
    if let Some(expected) = fields.get("sha256")
        && !expected.trim().eq_ignore_ascii_case(&stored.sha256)
    {
        return Err(ApiError::field("sha256", "mismatch", "the file that arrived has another SHA-256"));
    }
    blobs.store_file(&stored.sha256, temp.path()).await?;
    drop(temp);
    Ok(Upload { fields, file: stored })
}

/// Read the text of a stored version in the background and keep it: the upload has already been answered, and a
/// file that cannot be read only marks the version's text as failed.
fn extract_later(pool: Pool, blobs: Blobs, v: &DocumentVersion) {
    let (document_id, version, sha256, media_type) = (v.document_id, v.version, v.sha256.clone(), v.media_type.clone());
    actix_web::rt::spawn(async move {
        let outcome = match blobs.read_capped(&sha256, crate::extract::MAX_BYTES).await {
            Ok(Some(bytes)) => web::block(move || crate::extract::extract(&media_type, &bytes))
                .await
                .unwrap_or_else(|e| crate::extract::Outcome::Failed(format!("extraction stopped: {e}"))),
            Ok(None) => crate::extract::Outcome::Failed("too large to read its text".into()),
            Err(e) => crate::extract::Outcome::Failed(format!("cannot read the stored file: {e}")),
        };
        if let Err(e) = db::run(&pool, move |conn| documents::record_text(conn, document_id, version, outcome)).await {
            tracing::error!(document_id, version, "cannot record the extracted text: {e}");
        }
    });
}

/// Add a document to a transaction
///
/// `multipart/form-data` with `title`, `kind` (default `attachment`), optional `note` and `sha256` (checked against
/// what arrives), then `file`, streamed to the document store while it is hashed. The file becomes version 1, the
/// original, which is never altered; the media type is recognised from the content: PDF, images, office documents and
/// plain text (415 `unsupported_media_type` otherwise), at most `MUAMALAT_MAX_UPLOAD_BYTES` (413 `payload_too_large`).
/// Any member of staff who may see the transaction can add one while it is a draft or open; auditors get 403
/// `forbidden`, and a closed or archived transaction 409, checked before the body is read. 422 `validation_failed` for
/// a missing title or file, an empty file, a file name with a path, an unknown `kind` or a `sha256` mismatch. Records a
/// `document_added` event; the text is extracted for search afterwards (`GET .../text`). Hidden transactions (above the
/// caller's clearance, or, for anyone but administrators and auditors, with no route, registry or authorship tie to the
/// caller) answer 404 `transaction_not_found`, exactly like missing ones.
#[utoipa::path(tag = "documents", params(("id" = i64, Path, description = "Transaction id")),
    request_body(content = NewDocumentForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The document and its version 1", body = Document),
        (status = 400, description = "`malformed_upload` (for example a body cut off)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`transaction_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`transaction_closed`, `transaction_archived`", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`: not an accepted kind of file", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: empty file, bad file name, missing title…", body = Problem, content_type = "application/problem+json"),
    ), security(("bearer" = [])))]
#[post("/transactions/{id}/documents")]
pub async fn upload_document(
    pool: Pool,
    config: Config,
    blobs: Blobs,
    who: AuthUser,
    id: web::Path<i64>,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    // Refuse before reading the body when the caller may not add to this transaction.
    as_caller(&pool, who.clone(), move |conn, actor| documents::check_new_document(conn, actor, id)).await?;
    let upload = receive(form, &blobs, config.max_upload_bytes, &["title", "kind", "note", "sha256"]).await?;
    let title = upload.fields.get("title").cloned().unwrap_or_default();
    let note = upload.fields.get("note").cloned().filter(|n| !n.trim().is_empty());
    let kind: DocumentKind = match upload.fields.get("kind") {
        None => DocumentKind::Attachment,
        Some(k) => k.parse().map_err(|_| ApiError::field("kind", "invalid", "unknown kind of document"))?,
    };
    documents::validate_header(&title, note.as_deref())?;
    let file = upload.file;
    let doc = as_caller(&pool, who, move |conn, actor| {
        documents::create(conn, actor, id, title.trim(), kind, note.as_deref(), &file)
    })
    .await?;
    if let Some(v) = doc.versions.first() {
        extract_later(pool.clone(), blobs.clone(), v);
    }
    Ok(HttpResponse::Created().json(doc))
}

/// Add a version to a document
///
/// `multipart/form-data` with optional `note` and `sha256`, then `file`: the content becomes the document's next
/// version, and every earlier version, the original included, is kept unchanged. Two uploads at once both land, as
/// consecutive versions. The same media types, size limit and checks apply as to a new document (400
/// `malformed_upload`, 413, 415, 422). Any member of staff who may see the transaction, while it is a draft or open;
/// auditors get 403 `forbidden`; 409 `transaction_closed`, `transaction_archived` or `document_withdrawn`. Records a
/// `version_added` event. A document of a transaction the caller may not see answers 404 `document_not_found`, like a
/// missing one.
#[utoipa::path(tag = "documents", params(("id" = i64, Path, description = "Document id")),
    request_body(content = NewVersionForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The new version", body = DocumentVersion),
        (status = 400, description = "`malformed_upload`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`document_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`document_withdrawn`, `transaction_closed`, `transaction_archived`", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`", body = Problem, content_type = "application/problem+json"),
    ), security(("bearer" = [])))]
#[post("/documents/{id}/versions")]
pub async fn upload_version(
    pool: Pool,
    config: Config,
    blobs: Blobs,
    who: AuthUser,
    id: web::Path<i64>,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    as_caller(&pool, who.clone(), move |conn, actor| documents::check_new_version(conn, actor, id)).await?;
    let upload = receive(form, &blobs, config.max_upload_bytes, &["note", "sha256"]).await?;
    let note = upload.fields.get("note").cloned().filter(|n| !n.trim().is_empty());
    documents::validate_note(note.as_deref())?;
    let file = upload.file;
    let version =
        as_caller(&pool, who, move |conn, actor| documents::add_version(conn, actor, id, note.as_deref(), &file))
            .await?;
    extract_later(pool.clone(), blobs.clone(), &version);
    Ok(HttpResponse::Created().json(version))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Also list withdrawn documents.
    pub include_withdrawn: Option<bool>,
}

/// List a transaction's documents
///
/// The transaction's documents, oldest first, each with all its versions (the original first), their SHA-256, size,
/// media type, file name, author, text status and `content_url`. Withdrawn documents are left out unless
/// `include_withdrawn=true`. Hidden transactions (above the caller's clearance, or, for anyone but administrators and
/// auditors, with no route, registry or authorship tie to the caller) answer 404 `transaction_not_found`, exactly like
/// missing ones.
#[utoipa::path(tag = "documents", params(("id" = i64, Path, description = "Transaction id"), ListQuery), responses(
    (status = 200, description = "The documents", body = Vec<Document>),
    (status = 404, description = "`transaction_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/transactions/{id}/documents")]
pub async fn list(
    pool: Pool,
    who: AuthUser,
    id: web::Path<i64>,
    query: web::Query<ListQuery>,
) -> Result<web::Json<Vec<Document>>, ApiError> {
    let (id, all) = (id.into_inner(), query.include_withdrawn.unwrap_or(false));
    read(&pool, who, move |conn, actor| documents::list(conn, actor, id, all)).await
}

/// Get a document with its versions
///
/// One document with every version, the original first, each with its SHA-256, size, media type, file name, author,
/// time, text-extraction status and `content_url`. A withdrawn document is still answered, with who withdrew it, when
/// and why. Anyone who may see its transaction may read it; for anyone else it answers 404 `document_not_found`, like a
/// missing one.
#[utoipa::path(tag = "documents", params(("id" = i64, Path, description = "Document id")), responses(
    (status = 200, description = "The document", body = Document),
    (status = 404, description = "`document_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/documents/{id}")]
pub async fn get_document(pool: Pool, who: AuthUser, id: web::Path<i64>) -> Result<web::Json<Document>, ApiError> {
    let id = id.into_inner();
    read(&pool, who, move |conn, actor| documents::get(conn, actor, id)).await
}

/// Withdraw a document
///
/// Withdraws a document, with a `reason`: it leaves the normal list of the transaction's documents but is kept, with
/// every version, still readable by id and with `include_withdrawn=true`, and a `document_withdrawn` event records who
/// and why. Any member of staff who may see the transaction, while it is a draft or open; auditors get 403 `forbidden`.
/// 404 `document_not_found` when missing or hidden; 409 `document_withdrawn` (already), `transaction_closed` or
/// `transaction_archived`; 422 `validation_failed` without a reason.
#[utoipa::path(tag = "documents", request_body = WithdrawRequest, params(("id" = i64, Path, description = "Document id")), responses(
    (status = 200, description = "The withdrawn document", body = Document),
    (status = 404, description = "`document_not_found`", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`document_withdrawn` (already), `transaction_closed`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A reason is required", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/documents/{id}/withdraw")]
pub async fn withdraw(
    pool: Pool,
    who: AuthUser,
    id: web::Path<i64>,
    body: Json<WithdrawRequest>,
) -> Result<web::Json<Document>, ApiError> {
    let (id, reason) = (id.into_inner(), body.into_inner().reason);
    read(&pool, who, move |conn, actor| documents::withdraw(conn, actor, id, &reason)).await
}

/// Get the extracted text of a version
///
/// The text extracted from a version for search, with its `status`: `pending` while extraction runs after the upload,
/// then `extracted`, `unsupported` (a kind of file whose text is not read) or `failed` (with the `error`). Each read is
/// audited as `document_text_read`. Anyone who may see the transaction; otherwise, as for a missing document or
/// version, 404 `document_not_found` or `document_version_not_found`.
#[utoipa::path(tag = "documents", params(("id" = i64, Path, description = "Document id"), ("version" = i32, Path, description = "Version")), responses(
    (status = 200, description = "The text and its status", body = DocumentText),
    (status = 404, description = "`document_not_found`, `document_version_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/documents/{id}/versions/{version}/text")]
pub async fn text(pool: Pool, who: AuthUser, path: web::Path<(i64, i32)>) -> Result<web::Json<DocumentText>, ApiError> {
    let (id, version) = path.into_inner();
    read(&pool, who, move |conn, actor| documents::text(conn, actor, id, version)).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DownloadQuery {
    /// `Content-Disposition: inline` (for a preview) instead of `attachment`.
    pub inline: Option<bool>,
    /// Hash the stored content again before sending it; a mismatch answers 500 and is logged.
    pub verify: Option<bool>,
}

/// `bytes=a-b`, `bytes=a-` or `bytes=-n` against a size: the range, `Err` when it cannot be satisfied, `None` for no
/// range or one this server ignores (several ranges: the whole content is sent, as RFC 9110 allows).
fn byte_range(header: Option<&str>, size: u64) -> Option<Result<std::ops::Range<u64>, ()>> {
    let spec = header?.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (start, end) = spec.split_once('-')?;
    let (start, end) = (start.trim(), end.trim());
    let range = if start.is_empty() {
        let n: u64 = end.parse().ok()?;
        if n == 0 {
            return Some(Err(()));
        }
        size.saturating_sub(n)..size
    } else {
        let a: u64 = start.parse().ok()?;
        if a >= size {
            return Some(Err(()));
        }
        let b: u64 = if end.is_empty() { size - 1 } else { end.parse().ok()? };
        if b < a {
            return None;
        }
        a..(b + 1).min(size)
    };
    if range.start >= size || range.is_empty() { Some(Err(())) } else { Some(Ok(range)) }
}

/// `Content-Disposition` with an ASCII fallback and the exact name per RFC 5987 (Arabic names survive).
pub(super) fn disposition(inline: bool, name: &str) -> String {
    let fallback: String =
        name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    let kind = if inline { "inline" } else { "attachment" };
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// Download a version of a document
///
/// Streams the version's bytes with its media type, `ETag` (its SHA-256), `Content-Length`, `Accept-Ranges: bytes` and
/// the file name in `Content-Disposition` (RFC 6266/5987, so Arabic names survive; `inline=true` for a preview). One
/// byte range answers 206 (several ranges: the whole content), an unsatisfiable one 416 `range_not_satisfiable`, and a
/// matching `If-None-Match` 304. `verify=true` hashes the stored bytes again before sending and answers 500 when they
/// no longer match. Every download is audited as `document_downloaded`. Anyone who may see the transaction; otherwise,
/// as for a missing document or version, 404 `document_not_found` or `document_version_not_found`.
#[utoipa::path(tag = "documents", params(
        ("id" = i64, Path, description = "Document id"), ("version" = i32, Path, description = "Version, 1 = the original"),
        ("Range" = Option<String>, Header, description = "One byte range, `bytes=0-1023`"),
        ("If-None-Match" = Option<String>, Header, description = "The `ETag` of a copy the client holds: 304 when it is this version's"),
        DownloadQuery),
    responses(
        (status = 200, description = "The content", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 206, description = "The requested range", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 304, description = "Unchanged (`If-None-Match`)"),
        (status = 404, description = "`document_not_found`, `document_version_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 416, description = "`range_not_satisfiable`", body = Problem, content_type = "application/problem+json"),
    ), security(("bearer" = [])))]
#[get("/documents/{id}/versions/{version}/content")]
pub async fn download(
    pool: Pool,
    blobs: Blobs,
    who: AuthUser,
    path: web::Path<(i64, i32)>,
    query: web::Query<DownloadQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (id, version) = path.into_inner();
    let v = as_caller(&pool, who, move |conn, actor| documents::version_for_download(conn, actor, id, version)).await?;
    let etag = format!("\"{}\"", v.sha256);
    if req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| h.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        return Ok(HttpResponse::NotModified().insert_header((header::ETAG, etag)).finish());
    }
    if query.verify.unwrap_or(false) {
        let actual = blobs.checksum(&v.sha256).await?;
        if actual != v.sha256 {
            return Err(ApiError::internal(format!(
                "document {id} version {version}: stored content hashes to {actual}, expected {}",
                v.sha256
            )));
        }
    }
    let size = v.size as u64;
    let range = byte_range(req.headers().get(header::RANGE).and_then(|h| h.to_str().ok()), size);
    let (mut response, range) = match range {
        Some(Err(())) => {
            let mut res = actix_web::ResponseError::error_response(&ApiError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                ErrorCode::RangeNotSatisfiable,
                format!("The content has {size} bytes."),
            ));
            res.headers_mut().insert(
                header::CONTENT_RANGE,
                header::HeaderValue::from_str(&format!("bytes */{size}")).map_err(ApiError::internal)?,
            );
            return Ok(res);
        }
        Some(Ok(r)) => {
            let mut res = HttpResponse::PartialContent();
            res.insert_header((header::CONTENT_RANGE, format!("bytes {}-{}/{size}", r.start, r.end - 1)));
            (res, Some(r))
        }
        None => (HttpResponse::Ok(), None),
    };
    let length = range.as_ref().map_or(size, |r| r.end - r.start);
    let stream = blobs.read(&v.sha256, range).await?;
    Ok(response
        .insert_header((header::CONTENT_TYPE, v.media_type.clone()))
        .insert_header((header::ETAG, etag))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::CONTENT_DISPOSITION, disposition(query.inline.unwrap_or(false), &v.file_name)))
        .insert_header((header::CACHE_CONTROL, "private, max-age=0, must-revalidate"))
        // Already final bytes: the compression middleware must not touch them (lengths and ranges would break).
        .insert_header(ContentEncoding::Identity)
        .no_chunking(length)
        .streaming(stream))
}

/// Delete a version (always refused)
///
/// Stored versions can never be removed: after the same visibility check as a read, this answers 409
/// `version_immutable` and changes nothing; a document or version the caller may not see, or that does not exist,
/// answers 404 `document_not_found` or `document_version_not_found`. To take a document out of the normal list,
/// withdraw it with `POST /documents/{id}/withdraw`.
#[utoipa::path(tag = "documents", params(("id" = i64, Path, description = "Document id"), ("version" = i32, Path, description = "Version")), responses(
    (status = 404, description = "`document_not_found`, `document_version_not_found`", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`version_immutable`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/documents/{id}/versions/{version}")]
pub async fn refuse_delete(pool: Pool, who: AuthUser, path: web::Path<(i64, i32)>) -> Result<HttpResponse, ApiError> {
    let (id, version) = path.into_inner();
    read(&pool, who, move |conn, actor| documents::refuse_change(conn, actor, id, version)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replace a version (always refused)
///
/// Stored versions can never be replaced: after the same visibility check as a read, this answers 409
/// `version_immutable` and changes nothing; a document or version the caller may not see, or that does not exist,
/// answers 404 `document_not_found` or `document_version_not_found`. Upload the changed content as a new version with
/// `POST /documents/{id}/versions` instead.
#[utoipa::path(tag = "documents", params(("id" = i64, Path, description = "Document id"), ("version" = i32, Path, description = "Version")), responses(
    (status = 404, description = "`document_not_found`, `document_version_not_found`", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`version_immutable`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[put("/documents/{id}/versions/{version}")]
pub async fn refuse_put(pool: Pool, who: AuthUser, path: web::Path<(i64, i32)>) -> Result<HttpResponse, ApiError> {
    let (id, version) = path.into_inner();
    read(&pool, who, move |conn, actor| documents::refuse_change(conn, actor, id, version)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(byte_range(Some("bytes=0-9"), 100), Some(Ok(0..10)));
        assert_eq!(byte_range(Some("bytes=90-"), 100), Some(Ok(90..100)));
        assert_eq!(byte_range(Some("bytes=-10"), 100), Some(Ok(90..100)));
        assert_eq!(byte_range(Some("bytes=95-200"), 100), Some(Ok(95..100)));
        assert_eq!(byte_range(Some("bytes=100-"), 100), Some(Err(())));
        assert_eq!(byte_range(Some("bytes=0-1,5-6"), 100), None);
        assert_eq!(byte_range(Some("items=0-1"), 100), None);
        assert_eq!(byte_range(None, 100), None);
    }

    #[test]
    fn arabic_file_names_are_encoded() {
        let d = disposition(false, "خطاب الوزارة.pdf");
        assert!(d.starts_with("attachment; filename=\"____ _______.pdf\"; filename*=UTF-8''%D8%AE"), "{d}");
        assert!(disposition(true, "a\"b.pdf").starts_with("inline; filename=\"a_b.pdf\""));
    }

    #[test]
    fn file_names_with_paths_or_control_characters_are_refused() {
        for bad in ["../etc/passwd", "a/b.pdf", "a\\b.pdf", "a\u{0}b.pdf", "tab\t.pdf", "", "..", "."] {
            assert!(clean_file_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(clean_file_name("خطاب.pdf").ok().as_deref(), Some("خطاب.pdf"));
    }
}
