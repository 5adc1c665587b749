//! The demo organisation: the Eastern Province municipality (أمانة المنطقة الشرقية) with its central registry,
//! general departments, three agencies, five branch municipalities and their departments, staff in every role, and
//! a directory of ministries, agencies and companies.

use diesel::prelude::*;
use shared_types::{Confidentiality, EntityKind, NewExternalEntity, NewUnit, NewUser, Role, UnitKind, UnitUpdate};

use crate::db::{DbConn, write_tx};
use crate::domain::org;
use crate::error::ApiError;
use crate::schema::units;

/// (code, parent code, kind, registry code, Arabic name, English name)
const UNITS: &[(&str, &str, UnitKind, &str, &str, &str)] = &[
    ("AMANAH", "", UnitKind::Amanah, "", "أمانة المنطقة الشرقية", "Eastern Province Municipality"),
    (
        "CR",
        "AMANAH",
        UnitKind::CentralRegistry,
        "CR",
        "مكتب الاتصالات الإدارية الرئيسي",
        "Main Administrative Communications Office",
    ),
    (
        "GD-HR",
        "AMANAH",
        UnitKind::GeneralDepartment,
        "",
        "الإدارة العامة للموارد البشرية",
        "General Department of Human Resources",
    ),
    ("HR-REC", "GD-HR", UnitKind::Section, "", "قسم التوظيف", "Recruitment Section"),
    (
        "GD-FIN",
        "AMANAH",
        UnitKind::GeneralDepartment,
        "",
        "الإدارة العامة للشؤون المالية",
        "General Department of Financial Affairs",
    ),
    ("FIN-PAY", "GD-FIN", UnitKind::Section, "", "قسم المستحقات", "Payables Section"),
    (
        "GD-IT",
        "AMANAH",
        UnitKind::GeneralDepartment,
        "",
        "الإدارة العامة لتقنية المعلومات",
        "General Department of Information Technology",
    ),
    (
        "GD-LEGAL",
        "AMANAH",
        UnitKind::GeneralDepartment,
        "",
        "الإدارة العامة للشؤون القانونية",
        "General Department of Legal Affairs",
    ),
    ("GD-INV", "AMANAH", UnitKind::GeneralDepartment, "", "الإدارة العامة للاستثمار", "General Department of Investment"),
    ("AG-SRV", "AMANAH", UnitKind::Agency, "SRV", "وكالة الخدمات", "Agency for Services"),
    ("SRV-CLEAN", "AG-SRV", UnitKind::Department, "", "الإدارة العامة للنظافة", "General Department of Cleanliness"),
    ("SRV-HEALTH", "AG-SRV", UnitKind::Department, "", "إدارة صحة البيئة", "Environmental Health Department"),
    ("SRV-PARKS", "AG-SRV", UnitKind::Department, "", "إدارة الحدائق والتشجير", "Parks and Landscaping Department"),
    ("AG-CON", "AMANAH", UnitKind::Agency, "CON", "وكالة التعمير والمشاريع", "Agency for Construction and Projects"),
    ("CON-PROJ", "AG-CON", UnitKind::Department, "", "الإدارة العامة للمشاريع", "General Department of Projects"),
    ("CON-PERMITS", "AG-CON", UnitKind::Department, "", "إدارة رخص البناء", "Building Permits Department"),
    ("CON-ROADS", "AG-CON", UnitKind::Department, "", "إدارة الطرق والجسور", "Roads and Bridges Department"),
    ("AG-MUN", "AMANAH", UnitKind::Agency, "MUN", "وكالة شؤون البلديات", "Agency for Municipal Affairs"),
    ("KHB", "AG-MUN", UnitKind::Municipality, "KHB", "بلدية الخبر", "Khobar Municipality"),
    (
        "KHB-HEALTH",
        "KHB",
        UnitKind::Department,
        "",
        "إدارة صحة البيئة بالخبر",
        "Khobar Environmental Health Department",
    ),
    ("KHB-ENG", "KHB", UnitKind::Department, "", "الإدارة الهندسية بالخبر", "Khobar Engineering Department"),
    ("KHB-INSP", "KHB-ENG", UnitKind::Section, "", "قسم الرقابة والتفتيش بالخبر", "Khobar Inspection Section"),
    ("DHA", "AG-MUN", UnitKind::Municipality, "DHA", "بلدية الظهران", "Dhahran Municipality"),
    ("DHA-SRV", "DHA", UnitKind::Department, "", "إدارة الخدمات بالظهران", "Dhahran Services Department"),
    ("CDM", "AG-MUN", UnitKind::Municipality, "CDM", "بلدية وسط الدمام", "Central Dammam Municipality"),
    (
        "CDM-ENG",
        "CDM",
        UnitKind::Department,
        "",
        "الإدارة الهندسية بوسط الدمام",
        "Central Dammam Engineering Department",
    ),
    ("EDM", "AG-MUN", UnitKind::Municipality, "EDM", "بلدية شرق الدمام", "East Dammam Municipality"),
    ("EDM-SRV", "EDM", UnitKind::Department, "", "إدارة الخدمات بشرق الدمام", "East Dammam Services Department"),
    ("WDM", "AG-MUN", UnitKind::Municipality, "WDM", "بلدية غرب الدمام", "West Dammam Municipality"),
    ("WDM-ENG", "WDM", UnitKind::Department, "", "الإدارة الهندسية بغرب الدمام", "West Dammam Engineering Department"),
    // Each general department's own communications unit: a registry desk that numbers the department's mail with
    // its prefix. (Last, so that the ids of the units above stay those the README's examples use.)
    (
        "HR-COM",
        "GD-HR",
        UnitKind::Section,
        "HR",
        "وحدة الاتصالات الإدارية بالموارد البشرية",
        "Human Resources Communications Unit",
    ),
    (
        "FIN-COM",
        "GD-FIN",
        UnitKind::Section,
        "FIN",
        "وحدة الاتصالات الإدارية بالشؤون المالية",
        "Financial Affairs Communications Unit",
    ),
    (
        "IT-COM",
        "GD-IT",
        UnitKind::Section,
        "IT",
        "وحدة الاتصالات الإدارية بتقنية المعلومات",
        "Information Technology Communications Unit",
    ),
    (
        "LEGAL-COM",
        "GD-LEGAL",
        UnitKind::Section,
        "LGL",
        "وحدة الاتصالات الإدارية بالشؤون القانونية",
        "Legal Affairs Communications Unit",
    ),
    ("INV-COM", "GD-INV", UnitKind::Section, "INV", "وحدة الاتصالات الإدارية بالاستثمار", "Investment Communications Unit"),
];

/// (code, kind, Arabic name, English name)
const ENTITIES: &[(&str, EntityKind, &str, &str)] = &[
    (
        "MOMAH",
        EntityKind::Ministry,
        "وزارة الشؤون البلدية والقروية والإسكان",
        "Ministry of Municipal, Rural Affairs and Housing",
    ),
    ("MOF", EntityKind::Ministry, "وزارة المالية", "Ministry of Finance"),
    ("MOI", EntityKind::Ministry, "وزارة الداخلية", "Ministry of Interior"),
    ("MOH", EntityKind::Ministry, "وزارة الصحة", "Ministry of Health"),
    ("EMIRATE-EP", EntityKind::GovernmentAgency, "إمارة المنطقة الشرقية", "Eastern Province Emirate"),
    ("ZATCA", EntityKind::GovernmentAgency, "هيئة الزكاة والضريبة والجمارك", "Zakat, Tax and Customs Authority"),
    ("ARAMCO", EntityKind::Company, "أرامكو السعودية", "Saudi Aramco"),
    ("SEC", EntityKind::Company, "الشركة السعودية للكهرباء", "Saudi Electricity Company"),
    ("NWC", EntityKind::Company, "شركة المياه الوطنية", "National Water Company"),
    ("CITIZEN-0001", EntityKind::Individual, "محمد بن عبدالله القحطاني", "Mohammed Abdullah Al-Qahtani"),
];

const FIRST_AR: &[(&str, &str)] = &[
    ("عبدالله", "Abdullah"),
    ("محمد", "Mohammed"),
    ("فهد", "Fahad"),
    ("سعود", "Saud"),
    ("خالد", "Khalid"),
    ("نورة", "Noura"),
    ("سارة", "Sara"),
    ("ريم", "Reem"),
    ("فيصل", "Faisal"),
    ("تركي", "Turki"),
    ("هند", "Hind"),
    ("عبدالرحمن", "Abdulrahman"),
    ("ماجد", "Majed"),
    ("لطيفة", "Latifa"),
    ("سلطان", "Sultan"),
    ("منيرة", "Munira"),
    ("ناصر", "Nasser"),
    ("أمل", "Amal"),
    ("بندر", "Bandar"),
    ("العنود", "Alanoud"),
];
const FAMILY_AR: &[(&str, &str)] = &[
    ("الدوسري", "Al-Dosari"),
    ("القحطاني", "Al-Qahtani"),
    ("الغامدي", "Al-Ghamdi"),
    ("العتيبي", "Al-Otaibi"),
    ("الشهري", "Al-Shehri"),
    ("الزهراني", "Al-Zahrani"),
    ("الهاجري", "Al-Hajri"),
    ("المطيري", "Al-Mutairi"),
    ("السبيعي", "Al-Subaie"),
    ("العنزي", "Al-Anazi"),
    ("الخالدي", "Al-Khalidi"),
    ("البوعينين", "Al-Buainain"),
    ("الملحم", "Al-Mulhim"),
    ("النعيم", "Al-Naim"),
];

/// A seeded account, as printed for the person running the demo.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub username: String,
    pub role: Role,
    pub unit_en: String,
}

/// Whether the database holds an organisation already.
pub fn is_empty(conn: &mut DbConn) -> Result<bool, ApiError> {
    let n: i64 = units::table.count().get_result(conn)?;
    Ok(n == 0)
}

fn person(n: usize) -> (String, String) {
    let (fa, fe) = FIRST_AR[n % FIRST_AR.len()];
    let (la, le) = FAMILY_AR[(n * 7 + n / FIRST_AR.len()) % FAMILY_AR.len()];
    (format!("{fa} {la}"), format!("{fe} {le}"))
}

/// Seed the demo organisation into an empty database, every account with `password`. Answers the logins to show.
pub fn seed_demo(conn: &mut DbConn, password: &str) -> Result<Vec<DemoLogin>, ApiError> {
    write_tx(conn, |conn| {
        let mut ids = std::collections::HashMap::new();
        for (code, parent, kind, registry, ar, en) in UNITS {
            let unit = org::create_unit(
                conn,
                None,
                &NewUnit {
                    code: (*code).into(),
                    name_ar: (*ar).into(),
                    name_en: (*en).into(),
                    kind: *kind,
                    parent_id: ids.get(parent).copied(),
                    head_user_id: None,
                    registry_code: (!registry.is_empty()).then(|| (*registry).to_string()),
                },
            )?;
            ids.insert(*code, unit.id);
        }
        for (code, kind, ar, en) in ENTITIES {
            org::create_entity(
                conn,
                None,
                &NewExternalEntity { code: (*code).into(), name_ar: (*ar).into(), name_en: (*en).into(), kind: *kind },
            )?;
        }

        let mut logins = Vec::new();
        let mut n = 0;
        let mut add = |conn: &mut DbConn,
                       username: String,
                       unit: &str,
                       roles: Vec<Role>,
                       clearance: Confidentiality|
         -> Result<i64, ApiError> {
            let (ar, en) = person(n);
            n += 1;
            let unit_id = ids.get(unit).copied().ok_or_else(|| ApiError::internal(format!("no unit {unit}")))?;
            let user = org::create_user(
                conn,
                None,
                &NewUser {
                    username: username.clone(),
                    password: password.into(),
                    full_name_ar: ar,
                    full_name_en: en,
                    unit_id,
                    roles: roles.clone(),
                    clearance,
                    phone: Some(format!("+9665{:08}", 50_000_000 + n)),
                    email: Some(format!("{username}@muamalat.example")),
                },
            )?;
            let unit_en = UNITS.iter().find(|u| u.0 == unit).map(|u| u.5).unwrap_or_default().to_string();
            logins.push(DemoLogin { username, role: roles[0], unit_en });
            Ok(user.id)
        };

        add(conn, "admin".into(), "AMANAH", vec![Role::Admin], Confidentiality::TopSecret)?;
        for i in 1..=3 {
            add(conn, format!("registry.clerk{i}"), "CR", vec![Role::RegistryClerk], Confidentiality::Confidential)?;
        }
        for i in 1..=2 {
            add(conn, format!("auditor{i}"), "AMANAH", vec![Role::Auditor], Confidentiality::TopSecret)?;
        }
        let mut heads = Vec::new();
        for (code, _, kind, registry, _, _) in UNITS {
            let base = code.to_lowercase();
            let clearance = match kind {
                UnitKind::Amanah | UnitKind::Agency | UnitKind::CentralRegistry => Confidentiality::TopSecret,
                UnitKind::Section => Confidentiality::Normal,
                _ => Confidentiality::Confidential,
            };
            let head = add(conn, format!("{base}.head"), code, vec![Role::Manager, Role::Employee], clearance)?;
            heads.push((*code, head));
            if !registry.is_empty() && *kind != UnitKind::CentralRegistry {
                add(
                    conn,
                    format!("{base}.clerk"),
                    code,
                    vec![Role::RegistryClerk, Role::Employee],
                    Confidentiality::Normal,
                )?;
            }
            if !matches!(kind, UnitKind::Amanah | UnitKind::CentralRegistry | UnitKind::Agency) {
                add(conn, format!("{base}.employee1"), code, vec![Role::Employee], Confidentiality::Normal)?;
                if matches!(kind, UnitKind::Municipality | UnitKind::Department) {
                    add(conn, format!("{base}.employee2"), code, vec![Role::Employee], Confidentiality::Normal)?;
                }
            }
        }
        let admin = org::list_users(conn, None, Some("admin"))?
            .into_iter()
            .find(|u| u.username == "admin")
            .ok_or_else(|| ApiError::internal("admin missing"))?;
        let admin = crate::domain::actor::load_actor(conn, admin.id)?;
        for (code, head) in heads {
            let id = ids.get(code).copied().ok_or_else(|| ApiError::internal("unit missing"))?;
            org::update_unit(conn, &admin, id, &UnitUpdate { head_user_id: Some(head), ..Default::default() })?;
        }
        Ok(logins)
    })
}

/// A demo API client for the ministry in the directory, with every scope, so the agency endpoints can be tried at
/// once; answers its id and secret (printed once by the seeding command).
pub fn demo_agency(conn: &mut DbConn) -> Result<shared_types::ApiClientCredentials, ApiError> {
    crate::db::write_tx(conn, |conn| {
        let admin = org::list_users(conn, None, Some("admin"))?
            .into_iter()
            .find(|u| u.username == "admin")
            .ok_or_else(|| ApiError::internal("admin missing"))?;
        let admin = crate::domain::actor::load_actor(conn, admin.id)?;
        let ministry = org::list_entities(conn, Some("MOMAH"))?
            .into_iter()
            .find(|e| e.code == "MOMAH")
            .ok_or_else(|| ApiError::internal("the demo ministry is missing"))?;
        crate::domain::clients::create(
            conn,
            &admin,
            &shared_types::NewApiClient {
                name: "بوابة مراسلات وزارة البلديات والإسكان (تجريبي)".into(),
                external_entity_id: ministry.id,
                scopes: shared_types::ApiScope::ALL.to_vec(),
                clearance: None,
            },
        )
    })
}
