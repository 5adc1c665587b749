//! Database rows. They stay inside the server: handlers answer with `shared_types`, built by the domain. States and
//! kinds are the contract's enums here too, read and written through [`crate::columns`].

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use shared_types::{
    Confidentiality, DocumentKind, EntityKind, EventKind, LinkKind, Priority, Purpose, ReferralOutcome, ReferralStatus,
    SubmissionStatus, TextStatus, TransactionKind, TransactionStatus, UnitKind,
};

use crate::columns::{AsLevel, AsOptionalText, AsText};
use crate::schema::*;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = units)]
pub struct UnitRow {
    pub id: i64,
    pub code: String,
    pub name_ar: String,
    pub name_en: String,
    #[diesel(deserialize_as = AsText<UnitKind>)]
    pub kind: UnitKind,
    pub parent_id: Option<i64>,
    pub head_user_id: Option<i64>,
    pub registry_code: Option<String>,
    pub path: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = units)]
pub struct NewUnitRow<'a> {
    pub code: &'a str,
    pub name_ar: &'a str,
    pub name_en: &'a str,
    pub kind: AsText<UnitKind>,
    pub parent_id: Option<i64>,
    pub head_user_id: Option<i64>,
    pub registry_code: Option<&'a str>,
    pub path: &'a str,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub full_name_ar: String,
    pub full_name_en: String,
    pub unit_id: i64,
    #[diesel(deserialize_as = AsLevel)]
    pub clearance: Confidentiality,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub failed_logins: i32,
    pub locked_until: Option<NaiveDateTime>,
    /// The folded names and username the people picker searches ([`crate::text::fold`]).
    pub search_name: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUserRow<'a> {
    pub username: &'a str,
    pub password_hash: &'a str,
    pub full_name_ar: &'a str,
    pub full_name_en: &'a str,
    pub unit_id: i64,
    pub clearance: AsLevel,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub search_name: &'a str,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = external_entities)]
pub struct EntityRow {
    pub id: i64,
    pub code: String,
    pub name_ar: String,
    pub name_en: String,
    #[diesel(deserialize_as = AsText<EntityKind>)]
    pub kind: EntityKind,
    pub active: bool,
    pub created_at: NaiveDateTime,
    /// The folded code and names the entity picker searches.
    pub search_name: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    pub id: i64,
    pub user_id: i64,
    pub token_hash: String,
    pub family_id: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = transactions)]
pub struct TransactionRow {
    pub id: i64,
    #[diesel(deserialize_as = AsText<TransactionKind>)]
    pub kind: TransactionKind,
    #[diesel(deserialize_as = AsText<TransactionStatus>)]
    pub status: TransactionStatus,
    pub registry_unit_id: Option<i64>,
    pub hijri_year: Option<i32>,
    pub sequence: Option<i64>,
    pub registration_number: Option<String>,
    pub subject: String,
    pub summary: Option<String>,
    pub external_entity_id: Option<i64>,
    pub sender_reference: Option<String>,
    pub sender_reference_date: Option<NaiveDate>,
    #[diesel(deserialize_as = AsText<Priority>)]
    pub priority: Priority,
    #[diesel(deserialize_as = AsLevel)]
    pub confidentiality: Confidentiality,
    pub due_at: Option<NaiveDateTime>,
    pub attachments_count: i32,
    pub origin_unit_id: i64,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub registered_at: Option<NaiveDateTime>,
    pub registered_by: Option<i64>,
    pub closed_at: Option<NaiveDateTime>,
    pub closed_by: Option<i64>,
    pub resolution: Option<String>,
    pub archived_at: Option<NaiveDateTime>,
    pub archived_by: Option<i64>,
    pub version: i32,
    pub updated_at: NaiveDateTime,
}

// `treat_none_as_default_value = false` on the rows written many at a time: None is NULL, not DEFAULT (the same
// for these columns), so diesel writes them in one statement on SQLite too, instead of one statement per row.
#[derive(Debug, Insertable)]
#[diesel(table_name = transactions, treat_none_as_default_value = false)]
pub struct NewTransactionRow<'a> {
    pub kind: AsText<TransactionKind>,
    pub status: AsText<TransactionStatus>,
    pub registry_unit_id: Option<i64>,
    pub hijri_year: Option<i32>,
    pub sequence: Option<i64>,
    pub registration_number: Option<&'a str>,
    pub subject: &'a str,
    pub summary: Option<&'a str>,
    pub external_entity_id: Option<i64>,
    pub sender_reference: Option<&'a str>,
    pub sender_reference_date: Option<NaiveDate>,
    pub priority: AsText<Priority>,
    pub confidentiality: AsLevel,
    pub due_at: Option<NaiveDateTime>,
    pub attachments_count: i32,
    pub origin_unit_id: i64,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub registered_at: Option<NaiveDateTime>,
    pub registered_by: Option<i64>,
    pub version: i32,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = transaction_links)]
pub struct LinkRow {
    pub id: i64,
    pub from_transaction_id: i64,
    pub to_transaction_id: i64,
    #[diesel(deserialize_as = AsText<LinkKind>)]
    pub kind: LinkKind,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = referrals)]
pub struct ReferralRow {
    pub id: i64,
    pub transaction_id: i64,
    pub parent_referral_id: Option<i64>,
    pub from_unit_id: i64,
    pub from_user_id: i64,
    pub to_unit_id: i64,
    pub to_user_id: Option<i64>,
    #[diesel(deserialize_as = AsText<Purpose>)]
    pub purpose: Purpose,
    pub instructions: Option<String>,
    pub due_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = AsText<ReferralStatus>)]
    pub status: ReferralStatus,
    #[diesel(deserialize_as = AsOptionalText<ReferralOutcome>)]
    pub outcome: Option<ReferralOutcome>,
    pub action_note: Option<String>,
    pub sent_at: NaiveDateTime,
    pub received_at: Option<NaiveDateTime>,
    pub received_by: Option<i64>,
    pub completed_at: Option<NaiveDateTime>,
    pub completed_by: Option<i64>,
    pub version: i32,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = referrals, treat_none_as_default_value = false)]
pub struct NewReferralRow<'a> {
    pub transaction_id: i64,
    pub parent_referral_id: Option<i64>,
    pub from_unit_id: i64,
    pub from_user_id: i64,
    pub to_unit_id: i64,
    pub to_user_id: Option<i64>,
    pub purpose: AsText<Purpose>,
    pub instructions: Option<&'a str>,
    pub due_at: Option<NaiveDateTime>,
    pub status: AsText<ReferralStatus>,
    pub sent_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub id: i64,
    pub transaction_id: i64,
    pub referral_id: Option<i64>,
    #[diesel(deserialize_as = AsText<EventKind>)]
    pub kind: EventKind,
    pub actor_user_id: i64,
    pub actor_unit_id: i64,
    pub on_behalf_of_user_id: Option<i64>,
    pub at: NaiveDateTime,
    pub details: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = events, treat_none_as_default_value = false)]
pub struct NewEventRow {
    pub transaction_id: i64,
    pub referral_id: Option<i64>,
    pub kind: AsText<EventKind>,
    pub actor_user_id: i64,
    pub actor_unit_id: i64,
    pub on_behalf_of_user_id: Option<i64>,
    pub at: NaiveDateTime,
    pub details: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = submissions)]
pub struct SubmissionRow {
    pub id: i64,
    pub api_client_id: i64,
    pub external_entity_id: i64,
    pub subject: String,
    pub summary: Option<String>,
    pub sender_reference: String,
    pub sender_reference_date: Option<NaiveDate>,
    #[diesel(deserialize_as = AsText<Priority>)]
    pub priority: Priority,
    #[diesel(deserialize_as = AsText<SubmissionStatus>)]
    pub status: SubmissionStatus,
    pub transaction_id: Option<i64>,
    pub submitted_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_by: Option<i64>,
    pub decision_note: Option<String>,
    pub version: i32,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = submission_documents)]
pub struct SubmissionDocumentRow {
    pub id: i64,
    pub submission_id: i64,
    pub title: String,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub file_name: String,
    pub added_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_clients)]
pub struct ApiClientRow {
    pub id: i64,
    pub client_id: String,
    pub secret_hash: String,
    pub name: String,
    pub external_entity_id: i64,
    pub scopes: String,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub secret_rotated_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    /// Up to which confidentiality level letters addressed to the agency are readable by it.
    #[diesel(deserialize_as = AsLevel)]
    pub clearance: Confidentiality,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = delegations)]
pub struct DelegationRow {
    pub id: i64,
    pub delegator_user_id: i64,
    pub deputy_user_id: i64,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub note: Option<String>,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_by: Option<i64>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAuditRow<'a> {
    pub at: NaiveDateTime,
    pub user_id: Option<i64>,
    pub on_behalf_of_user_id: Option<i64>,
    pub client_id: Option<i64>,
    pub origin: Option<&'a str>,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: Option<i64>,
    pub transaction_id: Option<i64>,
    pub details: &'a str,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i64,
    pub at: NaiveDateTime,
    pub user_id: Option<i64>,
    pub on_behalf_of_user_id: Option<i64>,
    pub client_id: Option<i64>,
    pub origin: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<i64>,
    pub transaction_id: Option<i64>,
    pub details: String,
    pub seq: Option<i64>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = documents)]
pub struct DocumentRow {
    pub id: i64,
    pub transaction_id: i64,
    pub title: String,
    #[diesel(deserialize_as = AsText<DocumentKind>)]
    pub kind: DocumentKind,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub versions: i32,
    pub withdrawn_at: Option<NaiveDateTime>,
    pub withdrawn_by: Option<i64>,
    pub withdrawn_reason: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = document_versions)]
pub struct DocumentVersionRow {
    pub id: i64,
    pub document_id: i64,
    pub version: i32,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub file_name: String,
    pub note: Option<String>,
    pub author_id: i64,
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = AsText<TextStatus>)]
    pub text_status: TextStatus,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct NewIdempotencyRow<'a> {
    pub user_id: i64,
    pub idempotency_key: &'a str,
    pub request_hash: &'a str,
    pub status_code: i32,
    pub response_body: &'a str,
    pub created_at: NaiveDateTime,
}

// SQL predicates over these rows, written as literals that match the partial indexes of the migrations.

/// `referrals.status <> 'completed'` as a literal, not a bound parameter, so both SQLite and PostgreSQL can use the
/// partial indexes of open referrals (a predicate with a parameter cannot prove the index's condition).
pub fn open_referral() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql::<diesel::sql_types::Bool>(&format!("referrals.status <> '{}'", ReferralStatus::Completed))
}

/// Open referrals other than copies (work), as a literal matching the partial indexes of inboxes.
pub fn open_work() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
        "referrals.status <> '{}' AND referrals.purpose <> '{}'",
        ReferralStatus::Completed,
        Purpose::Information
    ))
}

/// Open copies for information, as a literal matching the partial indexes of inboxes.
pub fn open_copy() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
        "referrals.status <> '{}' AND referrals.purpose = '{}'",
        ReferralStatus::Completed,
        Purpose::Information
    ))
}

impl ReferralRow {
    /// Not completed yet: sent or received.
    pub fn is_open(&self) -> bool {
        self.status != ReferralStatus::Completed
    }
}
