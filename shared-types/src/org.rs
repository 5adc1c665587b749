//! The organisation: units, users, roles, clearance, and the directory of external entities.

use serde::{Deserialize, Serialize};

use crate::wire::wire_enum;

wire_enum! {
    /// What kind of unit this is in the organisation tree.
    UnitKind {
        /// The municipality as a whole (أمانة): the root of the tree.
        Amanah = "amanah",
        /// The main administrative communications office (مكتب الاتصالات الإدارية الرئيسي).
        CentralRegistry = "central_registry",
        /// A general department (إدارة عامة).
        GeneralDepartment = "general_department",
        /// An agency (وكالة).
        Agency = "agency",
        /// A branch municipality (بلدية).
        Municipality = "municipality",
        /// A department (إدارة).
        Department = "department",
        /// A section (قسم).
        Section = "section",
        /// A unit's own communications desk (وحدة الاتصالات الإدارية).
        CommunicationsUnit = "communications_unit",
    }
}

wire_enum! {
    /// What a user may do. A user can hold several roles.
    Role {
        Admin = "admin",
        /// Registers incoming and outgoing mail at a registry (الاتصالات الإدارية).
        RegistryClerk = "registry_clerk",
        /// Head of a unit: sees the unit and everything below it.
        Manager = "manager",
        Employee = "employee",
        /// Read-only oversight: dashboards and the audit trail.
        Auditor = "auditor",
    }
}

wire_enum! {
    /// Confidentiality of a transaction, and the clearance of a user (the same scale): a user may see a
    /// transaction only if their clearance is at least its confidentiality.
    Confidentiality {
        /// عادي
        Normal = "normal",
        /// سري
        Confidential = "confidential",
        /// سري للغاية
        TopSecret = "top_secret",
    }
}

impl Confidentiality {
    /// Rank on the scale, 0 = normal.
    pub fn level(self) -> i32 {
        match self {
            Confidentiality::Normal => 0,
            Confidentiality::Confidential => 1,
            Confidentiality::TopSecret => 2,
        }
    }

    pub fn from_level(level: i32) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.level() == level)
    }
}

wire_enum! {
    /// Kind of an external entity in the directory.
    EntityKind {
        Ministry = "ministry",
        GovernmentAgency = "government_agency",
        Company = "company",
        Individual = "individual",
        Other = "other",
    }
}

/// A unit as referred to from other records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitRef {
    pub id: i64,
    pub code: String,
    pub name_ar: String,
    pub name_en: String,
}

/// A user as referred to from other records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserRef {
    pub id: i64,
    pub username: String,
    pub full_name_ar: String,
    pub full_name_en: String,
}

/// An external entity as referred to from other records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntityRef {
    pub id: i64,
    pub code: String,
    pub name_ar: String,
    pub name_en: String,
}

/// A unit of the organisation tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unit {
    pub id: i64,
    /// Short unique code, e.g. `KHB`.
    pub code: String,
    pub name_ar: String,
    pub name_en: String,
    pub kind: UnitKind,
    pub parent_id: Option<i64>,
    /// The head (manager) of the unit.
    pub head_user_id: Option<i64>,
    /// Set when the unit runs a registry that numbers correspondence; the code prefixes its numbers.
    pub registry_code: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "code": "KHB-HEALTH", "name_ar": "إدارة صحة البيئة", "name_en": "Environmental Health Department",
    "kind": "department", "parent_id": 7
})))]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    pub code: String,
    pub name_ar: String,
    pub name_en: String,
    pub kind: UnitKind,
    pub parent_id: Option<i64>,
    #[serde(default)]
    pub head_user_id: Option<i64>,
    #[serde(default)]
    pub registry_code: Option<String>,
}

/// Rename, move, change head, or disable/enable a unit. Absent fields are left as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UnitUpdate {
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
    /// New parent: moves the unit with its whole subtree.
    pub parent_id: Option<i64>,
    pub head_user_id: Option<i64>,
    pub active: Option<bool>,
}

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: i64,
    pub username: String,
    pub full_name_ar: String,
    pub full_name_en: String,
    pub unit_id: i64,
    pub roles: Vec<Role>,
    pub clearance: Confidentiality,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "username": "khobar.clerk2", "password": "a long passphrase here", "full_name_ar": "سارة العتيبي",
    "full_name_en": "Sara Al-Otaibi", "unit_id": 12, "roles": ["employee"], "clearance": "normal"
})))]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub full_name_ar: String,
    pub full_name_en: String,
    pub unit_id: i64,
    pub roles: Vec<Role>,
    pub clearance: Confidentiality,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// Edit, move to another unit, or disable/enable a user. Absent fields are left as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    pub full_name_ar: Option<String>,
    pub full_name_en: Option<String>,
    pub unit_id: Option<i64>,
    pub roles: Option<Vec<Role>>,
    pub clearance: Option<Confidentiality>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub active: Option<bool>,
    pub password: Option<String>,
}

/// An entity outside the organisation: a ministry, a company, a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExternalEntity {
    pub id: i64,
    pub code: String,
    pub name_ar: String,
    pub name_en: String,
    pub kind: EntityKind,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewExternalEntity {
    pub code: String,
    pub name_ar: String,
    pub name_en: String,
    pub kind: EntityKind,
}

/// A manager's authority handed to a deputy for a period: the deputy sees and acts on the manager's work, and every
/// event they record says "on behalf of" the manager. It ends by itself at `ends_at`, or earlier when ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delegation {
    pub id: i64,
    pub delegator: UserRef,
    pub deputy: UserRef,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub ends_at: chrono::DateTime<chrono::Utc>,
    pub note: Option<String>,
    /// When it was ended before `ends_at`.
    pub ended_at: Option<chrono::DateTime<chrono::Utc>>,
    /// In force now.
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "deputy_user_id": 42, "starts_at": "2026-12-01T05:00:00Z", "ends_at": "2026-12-15T14:00:00Z",
    "note": "إجازة سنوية"
})))]
#[serde(deny_unknown_fields)]
pub struct NewDelegation {
    pub deputy_user_id: i64,
    /// Default: now.
    #[serde(default)]
    pub starts_at: Option<chrono::DateTime<chrono::Utc>>,
    pub ends_at: chrono::DateTime<chrono::Utc>,
    #[serde(default)]
    pub note: Option<String>,
    /// Whose authority: the caller's own (the default), or, for an administrator, any manager's.
    #[serde(default)]
    pub delegator_user_id: Option<i64>,
}
