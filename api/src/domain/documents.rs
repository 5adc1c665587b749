//! Documents and their versions: the database side. Who may see them is who may see their transaction
//! (`policy::visible_transaction`, the one check); the bytes live in the blob store (`crate::blobs`).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;
use shared_types::limits::{MAX_NOTE, MAX_SUBJECT};
use shared_types::{
    AuditAction, Document, DocumentKind, DocumentText, DocumentVersion, ErrorCode, EventKind, TextStatus, Withdrawal,
};

use super::actor::Actor;
use super::audit;
use super::timeline::record;
use super::views::Refs;
use super::{now, policy, utc};
use crate::columns::AsText;
use crate::db::{self, DbConn};
use crate::domain::ids::{DocumentId, TransactionId};
use crate::error::{ApiError, Validator};
use crate::models::{DocumentRow, DocumentVersionRow, TransactionRow};
use crate::schema::{document_versions, documents};

/// A file that has fully arrived and is in the blob store.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub file_name: String,
}

/// Check before the upload is read: the transaction is visible and writable.
pub fn check_new_document(conn: &mut DbConn, actor: &Actor, transaction_id: TransactionId) -> Result<(), ApiError> {
    let t = policy::visible_transaction(conn, actor, transaction_id)?;
    policy::may_add_document(actor, &t)
}

/// A document whose transaction the actor may see, or 404.
fn visible_document(
    conn: &mut DbConn,
    actor: &Actor,
    id: DocumentId,
) -> Result<(DocumentRow, TransactionRow), ApiError> {
    let not_found = || ApiError::not_found(ErrorCode::DocumentNotFound, format!("No document {id}."));
    let d: DocumentRow =
        documents::table.find(id).select(DocumentRow::as_select()).first(conn).optional()?.ok_or_else(not_found)?;
    let t = policy::visible_transaction(conn, actor, TransactionId(d.transaction_id)).map_err(|_| not_found())?;
    Ok((d, t))
}

/// Check before a new version's upload is read.
pub fn check_new_version(conn: &mut DbConn, actor: &Actor, document_id: DocumentId) -> Result<(), ApiError> {
    let (d, t) = visible_document(conn, actor, document_id)?;
    policy::may_add_document(actor, &t)?;
    if d.withdrawn_at.is_some() {
        return Err(ApiError::conflict(ErrorCode::DocumentWithdrawn, "This document was withdrawn."));
    }
    Ok(())
}

pub fn validate_header(title: &str, note: Option<&str>) -> Result<(), ApiError> {
    let mut v = Validator::new();
    v.text("title", title, MAX_SUBJECT);
    v.optional_text("note", note, MAX_NOTE);
    v.finish()
}

/// A new version's note.
pub fn validate_note(note: Option<&str>) -> Result<(), ApiError> {
    let mut v = Validator::new();
    v.optional_text("note", note, MAX_NOTE);
    v.finish()
}

pub fn record_blob(conn: &mut DbConn, file: &StoredFile, at: NaiveDateTime) -> Result<(), ApiError> {
    Ok(db::insert_blob(conn, &file.sha256, file.size, &file.media_type, at)?)
}

fn insert_version(
    conn: &mut DbConn,
    actor: &Actor,
    document_id: i64,
    version: i32,
    file: &StoredFile,
    note: Option<&str>,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::insert_into(document_versions::table)
        .values((
            document_versions::document_id.eq(document_id),
            document_versions::version.eq(version),
            document_versions::sha256.eq(&file.sha256),
            document_versions::size.eq(file.size),
            document_versions::media_type.eq(&file.media_type),
            document_versions::file_name.eq(&file.file_name),
            document_versions::note.eq(note),
            document_versions::author_id.eq(actor.id()),
            document_versions::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Register a new document with its original (version 1), once its content is in the store.
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    transaction_id: TransactionId,
    title: &str,
    kind: DocumentKind,
    note: Option<&str>,
    file: &StoredFile,
) -> Result<Document, ApiError> {
    let t = policy::visible_transaction(conn, actor, transaction_id)?;
    policy::ensure_writable(&t)?;
    let id = add_to(conn, actor, &t, title, kind, note, file)?;
    get(conn, actor, DocumentId(id))
}

/// Add a document to a transaction inside the caller's write transaction; answers its id.
pub fn add_to(
    conn: &mut DbConn,
    actor: &Actor,
    t: &TransactionRow,
    title: &str,
    kind: DocumentKind,
    note: Option<&str>,
    file: &StoredFile,
) -> Result<i64, ApiError> {
    let at = now();
    record_blob(conn, file, at)?;
    let id: i64 = diesel::insert_into(documents::table)
        .values((
            documents::transaction_id.eq(t.id),
            documents::title.eq(title),
            documents::kind.eq(AsText(kind)),
            documents::created_by.eq(actor.id()),
            documents::created_at.eq(at),
            documents::versions.eq(1),
        ))
        .returning(documents::id)
        .get_result(conn)?;
    insert_version(conn, actor, id, 1, file, note, at)?;
    record(
        conn,
        t.id,
        None,
        EventKind::DocumentAdded,
        actor,
        at,
        json!({"document_id": id, "title": title, "version": 1, "sha256": file.sha256}),
    )?;
    Ok(id)
}

/// Add a version. Two uploads to one document at once both land, as consecutive versions.
pub fn add_version(
    conn: &mut DbConn,
    actor: &Actor,
    document_id: DocumentId,
    note: Option<&str>,
    file: &StoredFile,
) -> Result<DocumentVersion, ApiError> {
    let at = now();
    let version = {
        let (d, t) = visible_document(conn, actor, document_id)?;
        policy::ensure_writable(&t)?;
        record_blob(conn, file, at)?;
        // Taking the number locks the document's row until commit: concurrent uploads queue here.
        let version: Option<i32> =
            diesel::update(documents::table.find(d.id).filter(documents::withdrawn_at.is_null()))
                .set(documents::versions.eq(documents::versions + 1))
                .returning(documents::versions)
                .get_result(conn)
                .optional()?;
        let version =
            version.ok_or_else(|| ApiError::conflict(ErrorCode::DocumentWithdrawn, "This document was withdrawn."))?;
        insert_version(conn, actor, d.id, version, file, note, at)?;
        record(
            conn,
            t.id,
            None,
            EventKind::VersionAdded,
            actor,
            at,
            json!({"document_id": d.id, "title": d.title, "version": version, "sha256": file.sha256, "note": note}),
        )?;
        version
    };
    let doc = get(conn, actor, document_id)?;
    doc.versions
        .into_iter()
        .find(|v| v.version == version)
        .ok_or_else(|| ApiError::internal(format!("version {version} of document {document_id} vanished")))
}

/// Withdraw a document: hidden from the normal list, kept with every version, recorded on the timeline.
pub fn withdraw(conn: &mut DbConn, actor: &Actor, document_id: DocumentId, reason: &str) -> Result<Document, ApiError> {
    let at = now();
    let (d, t) = visible_document(conn, actor, document_id)?;
    policy::ensure_staff(actor)?;
    policy::ensure_writable(&t)?;
    let mut v = Validator::new();
    v.text("reason", reason, MAX_NOTE);
    v.finish()?;
    let changed = diesel::update(documents::table.find(d.id).filter(documents::withdrawn_at.is_null()))
        .set((
            documents::withdrawn_at.eq(at),
            documents::withdrawn_by.eq(actor.id()),
            documents::withdrawn_reason.eq(reason.trim()),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(ApiError::conflict(ErrorCode::DocumentWithdrawn, "This document was already withdrawn."));
    }
    record(
        conn,
        t.id,
        None,
        EventKind::DocumentWithdrawn,
        actor,
        at,
        json!({"document_id": d.id, "title": d.title, "note": reason.trim()}),
    )?;
    get(conn, actor, document_id)
}

fn assemble(conn: &mut DbConn, rows: Vec<DocumentRow>) -> Result<Vec<Document>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|d| d.id).collect();
    let versions: Vec<DocumentVersionRow> = document_versions::table
        .filter(document_versions::document_id.eq_any(&ids))
        .order((document_versions::document_id, document_versions::version))
        .select(DocumentVersionRow::as_select())
        .load(conn)?;
    let refs = Refs::load(
        conn,
        [],
        rows.iter()
            .flat_map(|d| [Some(d.created_by), d.withdrawn_by].into_iter().flatten())
            .chain(versions.iter().map(|v| v.author_id)),
        [],
    )?;
    Ok(rows
        .into_iter()
        .map(|d| Document {
            id: d.id,
            transaction_id: d.transaction_id,
            title: d.title.clone(),
            kind: d.kind,
            created_by: refs.user(d.created_by),
            created_at: utc(d.created_at),
            withdrawn: d.withdrawn_at.map(|at| Withdrawal {
                by: refs.user(d.withdrawn_by.unwrap_or(d.created_by)),
                at: utc(at),
                reason: d.withdrawn_reason.clone().unwrap_or_default(),
            }),
            versions: versions.iter().filter(|v| v.document_id == d.id).map(|v| version_view(v, &refs)).collect(),
        })
        .collect())
}

fn version_view(v: &DocumentVersionRow, refs: &Refs) -> DocumentVersion {
    DocumentVersion {
        document_id: v.document_id,
        version: v.version,
        sha256: v.sha256.clone(),
        size: v.size,
        media_type: v.media_type.clone(),
        file_name: v.file_name.clone(),
        note: v.note.clone(),
        author: refs.user(v.author_id),
        created_at: utc(v.created_at),
        content_url: format!("/api/v1/documents/{}/versions/{}/content", v.document_id, v.version),
        text_status: v.text_status,
    }
}

/// One document with all its versions.
pub fn get(conn: &mut DbConn, actor: &Actor, id: DocumentId) -> Result<Document, ApiError> {
    let (d, _) = visible_document(conn, actor, id)?;
    assemble(conn, vec![d])?
        .pop()
        .ok_or_else(|| ApiError::not_found(ErrorCode::DocumentNotFound, format!("No document {id}.")))
}

/// A transaction's documents, oldest first; withdrawn ones only when asked for.
pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    transaction_id: TransactionId,
    include_withdrawn: bool,
) -> Result<Vec<Document>, ApiError> {
    let t = policy::visible_transaction(conn, actor, transaction_id)?;
    let mut query = documents::table.filter(documents::transaction_id.eq(t.id)).into_boxed();
    if !include_withdrawn {
        query = query.filter(documents::withdrawn_at.is_null());
    }
    let rows = query.order(documents::id).select(DocumentRow::as_select()).load(conn)?;
    assemble(conn, rows)
}

/// The stored version a download asks for.
/// A version of a document the actor may see, for its content to be sent; the read is audited.
pub fn version_for_download(
    conn: &mut DbConn,
    actor: &Actor,
    document_id: DocumentId,
    version: i32,
) -> Result<DocumentVersionRow, ApiError> {
    let (v, transaction_id) = version_row(conn, actor, document_id, version)?;
    audit_read(conn, actor, AuditAction::DocumentDownloaded, &v, transaction_id)?;
    Ok(v)
}

fn audit_read(
    conn: &mut DbConn,
    actor: &Actor,
    action: AuditAction,
    v: &DocumentVersionRow,
    transaction_id: i64,
) -> Result<(), ApiError> {
    let object = audit::Object::Document(v.document_id, transaction_id);
    let details = json!({"version": v.version, "sha256": v.sha256});
    audit::record(conn, &audit::Who::of(actor), action, object, details)
}

/// A version of a document the actor may see, with the document's transaction.
fn version_row(
    conn: &mut DbConn,
    actor: &Actor,
    document_id: DocumentId,
    version: i32,
) -> Result<(DocumentVersionRow, i64), ApiError> {
    let (d, t) = visible_document(conn, actor, document_id)?;
    let v = document_versions::table
        .filter(document_versions::document_id.eq(d.id))
        .filter(document_versions::version.eq(version))
        .select(DocumentVersionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            ApiError::not_found(
                ErrorCode::DocumentVersionNotFound,
                format!("Document {document_id} has no version {version}."),
            )
        })?;
    Ok((v, t.id))
}

/// Stored versions never change: any attempt answers 409 (after the same visibility check as a read).
pub fn refuse_change(conn: &mut DbConn, actor: &Actor, document_id: DocumentId, version: i32) -> Result<(), ApiError> {
    version_row(conn, actor, document_id, version)?;
    let what = if version == 1 { "The original (version 1)" } else { "A stored version" };
    Err(ApiError::conflict(
        ErrorCode::VersionImmutable,
        format!("{what} can never be changed or removed; upload a new version instead."),
    ))
}

/// Keep what text extraction made of a version.
pub fn record_text(
    conn: &mut DbConn,
    document_id: i64,
    version: i32,
    outcome: crate::extract::Outcome,
) -> Result<(), ApiError> {
    use crate::extract::Outcome;
    let (status, text, error) = match outcome {
        Outcome::Text(t) => (TextStatus::Extracted, Some(t), None),
        Outcome::Unsupported => (TextStatus::Unsupported, None, None),
        Outcome::Failed(e) => (TextStatus::Failed, None, Some(e)),
    };
    diesel::update(
        document_versions::table
            .filter(document_versions::document_id.eq(document_id))
            .filter(document_versions::version.eq(version)),
    )
    .set((
        document_versions::text_status.eq(AsText(status)),
        document_versions::text_content.eq(text),
        document_versions::text_error.eq(error),
    ))
    .execute(conn)?;
    // The text is searched from now on (when this is the current version).
    let transaction_id: i64 = documents::table.find(document_id).select(documents::transaction_id).first(conn)?;
    super::search::reindex(conn, &[transaction_id])
}

/// The extracted text of a version.
pub fn text(conn: &mut DbConn, actor: &Actor, document_id: DocumentId, version: i32) -> Result<DocumentText, ApiError> {
    let (v, transaction_id) = version_row(conn, actor, document_id, version)?;
    audit_read(conn, actor, AuditAction::DocumentTextRead, &v, transaction_id)?;
    let (text, error): (Option<String>, Option<String>) = document_versions::table
        .find(v.id)
        .select((document_versions::text_content, document_versions::text_error))
        .first(conn)?;
    Ok(DocumentText { document_id: document_id.0, version, status: v.text_status, text, error })
}
