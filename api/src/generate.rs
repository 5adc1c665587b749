//! `muamalat generate`: fill a database with a realistic history over the demo organisation, for benchmarks,
//! demonstrations and trying the system at the production volume (two million transactions by default). Arabic
//! subjects from a varied vocabulary (with rarer words among them), senders from the entity directory, registration
//! dates spread from 1 Muharram 1434 to now and numbered per registry and Hijri year, routes of 1 to 8 hops with
//! copies for information, annotations and decisions, closures, overdue work, and documents with a short extracted
//! text. Rows are written in batches (multi-row inserts on SQLite, `COPY` on PostgreSQL) with their search entries;
//! the non-unique indexes of the tables filled are set aside while more rows are written than there were, and built
//! once at the end (see [`db::set_aside_indexes`]).
//!
//! What it leaves out: audit log entries (the history is imported, not acted), and the stored files of the
//! documents (their metadata and text only: downloading one answers that the file is missing).

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use chrono::{NaiveDateTime, TimeZone, Utc};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use shared_types::{
    Confidentiality, Decision, DocumentKind, EventKind, Priority, Purpose, ReferralOutcome, ReferralStatus, Role,
    TextStatus, TransactionKind, TransactionStatus,
};

use crate::calendar;
use crate::columns::{AsLevel, AsText};
use crate::db::{self, DbConn};
use crate::domain::search::index::{self, Entry, distinct};
use crate::error::ApiError;
use crate::schema::{
    document_versions, documents, events, external_entities, referrals, registration_counters, transactions,
    user_roles, users,
};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub transactions: usize,
    /// The same seed makes the same history.
    pub seed: u64,
}

/// What was written.
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    pub transactions: usize,
    pub referrals: usize,
    pub events: usize,
    pub documents: usize,
    pub seconds: f64,
}

const TOPICS: &[&str] = &[
    "صيانة الطرق",
    "إنارة الشوارع",
    "رخصة بناء",
    "نظافة الأحياء",
    "تصريف مياه الأمطار",
    "الحدائق العامة",
    "المخالفات البلدية",
    "تراخيص المحلات التجارية",
    "نزع الملكية",
    "تخطيط الأراضي",
    "الأرصفة والممرات",
    "اللوحات الإعلانية",
    "مشروع الواجهة البحرية",
    "سفلتة الشوارع",
    "مكافحة الحشرات",
    "الأسواق الشعبية",
    "المباني الآيلة للسقوط",
    "مواقف السيارات",
    "الموازنة السنوية",
    "التوظيف والتعاقد",
    "صرف المستحقات",
    "العقود والمشتريات",
    "الإسكان",
    "التشجير",
    "المسالخ",
    "حماية المستهلك",
    "السلامة والإطفاء",
];
const OPENINGS: &[&str] =
    &["طلب", "شكوى بشأن", "تقرير عن", "خطاب بخصوص", "استفسار عن", "متابعة", "اعتراض على", "مذكرة"];
const PLACES: &[&str] = &[
    "حي الراكة",
    "الخبر الشمالية",
    "حي العقربية",
    "الثقبة",
    "حي الفيصلية",
    "الدمام",
    "القطيف",
    "الجبيل",
    "الأحساء",
    "حي الشاطئ",
    "حي الروضة",
    "الظهران",
    "رأس تنورة",
    "النعيرية",
    "حفر الباطن",
];
const NOTES: &[&str] = &[
    "للاطلاع والإفادة",
    "يرجى الدراسة وإبداء الرأي",
    "للتنفيذ حسب الأنظمة",
    "نأمل سرعة الإنجاز",
    "تمت المعاينة الميدانية",
    "تم التنسيق مع الجهة المختصة",
    "يحتاج إلى اعتماد مالي",
    "أُرفق التقرير الفني",
    "لا مانع من الموافقة",
];
/// Syllables of the rarer words: a name, a street or a company that occurs in few transactions.
const SYLLABLES: &[&str] = &["بر", "كا", "ني", "سو", "مد", "رى", "طا", "لي", "فو", "زي", "جا", "هو", "قي", "شا"];

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

fn rare_word(rng: &mut StdRng) -> String {
    (0..3).map(|_| *pick(rng, SYLLABLES)).collect()
}

struct Org {
    /// (registry unit, its registry code, its clerks).
    registries: Vec<(i64, Option<String>, Vec<i64>)>,
    /// Units that receive work, with the people in each.
    units: Vec<(i64, Vec<i64>)>,
    entities: Vec<(i64, String, String)>,
}

fn load_org(conn: &mut DbConn) -> Result<Org, ApiError> {
    use crate::schema::units;
    let all: Vec<(i64, Option<String>)> = units::table.select((units::id, units::registry_code)).load(conn)?;
    let people: Vec<(i64, i64)> =
        users::table.filter(users::active.eq(true)).select((users::id, users::unit_id)).load(conn)?;
    let clerks: Vec<i64> = user_roles::table
        .filter(user_roles::role.eq(AsText(Role::RegistryClerk)))
        .select(user_roles::user_id)
        .load(conn)?;
    let mut of_unit: HashMap<i64, Vec<i64>> = HashMap::new();
    for (user, unit) in &people {
        of_unit.entry(*unit).or_default().push(*user);
    }
    let registries = all
        .iter()
        .filter(|(_, code)| code.is_some())
        .map(|(id, code)| {
            let clerks: Vec<i64> =
                of_unit.get(id).into_iter().flatten().copied().filter(|u| clerks.contains(u)).collect();
            (*id, code.clone(), clerks)
        })
        .filter(|(_, _, clerks)| !clerks.is_empty())
        .collect::<Vec<_>>();
    let units: Vec<(i64, Vec<i64>)> =
        all.iter().filter_map(|(id, _)| of_unit.get(id).map(|p| (*id, p.clone()))).collect();
    let entities = external_entities::table
        .select((external_entities::id, external_entities::name_ar, external_entities::name_en))
        .load(conn)?;
    if registries.is_empty() || units.is_empty() || entities.is_empty() {
        return Err(ApiError::internal("generate needs an organisation with registries, staff and entities"));
    }
    Ok(Org { registries, units, entities })
}

fn max_id(conn: &mut DbConn, table: &str) -> Result<i64, ApiError> {
    #[derive(QueryableByName)]
    struct Max {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let rows: Vec<Max> = diesel::sql_query(format!("SELECT COALESCE(MAX(id), 0) AS n FROM {table}")).load(conn)?;
    Ok(rows.first().map_or(0, |r| r.n))
}

/// Ids to give out, after those in use.
struct Ids {
    transaction: i64,
    referral: i64,
    event: i64,
    document: i64,
    version: i64,
}

/// Many rows at once, on the concrete connection: a multi-row insert on SQLite, `COPY … FROM STDIN` (binary) on
/// PostgreSQL, which fires the same triggers at the end of the statement.
macro_rules! insert_all {
    ($conn:expr, $table:expr, $rows:expr) => {
        if !$rows.is_empty() {
            match &mut *$conn {
                DbConn::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c),
                DbConn::Pg(c) => diesel::copy_from($table).from_insertable($rows).execute(c),
            }?;
        }
    };
}

const PLACEHOLDER_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Generate the history; prints progress every 100,000 transactions.
pub fn generate(conn: &mut DbConn, options: Options) -> Result<Summary, ApiError> {
    let started = Instant::now();
    let org = load_org(conn)?;
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut ids = Ids {
        transaction: max_id(conn, "transactions")?,
        referral: max_id(conn, "referrals")?,
        event: max_id(conn, "events")?,
        document: max_id(conn, "documents")?,
        version: max_id(conn, "document_versions")?,
    };
    let counters: Vec<(i64, i32, i64)> = registration_counters::table
        .select((
            registration_counters::registry_unit_id,
            registration_counters::hijri_year,
            registration_counters::last_value,
        ))
        .load(conn)?;
    let mut sequences: BTreeMap<(i64, i32), i64> = counters.into_iter().map(|(r, y, v)| ((r, y), v)).collect();
    let first_day = Utc.with_ymd_and_hms(2012, 11, 15, 6, 0, 0).single().unwrap_or_default().naive_utc();
    let now = Utc::now().naive_utc();
    let span = (now - first_day).num_seconds().max(1);
    db::write_tx(conn, |conn| db::insert_blob(conn, PLACEHOLDER_SHA256, 0, "text/plain", now).map_err(ApiError::from))?;
    // Millions of rows go into a dozen indexes: keep their pages in memory (1 GiB of page cache on this one
    // connection, instead of the 16 MB a serving connection has), or every batch waits on the disk.
    if let DbConn::Sqlite(_) = conn {
        diesel::sql_query("PRAGMA cache_size = -1048576").execute(conn)?;
    }
    // More rows than there are: the indexes are quicker built once, over all of them, than kept row by row.
    let set_aside = if options.transactions as i64 > ids.transaction {
        if let DbConn::Pg(_) = conn {
            // For building them at the end (and the vacuum after), on this connection only.
            diesel::sql_query("SET maintenance_work_mem = '1GB'").execute(conn)?;
        }
        db::set_aside_indexes(conn, &BULK_TABLES, &TRIGGERS_PROBE)?
    } else {
        0
    };
    let mut summary = Summary::default();
    let batch = 1_000;
    let n = options.transactions;
    // A thousand transactions to a database transaction.
    let mut load = |conn: &mut DbConn| -> Result<(), ApiError> {
        for first in (0..n).step_by(batch) {
            let last = (first + batch).min(n);
            db::write_tx(conn, |conn| {
                let mut written = Batch::default();
                let before = sequences.clone();
                for i in first..last {
                    let at = first_day + chrono::Duration::seconds(span * i as i64 / n as i64 + rng.gen_range(0..600));
                    one(&mut rng, &org, &mut ids, &mut sequences, at.min(now), now, &mut written);
                }
                summary.referrals += written.referrals.len();
                summary.events += written.events.len();
                summary.documents += written.documents.len();
                written.write(conn)?;
                // The counters and PostgreSQL's id sequences move with every batch, in its transaction: a load cut
                // short (killed, or failed) leaves a database whose next registration takes the next number and id.
                let moved = sequences.iter().filter(|(key, value)| before.get(*key) != Some(*value));
                write_counters(conn, moved)?;
                move_id_sequences(conn)?;
                Ok::<(), ApiError>(())
            })?;
            summary.transactions = last;
            if last % 100_000 == 0 || last == n {
                tracing::info!(generated = last, seconds = started.elapsed().as_secs(), "generating");
            }
        }
        Ok(())
    };
    let loaded = load(conn);
    if set_aside > 0 {
        // After a failed load too: what was written stays, and it is indexed again.
        tracing::info!(indexes = set_aside, seconds = started.elapsed().as_secs(), "building the indexes");
        db::restore_set_aside_indexes(conn)?;
    }
    loaded?;
    finish(conn)?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// The tables a generated history fills, whose secondary indexes are set aside while it is written.
const BULK_TABLES: [&str; 6] =
    ["transactions", "referrals", "events", "documents", "document_versions", "transaction_search"];
/// Kept while loading: the referral tallies' triggers look up each new referral's earlier ones by it.
const TRIGGERS_PROBE: [&str; 1] = ["referrals_transaction_idx"];

/// The registration counters that moved, to their last number.
fn write_counters<'a>(
    conn: &mut DbConn,
    moved: impl Iterator<Item = (&'a (i64, i32), &'a i64)>,
) -> Result<(), ApiError> {
    for ((registry, year), value) in moved {
        diesel::delete(registration_counters::table.find((*registry, *year))).execute(conn)?;
        diesel::insert_into(registration_counters::table)
            .values((
                registration_counters::registry_unit_id.eq(registry),
                registration_counters::hijri_year.eq(year),
                registration_counters::last_value.eq(value),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// After explicit ids: PostgreSQL's sequences move past them (SQLite's rowids need nothing).
fn move_id_sequences(conn: &mut DbConn) -> Result<(), ApiError> {
    if let DbConn::Pg(_) = conn {
        for table in ["transactions", "referrals", "events", "documents", "document_versions"] {
            diesel::sql_query(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))"
            ))
            .execute(conn)?;
        }
    }
    Ok(())
}

/// Both backends refresh the planner's statistics, and PostgreSQL vacuums, so that the reports' walks along indexes
/// read the index alone (its visibility map is set).
fn finish(conn: &mut DbConn) -> Result<(), ApiError> {
    if let DbConn::Pg(_) = conn {
        diesel::sql_query("VACUUM (ANALYZE)").execute(conn)?;
    } else {
        diesel::sql_query("ANALYZE").execute(conn)?;
    }
    Ok(())
}

// `treat_none_as_default_value = false` on the rows written many at a time: None is NULL, not DEFAULT (the same
// for these columns), so diesel writes them in one statement on SQLite too, instead of one statement per row.
#[derive(Insertable)]
#[diesel(table_name = transactions, treat_none_as_default_value = false)]
struct GeneratedTransaction {
    id: i64,
    kind: AsText<TransactionKind>,
    status: AsText<TransactionStatus>,
    registry_unit_id: i64,
    hijri_year: i32,
    sequence: i64,
    registration_number: String,
    subject: String,
    external_entity_id: i64,
    sender_reference: String,
    priority: AsText<Priority>,
    confidentiality: AsLevel,
    due_at: Option<NaiveDateTime>,
    attachments_count: i32,
    origin_unit_id: i64,
    created_by: i64,
    created_at: NaiveDateTime,
    registered_at: Option<NaiveDateTime>,
    registered_by: Option<i64>,
    closed_at: Option<NaiveDateTime>,
    closed_by: Option<i64>,
    resolution: Option<String>,
    updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = referrals, treat_none_as_default_value = false)]
struct GeneratedReferral {
    id: i64,
    transaction_id: i64,
    parent_referral_id: Option<i64>,
    from_unit_id: i64,
    from_user_id: i64,
    to_unit_id: i64,
    to_user_id: Option<i64>,
    purpose: AsText<Purpose>,
    instructions: Option<String>,
    due_at: Option<NaiveDateTime>,
    status: AsText<ReferralStatus>,
    outcome: Option<AsText<ReferralOutcome>>,
    sent_at: NaiveDateTime,
    received_at: Option<NaiveDateTime>,
    received_by: Option<i64>,
    completed_at: Option<NaiveDateTime>,
    completed_by: Option<i64>,
    version: i32,
}

#[derive(Insertable)]
#[diesel(table_name = events, treat_none_as_default_value = false)]
struct GeneratedEvent {
    id: i64,
    transaction_id: i64,
    referral_id: Option<i64>,
    kind: AsText<EventKind>,
    actor_user_id: i64,
    actor_unit_id: i64,
    at: NaiveDateTime,
    details: String,
}

#[derive(Insertable)]
#[diesel(table_name = documents, treat_none_as_default_value = false)]
struct GeneratedDocument {
    id: i64,
    transaction_id: i64,
    title: String,
    kind: AsText<DocumentKind>,
    created_by: i64,
    created_at: NaiveDateTime,
    versions: i32,
}

#[derive(Insertable)]
#[diesel(table_name = document_versions, treat_none_as_default_value = false)]
struct GeneratedVersion {
    id: i64,
    document_id: i64,
    version: i32,
    sha256: &'static str,
    size: i64,
    media_type: &'static str,
    file_name: &'static str,
    author_id: i64,
    created_at: NaiveDateTime,
    text_status: AsText<TextStatus>,
    text_content: Option<String>,
}

/// The rows of one batch.
#[derive(Default)]
struct Batch {
    transactions: Vec<GeneratedTransaction>,
    referrals: Vec<GeneratedReferral>,
    events: Vec<GeneratedEvent>,
    documents: Vec<GeneratedDocument>,
    versions: Vec<GeneratedVersion>,
    entries: BTreeMap<i64, Entry>,
}

impl Batch {
    fn write(self, conn: &mut DbConn) -> Result<(), ApiError> {
        for chunk in self.transactions.chunks(500) {
            insert_all!(conn, transactions::table, chunk);
        }
        for chunk in self.referrals.chunks(1_000) {
            insert_all!(conn, referrals::table, chunk);
        }
        for chunk in self.events.chunks(1_000) {
            insert_all!(conn, events::table, chunk);
        }
        insert_all!(conn, documents::table, &self.documents);
        insert_all!(conn, document_versions::table, &self.versions);
        index::write(conn, &self.entries)
    }
}

/// One transaction with its route, timeline, document and search entry.
fn one(
    rng: &mut StdRng,
    org: &Org,
    ids: &mut Ids,
    sequences: &mut BTreeMap<(i64, i32), i64>,
    at: NaiveDateTime,
    now: NaiveDateTime,
    out: &mut Batch,
) {
    ids.transaction += 1;
    let id = ids.transaction;
    let (registry, code, clerks) = if rng.gen_bool(0.6) { &org.registries[0] } else { pick(rng, &org.registries) };
    let clerk = *pick(rng, clerks);
    let year = calendar::hijri_year_at(Utc.from_utc_datetime(&at));
    let sequence = sequences.entry((*registry, year)).or_insert(0);
    *sequence += 1;
    let number = calendar::format_registration_number(code.as_deref(), year, *sequence);
    let kind = match rng.gen_range(0..20) {
        0..=15 => TransactionKind::Incoming,
        16..=18 => TransactionKind::Outgoing,
        _ => TransactionKind::Internal,
    };
    let (entity, entity_ar, entity_en) = pick(rng, &org.entities).clone();
    let mut subject = format!("{} {} في {}", pick(rng, OPENINGS), pick(rng, TOPICS), pick(rng, PLACES));
    if rng.gen_bool(0.1) {
        subject.push_str(&format!(" لصالح مؤسسة {}", rare_word(rng)));
    }
    let reference = format!(
        "{}-{}/{}",
        entity_en.chars().filter(char::is_ascii_uppercase).take(4).collect::<String>(),
        year,
        rng.gen_range(1..99_999)
    );
    let age_days = (now - at).num_days();
    let status = if age_days > 60 && rng.gen_bool(0.92) || rng.gen_bool(0.3) {
        TransactionStatus::Closed
    } else {
        TransactionStatus::Open
    };
    let priority =
        *pick(rng, &[Priority::Normal, Priority::Normal, Priority::Normal, Priority::Urgent, Priority::VeryUrgent]);
    let confidentiality = match rng.gen_range(0..50) {
        0 => Confidentiality::TopSecret,
        1..=4 => Confidentiality::Confidential,
        _ => Confidentiality::Normal,
    };
    let open = status == TransactionStatus::Open;
    let due = (open || rng.gen_bool(0.3)).then(|| at + chrono::Duration::days(rng.gen_range(3..30)));
    let mut notes: Vec<String> = Vec::new();
    let mut event = |out: &mut Batch,
                     referral: Option<i64>,
                     kind: EventKind,
                     by: i64,
                     unit: i64,
                     when: NaiveDateTime,
                     details: serde_json::Value| {
        ids.event += 1;
        out.events.push(GeneratedEvent {
            id: ids.event,
            transaction_id: id,
            referral_id: referral,
            kind: AsText(kind),
            actor_user_id: by,
            actor_unit_id: unit,
            at: when,
            details: details.to_string(),
        });
    };
    event(
        out,
        None,
        EventKind::Registered,
        clerk,
        *registry,
        at,
        json!({"registration_number": number, "registry_unit_id": registry}),
    );
    // The route: hops from the registry onwards, a copy for information beside the first one now and then.
    let hops = 1 + (rng.gen_range(0..100_u32).pow(2) * 8 / 10_000) as usize;
    let (mut from_user, mut from_unit) = (clerk, *registry);
    let mut parent: Option<i64> = None;
    let mut when = at + chrono::Duration::minutes(5);
    let mut closer = clerk;
    for hop in 0..hops {
        let (unit, people) = pick(rng, &org.units);
        let to_user = rng.gen_bool(0.6).then(|| *pick(rng, people));
        let holder = to_user.unwrap_or(people[0]);
        let last_hop = hop + 1 == hops;
        let done = !last_hop || !open;
        let received = done || rng.gen_bool(0.6);
        let instructions = pick(rng, NOTES).to_string();
        ids.referral += 1;
        let rid = ids.referral;
        let sent = when;
        let received_at = received.then(|| sent + chrono::Duration::minutes(rng.gen_range(5..600)));
        let completed_at =
            done.then(|| received_at.unwrap_or(sent) + chrono::Duration::minutes(rng.gen_range(30..4_000)));
        let outcome = done.then_some(if last_hop { ReferralOutcome::Closed } else { ReferralOutcome::Forwarded });
        out.referrals.push(GeneratedReferral {
            id: rid,
            transaction_id: id,
            parent_referral_id: parent,
            from_unit_id: from_unit,
            from_user_id: from_user,
            to_unit_id: *unit,
            to_user_id: to_user,
            purpose: AsText(Purpose::Action),
            instructions: Some(instructions.clone()),
            due_at: if last_hop && open && rng.gen_bool(0.3) { Some(now - chrono::Duration::days(2)) } else { None },
            status: AsText(if done {
                ReferralStatus::Completed
            } else if received {
                ReferralStatus::Received
            } else {
                ReferralStatus::Sent
            }),
            outcome: outcome.map(AsText),
            sent_at: sent,
            received_at,
            received_by: received.then_some(holder),
            completed_at,
            completed_by: done.then_some(holder),
            version: 1,
        });
        let referred = json!({"to_unit_id": unit, "to_user_id": to_user, "purpose": Purpose::Action, "instructions": instructions, "parent_referral_id": parent});
        event(out, Some(rid), EventKind::Referred, from_user, from_unit, sent, referred);
        notes.push(instructions);
        if let Some(r) = received_at {
            event(out, Some(rid), EventKind::Received, holder, *unit, r, json!({}));
        }
        if hop == 0 && rng.gen_bool(0.3) {
            let (copy_unit, _) = pick(rng, &org.units);
            ids.referral += 1;
            out.referrals.push(GeneratedReferral {
                id: ids.referral,
                transaction_id: id,
                parent_referral_id: parent,
                from_unit_id: from_unit,
                from_user_id: from_user,
                to_unit_id: *copy_unit,
                to_user_id: None,
                purpose: AsText(Purpose::Information),
                instructions: None,
                due_at: None,
                status: AsText(ReferralStatus::Completed),
                outcome: Some(AsText(ReferralOutcome::Completed)),
                sent_at: sent,
                received_at: Some(sent + chrono::Duration::hours(2)),
                received_by: None,
                completed_at: Some(sent + chrono::Duration::hours(2)),
                completed_by: None,
                version: 1,
            });
        }
        if rng.gen_bool(0.2) {
            let text = format!("{} — {}", pick(rng, NOTES), pick(rng, TOPICS));
            event(
                out,
                Some(rid),
                EventKind::Annotated,
                holder,
                *unit,
                received_at.unwrap_or(sent),
                json!({"text": text}),
            );
            notes.push(text);
        }
        if let Some(done_at) = completed_at.filter(|_| !last_hop) {
            event(out, Some(rid), EventKind::Forwarded, holder, *unit, done_at, json!({"note": null}));
        }
        (from_user, from_unit, parent, closer) = (holder, *unit, Some(rid), holder);
        when = completed_at.unwrap_or(sent) + chrono::Duration::minutes(10);
    }
    if rng.gen_bool(0.15) {
        let note = pick(rng, NOTES).to_string();
        let decision =
            *pick(rng, &[Decision::Approve, Decision::Approve, Decision::Reject, Decision::RequestInformation]);
        event(
            out,
            parent,
            EventKind::DecisionRecorded,
            closer,
            from_unit,
            when,
            json!({"decision": decision, "note": note}),
        );
        notes.push(note);
    }
    let resolution = (!open).then(|| format!("أُنجزت: {}", pick(rng, NOTES)));
    if let Some(r) = &resolution {
        event(out, parent, EventKind::Closed, closer, from_unit, when, json!({"resolution": r}));
    }
    // A document with a short text, for half of them.
    let mut document_texts = Vec::new();
    if rng.gen_bool(0.5) {
        ids.document += 1;
        ids.version += 1;
        let title = format!("{} {}", pick(rng, &["الخطاب الأصلي", "تقرير فني", "محضر معاينة", "صورة المخطط"]), number);
        let text = format!("{subject}. {} {} {}.", pick(rng, NOTES), pick(rng, TOPICS), pick(rng, PLACES));
        out.documents.push(GeneratedDocument {
            id: ids.document,
            transaction_id: id,
            title: title.clone(),
            kind: AsText(DocumentKind::OriginalScan),
            created_by: clerk,
            created_at: at,
            versions: 1,
        });
        out.versions.push(GeneratedVersion {
            id: ids.version,
            document_id: ids.document,
            version: 1,
            sha256: PLACEHOLDER_SHA256,
            size: text.len() as i64,
            media_type: "text/plain",
            file_name: "letter.txt",
            author_id: clerk,
            created_at: at,
            text_status: AsText(TextStatus::Extracted),
            text_content: Some(text.clone()),
        });
        document_texts.push(title);
        document_texts.push(text);
    }
    let closed_at = resolution.as_ref().map(|_| when);
    let mut body: Vec<&str> = vec![&entity_ar, &entity_en];
    body.extend(notes.iter().map(String::as_str));
    body.extend(resolution.iter().map(String::as_str));
    body.extend(document_texts.iter().map(String::as_str));
    out.entries.insert(
        id,
        Entry {
            numbers: distinct([number.as_str(), reference.as_str()], usize::MAX),
            subject: distinct([subject.as_str()], usize::MAX),
            body: distinct(body, index::MAX_BODY_TERMS),
        },
    );
    out.transactions.push(GeneratedTransaction {
        id,
        kind: AsText(kind),
        status: AsText(status),
        registry_unit_id: *registry,
        hijri_year: year,
        sequence: *sequence,
        registration_number: number,
        subject,
        external_entity_id: entity,
        sender_reference: reference,
        priority: AsText(priority),
        confidentiality: AsLevel::from(confidentiality),
        due_at: due,
        attachments_count: 0,
        origin_unit_id: *registry,
        created_by: clerk,
        created_at: at,
        registered_at: Some(at),
        registered_by: Some(clerk),
        closed_at,
        closed_by: closed_at.map(|_| closer),
        resolution,
        updated_at: when,
    });
}
