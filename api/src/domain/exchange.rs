//! Inter-organisation exchange: an outgoing letter, once registered, is readable by the agency it is addressed to
//! (an API client whose entity is its recipient, with the `receive` scope, cleared for the letter's confidentiality),
//! with its documents. Every read of a
//! document's content is audited with the client as the actor.

use diesel::prelude::*;
use serde_json::json;
use shared_types::{
    AuditAction, ErrorCode, Page, ReceivedDocument, ReceivedLetter, TransactionKind, TransactionStatus,
};

use super::audit::{self, Object, Who};
use super::utc;
use crate::columns::{AsLevel, AsText};
use crate::db::DbConn;
use crate::domain::ids::{DocumentId, TransactionId};
use crate::error::ApiError;
use crate::models::{ApiClientRow, DocumentRow, DocumentVersionRow, TransactionRow};
use crate::schema::{document_versions, documents, transactions};

fn not_found(id: i64) -> ApiError {
    ApiError::not_found(ErrorCode::TransactionNotFound, format!("No letter {id} addressed to you."))
}

/// Registered outgoing letters addressed to the client's entity, within the client's clearance.
fn addressed_to(client: &ApiClientRow) -> transactions::BoxedQuery<'static, <DbConn as diesel::Connection>::Backend> {
    transactions::table
        .filter(transactions::confidentiality.le(AsLevel::from(client.clearance)))
        .filter(transactions::kind.eq(AsText(TransactionKind::Outgoing)))
        .filter(transactions::external_entity_id.eq(client.external_entity_id))
        .filter(transactions::registration_number.is_not_null())
        .filter(transactions::status.ne(AsText(TransactionStatus::Draft)))
        .into_boxed()
}

fn letters(conn: &mut DbConn, rows: &[TransactionRow]) -> Result<Vec<ReceivedLetter>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|t| t.id).collect();
    let docs: Vec<(DocumentRow, DocumentVersionRow)> = documents::table
        .inner_join(document_versions::table.on(
            document_versions::document_id.eq(documents::id).and(document_versions::version.eq(documents::versions)),
        ))
        .filter(documents::transaction_id.eq_any(&ids))
        .filter(documents::withdrawn_at.is_null())
        .order(documents::id)
        .select((DocumentRow::as_select(), DocumentVersionRow::as_select()))
        .load(conn)?;
    Ok(rows
        .iter()
        .map(|t| ReceivedLetter {
            id: t.id,
            registration_number: t.registration_number.clone().unwrap_or_default(),
            subject: t.subject.clone(),
            summary: t.summary.clone(),
            registered_at: utc(t.registered_at.unwrap_or(t.created_at)),
            documents: docs
                .iter()
                .filter(|(d, _)| d.transaction_id == t.id)
                .map(|(d, v)| ReceivedDocument {
                    id: d.id,
                    title: d.title.clone(),
                    version: v.version,
                    file_name: v.file_name.clone(),
                    media_type: v.media_type.clone(),
                    size: v.size,
                    sha256: v.sha256.clone(),
                })
                .collect(),
        })
        .collect())
}

/// Letters addressed to the agency, newest first, a page at a time.
pub fn list(
    conn: &mut DbConn,
    client: &ApiClientRow,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> Result<Page<ReceivedLetter>, ApiError> {
    let size = super::paging::size(limit);
    let mut q = addressed_to(client);
    if let Some(before) = super::paging::after(cursor, 't')? {
        q = q.filter(transactions::id.lt(before));
    }
    let rows: Vec<TransactionRow> =
        q.order(transactions::id.desc()).limit(i64::from(size) + 1).select(TransactionRow::as_select()).load(conn)?;
    super::paging::page(rows, size, 't', |t| t.id, |rows| letters(conn, rows))
}

pub fn get(conn: &mut DbConn, client: &ApiClientRow, id: TransactionId) -> Result<ReceivedLetter, ApiError> {
    let row: TransactionRow = addressed_to(client)
        .filter(transactions::id.eq(id))
        .select(TransactionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found(id.0))?;
    Ok(letters(conn, &[row])?.remove(0))
}

/// The latest version of a document of a letter addressed to the agency, for its content to be sent; audited.
pub fn document_for_download(
    conn: &mut DbConn,
    client: &ApiClientRow,
    origin: Option<String>,
    letter: TransactionId,
    document: DocumentId,
) -> Result<ReceivedDocument, ApiError> {
    let found = get(conn, client, letter)?.documents.into_iter().find(|d| d.id == document.0).ok_or_else(|| {
        ApiError::not_found(ErrorCode::DocumentNotFound, format!("No document {document} in letter {letter}."))
    })?;
    let who = Who { client_id: Some(client.id), origin, ..Who::default() };
    let details = json!({"version": found.version, "sha256": found.sha256});
    audit::record(conn, &who, AuditAction::DocumentDownloaded, Object::Document(document.0, letter.0), details)?;
    Ok(found)
}
