//! `/documents` and `/transactions/{id}/documents`: upload a document or a new version (streamed
//! `multipart/form-data`), list, download (streamed, with `Range`, `ETag` and an RFC 6266 file name), withdraw.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentEncoding, Header, TryIntoHeaderValue};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use shared_types::{
    Document, DocumentKind, DocumentText, DocumentVersion, ErrorCode, NewDocumentForm, NewVersionForm, Problem,
    WithdrawRequest,
};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::body::Json;
use super::{Config, Pool, as_caller, change, read};
use crate::auth::AuthUser;
use crate::blobs::BlobStore;
use crate::db;
use crate::domain::documents::{self};
use crate::domain::ids::{DocumentId, TransactionId};
use crate::error::ApiError;
use crate::uploads::receive;

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
        if let Err(e) = db::run(&pool, move |conn| {
            db::write_tx(conn, |conn| documents::record_text(conn, document_id, version, outcome))
        })
        .await
        {
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
    id: web::Path<TransactionId>,
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
    let doc = change(&pool, who, move |conn, actor| {
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
    id: web::Path<DocumentId>,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    as_caller(&pool, who.clone(), move |conn, actor| documents::check_new_version(conn, actor, id)).await?;
    let upload = receive(form, &blobs, config.max_upload_bytes, &["note", "sha256"]).await?;
    let note = upload.fields.get("note").cloned().filter(|n| !n.trim().is_empty());
    documents::validate_note(note.as_deref())?;
    let file = upload.file;
    let version =
        change(&pool, who, move |conn, actor| documents::add_version(conn, actor, id, note.as_deref(), &file)).await?;
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
    id: web::Path<TransactionId>,
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
pub async fn get_document(
    pool: Pool,
    who: AuthUser,
    id: web::Path<DocumentId>,
) -> Result<web::Json<Document>, ApiError> {
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
    id: web::Path<DocumentId>,
    body: Json<WithdrawRequest>,
) -> Result<web::Json<Document>, ApiError> {
    let (id, reason) = (id.into_inner(), body.into_inner().reason);
    change(&pool, who, move |conn, actor| documents::withdraw(conn, actor, id, &reason)).await.map(web::Json)
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
pub async fn text(
    pool: Pool,
    who: AuthUser,
    path: web::Path<(DocumentId, i32)>,
) -> Result<web::Json<DocumentText>, ApiError> {
    let (id, version) = path.into_inner();
    change(&pool, who, move |conn, actor| documents::text(conn, actor, id, version)).await.map(web::Json)
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

/// The range a `Range` header asks for, against a size: `None` for no range or one this server ignores (several
/// ranges, another unit, a malformed header: the whole content is sent, as RFC 9110 allows), `Some(None)` when it
/// cannot be satisfied, else the byte range.
fn byte_range(req: &HttpRequest, size: u64) -> Option<Option<std::ops::Range<u64>>> {
    // actix's parser drops the ranges of a list it cannot read (`bytes=0-1,5-2` would read as one range): a list,
    // valid or not, is answered whole, as before.
    let raw = req.headers().get(header::RANGE)?.to_str().ok()?;
    if raw.contains(',') {
        return None;
    }
    match header::Range::parse(req) {
        Ok(header::Range::Bytes(specs)) if specs.len() == 1 => {
            Some(specs[0].to_satisfiable_range(size).map(|(first, last)| first..last + 1))
        }
        _ => None,
    }
}

/// `Content-Disposition` with an ASCII fallback and the exact name per RFC 8187 (Arabic names survive). The
/// disposition and the fallback are actix's typed header; the exact name is encoded here, because actix's encode set
/// leaves `=`, `@` and other characters that RFC 8187 does not allow in `filename*` unencoded.
pub(super) fn disposition(inline: bool, name: &str) -> (header::HeaderName, String) {
    let fallback: String =
        name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    let typed = header::ContentDisposition {
        disposition: if inline { header::DispositionType::Inline } else { header::DispositionType::Attachment },
        parameters: vec![header::DispositionParam::Filename(fallback)],
    };
    /// RFC 8187 `attr-char`: everything else is percent-encoded.
    const NOT_ATTR_CHAR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'!')
        .remove(b'#')
        .remove(b'$')
        .remove(b'&')
        .remove(b'+')
        .remove(b'-')
        .remove(b'.')
        .remove(b'^')
        .remove(b'_')
        .remove(b'`')
        .remove(b'|')
        .remove(b'~');
    let exact = percent_encoding::utf8_percent_encode(name, NOT_ATTR_CHAR);
    (header::CONTENT_DISPOSITION, format!("{typed}; filename*=UTF-8''{exact}"))
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
    path: web::Path<(DocumentId, i32)>,
    query: web::Query<DownloadQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (id, version) = path.into_inner();
    let v = change(&pool, who, move |conn, actor| documents::version_for_download(conn, actor, id, version)).await?;
    let etag = header::EntityTag::new_strong(v.sha256.clone());
    // If-None-Match compares weakly (RFC 9110 §13.1.2).
    let unchanged = match header::IfNoneMatch::parse(&req) {
        Ok(header::IfNoneMatch::Any) => true,
        Ok(header::IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(&etag)),
        Err(_) => false,
    };
    if unchanged {
        return Ok(HttpResponse::NotModified().insert_header(header::ETag(etag)).finish());
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
    let (mut response, range) = match byte_range(&req, size) {
        Some(None) => {
            let mut res = actix_web::ResponseError::error_response(&ApiError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                ErrorCode::RangeNotSatisfiable,
                format!("The content has {size} bytes."),
            ));
            let unsatisfied =
                header::ContentRange(header::ContentRangeSpec::Bytes { range: None, instance_length: Some(size) });
            res.headers_mut().insert(header::CONTENT_RANGE, unsatisfied.try_into_value().map_err(ApiError::internal)?);
            return Ok(res);
        }
        Some(Some(r)) => {
            let mut res = HttpResponse::PartialContent();
            res.insert_header(header::ContentRange(header::ContentRangeSpec::Bytes {
                range: Some((r.start, r.end - 1)),
                instance_length: Some(size),
            }));
            (res, Some(r))
        }
        None => (HttpResponse::Ok(), None),
    };
    let length = range.as_ref().map_or(size, |r| r.end - r.start);
    let stream = blobs.read(&v.sha256, range).await?;
    Ok(response
        .insert_header((header::CONTENT_TYPE, v.media_type.clone()))
        .insert_header(header::ETag(etag))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header(disposition(query.inline.unwrap_or(false), &v.file_name))
        .insert_header(header::CacheControl(vec![
            header::CacheDirective::Private,
            header::CacheDirective::MaxAge(0),
            header::CacheDirective::MustRevalidate,
        ]))
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
pub async fn refuse_delete(
    pool: Pool,
    who: AuthUser,
    path: web::Path<(DocumentId, i32)>,
) -> Result<HttpResponse, ApiError> {
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
pub async fn refuse_put(
    pool: Pool,
    who: AuthUser,
    path: web::Path<(DocumentId, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (id, version) = path.into_inner();
    read(&pool, who, move |conn, actor| documents::refuse_change(conn, actor, id, version)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let range = |value: Option<&str>| {
            let mut req = actix_web::test::TestRequest::default();
            if let Some(value) = value {
                req = req.insert_header((header::RANGE, value));
            }
            byte_range(&req.to_http_request(), 100)
        };
        assert_eq!(range(Some("bytes=0-9")), Some(Some(0..10)));
        assert_eq!(range(Some("bytes=90-")), Some(Some(90..100)));
        assert_eq!(range(Some("bytes=-10")), Some(Some(90..100)));
        assert_eq!(range(Some("bytes=95-200")), Some(Some(95..100)));
        assert_eq!(range(Some("bytes=100-")), Some(None));
        assert_eq!(range(Some("bytes=-0")), Some(None));
        assert_eq!(range(Some("bytes=0-1,5-6")), None);
        assert_eq!(range(Some("bytes=0-1,5-2")), None, "a list is answered whole, even one actix would shorten");
        assert_eq!(range(Some("bytes=0-9,")), None);
        assert_eq!(range(Some("bytes=5-2")), None);
        assert_eq!(range(Some("items=0-1")), None);
        assert_eq!(range(None), None);
    }

    #[test]
    fn arabic_file_names_are_encoded() {
        let d = disposition(false, "خطاب الوزارة.pdf").1;
        assert!(d.starts_with("attachment; filename=\"____ _______.pdf\"; filename*=UTF-8''%D8%AE"), "{d}");
        assert!(disposition(true, "a\"b.pdf").1.starts_with("inline; filename=\"a_b.pdf\""));
        // RFC 8187: `=` and `@` are not attr-chars; `.` `-` `_` `~` are.
        assert!(disposition(false, "a=b@c-d_e~f.pdf").1.ends_with("filename*=UTF-8''a%3Db%40c-d_e~f.pdf"));
    }
}
