//! What external agencies submit: an incoming letter and its documents, waiting in the central registry's intake
//! queue until a registry clerk registers it (an incoming transaction from the agency, numbered; the number goes
//! back to the agency) or rejects it. An agency reads its own submissions only.

use diesel::prelude::*;
use serde_json::json;
use shared_types::limits::{MAX_NOTE, MAX_REFERENCE, MAX_SUBJECT, MAX_TEXT};
use shared_types::{
    AuditAction, DocumentKind, ErrorCode, NewSubmission, NewTransaction, Page, Priority, RegisterSubmission,
    RejectSubmission, Role, Submission, SubmissionStatus, SubmittedDocument, TransactionKind, TransactionWithReferrals,
    UnitKind,
};

use super::actor::Actor;
use super::audit::{self, Object, Who};
use super::documents::{self, StoredFile};
use super::views::Refs;
use super::{now, paging, policy, utc};
use crate::columns::AsText;
use crate::db::DbConn;
use crate::error::{ApiError, Validator};
use crate::models::{ApiClientRow, SubmissionDocumentRow, SubmissionRow, TransactionRow};
use crate::schema::{submission_documents, submissions, transactions};

/// Documents one submission may carry.
pub const MAX_DOCUMENTS: i64 = 50;

fn not_found(id: i64) -> ApiError {
    ApiError::not_found(ErrorCode::SubmissionNotFound, format!("No submission {id}."))
}

fn views(conn: &mut DbConn, rows: &[SubmissionRow]) -> Result<Vec<Submission>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let docs: Vec<SubmissionDocumentRow> = submission_documents::table
        .filter(submission_documents::submission_id.eq_any(&ids))
        .order(submission_documents::id)
        .select(SubmissionDocumentRow::as_select())
        .load(conn)?;
    let numbers: Vec<(i64, Option<String>)> = transactions::table
        .filter(transactions::id.eq_any(rows.iter().filter_map(|r| r.transaction_id).collect::<Vec<_>>()))
        .select((transactions::id, transactions::registration_number))
        .load(conn)?;
    let refs = Refs::load(conn, [], [], rows.iter().map(|r| r.external_entity_id))?;
    rows.iter()
        .map(|r| {
            Ok(Submission {
                id: r.id,
                status: r.status,
                sender: refs.entity(r.external_entity_id),
                subject: r.subject.clone(),
                summary: r.summary.clone(),
                sender_reference: r.sender_reference.clone(),
                sender_reference_date: r.sender_reference_date,
                priority: r.priority,
                submitted_at: utc(r.submitted_at),
                decided_at: r.decided_at.map(utc),
                registration_number: r
                    .transaction_id
                    .and_then(|t| numbers.iter().find(|(id, _)| *id == t).and_then(|(_, n)| n.clone())),
                decision_note: r.decision_note.clone(),
                documents: docs
                    .iter()
                    .filter(|d| d.submission_id == r.id)
                    .map(|d| SubmittedDocument {
                        id: d.id,
                        title: d.title.clone(),
                        file_name: d.file_name.clone(),
                        media_type: d.media_type.clone(),
                        size: d.size,
                        sha256: d.sha256.clone(),
                    })
                    .collect(),
                version: r.version,
            })
        })
        .collect()
}

fn one(conn: &mut DbConn, row: SubmissionRow) -> Result<Submission, ApiError> {
    Ok(views(conn, &[row])?.remove(0))
}

fn who(client: &ApiClientRow, origin: Option<String>) -> Who {
    Who { client_id: Some(client.id), origin, ..Who::default() }
}

/// An agency submits an incoming letter.
pub fn submit(
    conn: &mut DbConn,
    client: &ApiClientRow,
    origin: Option<String>,
    req: &NewSubmission,
) -> Result<Submission, ApiError> {
    let mut v = Validator::new();
    v.text("subject", &req.subject, MAX_SUBJECT);
    v.optional_text("summary", req.summary.as_deref(), MAX_TEXT);
    v.text("sender_reference", &req.sender_reference, MAX_REFERENCE);
    v.finish()?;
    let row: SubmissionRow = diesel::insert_into(submissions::table)
        .values((
            submissions::api_client_id.eq(client.id),
            submissions::external_entity_id.eq(client.external_entity_id),
            submissions::subject.eq(req.subject.trim()),
            submissions::summary.eq(req.summary.as_deref().map(str::trim).filter(|s| !s.is_empty())),
            submissions::sender_reference.eq(req.sender_reference.trim()),
            submissions::sender_reference_date.eq(req.sender_reference_date),
            submissions::priority.eq(AsText(req.priority.unwrap_or(Priority::Normal))),
            submissions::status.eq(AsText(SubmissionStatus::Pending)),
            submissions::submitted_at.eq(now()),
            submissions::version.eq(1),
        ))
        .returning(submissions::all_columns)
        .get_result(conn)?;
    let details = json!({"subject": row.subject, "sender_reference": row.sender_reference});
    audit::record(conn, &who(client, origin), AuditAction::SubmissionReceived, Object::Submission(row.id), details)?;
    one(conn, row)
}

/// An agency submits an incoming letter with its documents (already in the store), in the caller's transaction:
/// the letter and every document, or nothing.
pub fn submit_with_documents(
    conn: &mut DbConn,
    client: &ApiClientRow,
    origin: Option<String>,
    req: &NewSubmission,
    documents: &[(String, StoredFile)],
) -> Result<Submission, ApiError> {
    if documents.len() as i64 > MAX_DOCUMENTS {
        return Err(ApiError::field("file", "too_many", format!("at most {MAX_DOCUMENTS} documents")));
    }
    let submission = submit(conn, client, origin.clone(), req)?;
    for (title, file) in documents {
        add_document(conn, client, origin.clone(), submission.id, title, file)?;
    }
    get_own(conn, client, submission.id)
}

fn own(conn: &mut DbConn, client: &ApiClientRow, id: i64) -> Result<SubmissionRow, ApiError> {
    submissions::table
        .find(id)
        .filter(submissions::api_client_id.eq(client.id))
        .select(SubmissionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found(id))
}

/// Before an upload is read: the submission is the agency's own and still pending, with room for a document.
pub fn check_new_document(conn: &mut DbConn, client: &ApiClientRow, id: i64) -> Result<(), ApiError> {
    let row = own(conn, client, id)?;
    if row.status != SubmissionStatus::Pending {
        return Err(ApiError::conflict(ErrorCode::SubmissionDecided, "This submission was already decided."));
    }
    let count: i64 =
        submission_documents::table.filter(submission_documents::submission_id.eq(id)).count().get_result(conn)?;
    if count >= MAX_DOCUMENTS {
        return Err(ApiError::field("file", "too_many", format!("at most {MAX_DOCUMENTS} documents")));
    }
    Ok(())
}

/// Attach a document (already in the store) to the agency's pending submission.
pub fn add_document(
    conn: &mut DbConn,
    client: &ApiClientRow,
    origin: Option<String>,
    id: i64,
    title: &str,
    file: &StoredFile,
) -> Result<Submission, ApiError> {
    check_new_document(conn, client, id)?;
    let at = now();
    documents::record_blob(conn, file, at)?;
    let doc: i64 = diesel::insert_into(submission_documents::table)
        .values((
            submission_documents::submission_id.eq(id),
            submission_documents::title.eq(title),
            submission_documents::sha256.eq(&file.sha256),
            submission_documents::size.eq(file.size),
            submission_documents::media_type.eq(&file.media_type),
            submission_documents::file_name.eq(&file.file_name),
            submission_documents::added_at.eq(at),
        ))
        .returning(submission_documents::id)
        .get_result(conn)?;
    // A new version of the submission: a clerk who registers what they saw (`expected_version`) is told it changed.
    diesel::update(submissions::table.find(id)).set(submissions::version.eq(submissions::version + 1)).execute(conn)?;
    let details = json!({"document": doc, "title": title, "sha256": file.sha256, "size": file.size});
    audit::record(conn, &who(client, origin), AuditAction::SubmissionDocumentAdded, Object::Submission(id), details)?;
    let row = own(conn, client, id)?;
    one(conn, row)
}

/// The agency's own submissions, newest first, a page at a time.
pub fn list_own(
    conn: &mut DbConn,
    client: &ApiClientRow,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> Result<Page<Submission>, ApiError> {
    let size = paging::size(limit);
    let mut q = submissions::table.filter(submissions::api_client_id.eq(client.id)).into_boxed();
    if let Some(before) = paging::after(cursor, 's')? {
        q = q.filter(submissions::id.lt(before));
    }
    let rows: Vec<SubmissionRow> =
        q.order(submissions::id.desc()).limit(i64::from(size) + 1).select(SubmissionRow::as_select()).load(conn)?;
    paging::page(rows, size, 's', |r| r.id, |rows| views(conn, rows))
}

pub fn get_own(conn: &mut DbConn, client: &ApiClientRow, id: i64) -> Result<Submission, ApiError> {
    let row = own(conn, client, id)?;
    one(conn, row)
}

/// Who works the intake queue: clerks of the central registry (who register incoming correspondence).
fn ensure_intake(actor: &Actor) -> Result<(), ApiError> {
    let central = actor.unit.kind == UnitKind::CentralRegistry;
    if actor.has(Role::RegistryClerk) && central {
        Ok(())
    } else {
        Err(ApiError::forbidden("Only the central registry works the intake queue of agency submissions."))
    }
}

/// The intake queue: pending submissions, oldest first, a page at a time.
pub fn intake(
    conn: &mut DbConn,
    actor: &Actor,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> Result<Page<Submission>, ApiError> {
    ensure_intake(actor)?;
    let size = paging::size(limit);
    // A literal, not a bound value: only then can the planner use the partial index on pending submissions.
    let mut q = submissions::table
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
            "submissions.status = '{}'",
            SubmissionStatus::Pending
        )))
        .into_boxed();
    if let Some(after) = paging::after(cursor, 's')? {
        q = q.filter(submissions::id.gt(after));
    }
    let rows: Vec<SubmissionRow> =
        q.order(submissions::id.asc()).limit(i64::from(size) + 1).select(SubmissionRow::as_select()).load(conn)?;
    paging::page(rows, size, 's', |r| r.id, |rows| views(conn, rows))
}

/// One submission of the intake queue, pending or decided, for a clerk of the central registry to read before
/// deciding it.
pub fn intake_one(conn: &mut DbConn, actor: &Actor, id: i64) -> Result<Submission, ApiError> {
    let row = intake_row(conn, actor, id)?;
    one(conn, row)
}

/// A submission, for the central registry.
fn intake_row(conn: &mut DbConn, actor: &Actor, id: i64) -> Result<SubmissionRow, ApiError> {
    ensure_intake(actor)?;
    submissions::table.find(id).select(SubmissionRow::as_select()).first(conn).optional()?.ok_or_else(|| not_found(id))
}

/// A document of a submission, for a clerk of the central registry to read before registering it; audited as a
/// download.
pub fn intake_document(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    document: i64,
) -> Result<SubmittedDocument, ApiError> {
    let submission = intake_one(conn, actor, id)?;
    let found = submission.documents.into_iter().find(|d| d.id == document).ok_or_else(|| {
        ApiError::not_found(ErrorCode::DocumentNotFound, format!("No document {document} in submission {id}."))
    })?;
    let details = json!({"document": document, "sha256": found.sha256});
    audit::record(conn, &Who::of(actor), AuditAction::DocumentDownloaded, Object::Submission(id), details)?;
    Ok(found)
}

fn pending(conn: &mut DbConn, actor: &Actor, id: i64, expected: Option<i32>) -> Result<SubmissionRow, ApiError> {
    let row = intake_row(conn, actor, id)?;
    if row.status != SubmissionStatus::Pending {
        return Err(ApiError::conflict(ErrorCode::SubmissionDecided, "This submission was already decided."));
    }
    policy::ensure_version(expected, row.version)?;
    Ok(row)
}

/// Mark a pending submission decided, if nobody did meanwhile.
fn decide(
    conn: &mut DbConn,
    actor: &Actor,
    row: &SubmissionRow,
    status: SubmissionStatus,
    transaction: Option<i64>,
    note: Option<&str>,
) -> Result<(), ApiError> {
    let changed = diesel::update(
        submissions::table
            .find(row.id)
            .filter(submissions::status.eq(AsText(SubmissionStatus::Pending)))
            .filter(submissions::version.eq(row.version)),
    )
    .set((
        submissions::status.eq(AsText(status)),
        submissions::transaction_id.eq(transaction),
        submissions::decided_at.eq(now()),
        submissions::decided_by.eq(actor.id()),
        submissions::decision_note.eq(note),
        submissions::version.eq(row.version + 1),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(ApiError::conflict(ErrorCode::SubmissionDecided, "Someone decided this submission meanwhile."));
    }
    Ok(())
}

/// Register a submission: an incoming transaction from the agency, numbered by the central registry, with the
/// submitted documents, referred as the clerk says.
///
/// Written in its route's transaction, not by the registrar's group commit: the registration, the documents moved
/// onto it and the submission's decision must commit or fail together, which a group of plain registrations does
/// not carry, and the intake queue is worked one submission at a time by a few clerks, so there is no stream of
/// concurrent registrations for a group to gather. The numbering is the same ([`super::transactions::create`]).
pub fn register(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    req: &RegisterSubmission,
) -> Result<TransactionWithReferrals, ApiError> {
    let row = pending(conn, actor, id, req.expected_version)?;
    let docs: Vec<SubmissionDocumentRow> = submission_documents::table
        .filter(submission_documents::submission_id.eq(id))
        .order(submission_documents::id)
        .select(SubmissionDocumentRow::as_select())
        .load(conn)?;
    let new = NewTransaction {
        kind: TransactionKind::Incoming,
        subject: row.subject.clone(),
        summary: row.summary.clone(),
        external_entity_id: Some(row.external_entity_id),
        sender_reference: Some(row.sender_reference.clone()),
        sender_reference_date: row.sender_reference_date,
        priority: row.priority,
        confidentiality: req.confidentiality.unwrap_or(shared_types::Confidentiality::Normal),
        due_at: req.due_at,
        attachments_count: 0,
        links: Vec::new(),
        referrals: req.referrals.clone(),
    };
    let created = super::transactions::create(conn, actor, &new)?;
    let t: TransactionRow =
        transactions::table.find(created.transaction.id).select(TransactionRow::as_select()).first(conn)?;
    for d in &docs {
        let file = StoredFile {
            sha256: d.sha256.clone(),
            size: d.size,
            media_type: d.media_type.clone(),
            file_name: d.file_name.clone(),
        };
        documents::add_to(conn, actor, &t, &d.title, DocumentKind::Attachment, Some("submitted by the agency"), &file)?;
    }
    decide(conn, actor, &row, SubmissionStatus::Registered, Some(t.id), None)?;
    let details = json!({"transaction_id": t.id, "registration_number": created.transaction.registration_number});
    audit::record(conn, &Who::of(actor), AuditAction::SubmissionRegistered, Object::Submission(id), details)?;
    Ok(created)
}

/// Reject a submission, saying why; the agency reads the reason.
pub fn reject(conn: &mut DbConn, actor: &Actor, id: i64, req: &RejectSubmission) -> Result<Submission, ApiError> {
    let row = pending(conn, actor, id, req.expected_version)?;
    let mut v = Validator::new();
    v.text("reason", &req.reason, MAX_NOTE);
    v.finish()?;
    decide(conn, actor, &row, SubmissionStatus::Rejected, None, Some(req.reason.trim()))?;
    audit::record(
        conn,
        &Who::of(actor),
        AuditAction::SubmissionRejected,
        Object::Submission(id),
        json!({"reason": req.reason.trim()}),
    )?;
    let row: SubmissionRow = submissions::table.find(id).select(SubmissionRow::as_select()).first(conn)?;
    one(conn, row)
}
