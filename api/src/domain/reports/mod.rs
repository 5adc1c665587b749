//! Reports: figures over the transactions and referrals the caller may see, by period and unit subtree. Each report
//! is one grouped statement the database answers (the visibility rule, [`policy::visible_sql`], applied to every row
//! it counts), so a report never counts what the caller may not see; this module names the rows and orders them.
//! [`export`] writes the same table as CSV or XLSX.
//!
//! The transaction reports (by kind, by Hijri month, ageing) are built from counts per Riyadh registration day, kind
//! and status. For a caller who sees every transaction within their clearance (administrators, auditors) asking for
//! the whole organisation, those counts come from `report_days`, which triggers keep exact in the same database
//! transaction as every change (see its migration), so a report over two million transactions sums a few thousand
//! rows; for anyone else, or for a unit, they are counted from the transactions under the visibility rule. Overdue is
//! always counted live, from the open transactions and referrals past their due date (partial and due-date indexes).
//!
//! Durations are whole seconds between instants truncated to the second on both backends (`strftime('%s')` on
//! SQLite, `date_trunc('second')` on PostgreSQL), so both give the same figures. Median and 90th percentile are the
//! nearest-rank values (the ⌈n/2⌉-th and ⌈9n/10⌉-th of the sorted durations), exact, computed by the database with
//! window functions.

pub mod export;

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use shared_types::{
    AgeBucket, Measure, Purpose, ReferralStatus, Report, ReportKey, ReportName, ReportQuery, ReportRow,
    TransactionKind, TransactionStatus, WireEnum,
};

use super::actor::Actor;
use super::views::Refs;
use super::{now, org, policy, utc};
use crate::calendar::{self, HijriDate};
use crate::db::{Backend, DbConn, backend_of};
use crate::error::ApiError;
use crate::schema::users;
use crate::sql::{Sql, Value};

/// A grouped row: its key (a unit, a person, an age bucket…) and up to four figures.
#[derive(Debug, QueryableByName)]
struct Tally {
    #[diesel(sql_type = BigInt)]
    k: i64,
    #[diesel(sql_type = BigInt)]
    a: i64,
    #[diesel(sql_type = BigInt)]
    b: i64,
    #[diesel(sql_type = BigInt)]
    c: i64,
    #[diesel(sql_type = BigInt)]
    d: i64,
}

/// Registered transactions of one Riyadh day (`YYYY-MM-DD`), kind and status.
#[derive(Debug, QueryableByName)]
struct DayCount {
    #[diesel(sql_type = Text)]
    day: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

impl DayCount {
    fn date(&self) -> Result<NaiveDate, ApiError> {
        NaiveDate::parse_from_str(&self.day, "%Y-%m-%d").map_err(ApiError::internal)
    }

    fn is(&self, status: TransactionStatus) -> bool {
        self.status == status.as_str()
    }

    fn closed(&self) -> bool {
        self.is(TransactionStatus::Closed) || self.is(TransactionStatus::Archived)
    }
}

/// What a report covers: the caller's view, a period, a set of units.
struct Scope {
    backend: Backend,
    units: Option<Vec<i64>>,
    from_day: Option<NaiveDate>,
    to_day: Option<NaiveDate>,
    now: NaiveDateTime,
    /// Whether the day counts can come from `report_days`: the caller sees every transaction within their clearance
    /// and asks for the whole organisation.
    tallied: bool,
}

impl Scope {
    fn text(value: impl WireEnum) -> Value {
        Value::Text(value.as_str().to_string())
    }

    /// Whole seconds from `earlier` to `later` (SQL expressions), each truncated to the second.
    fn seconds(&self, later: &str, earlier: &str) -> String {
        match self.backend {
            Backend::Sqlite => {
                format!("(CAST(strftime('%s', {later}) AS BIGINT) - CAST(strftime('%s', {earlier}) AS BIGINT))")
            }
            Backend::Postgres => format!(
                "(CAST(EXTRACT(EPOCH FROM date_trunc('second', {later})) AS BIGINT) \
                 - CAST(EXTRACT(EPOCH FROM date_trunc('second', {earlier})) AS BIGINT))"
            ),
        }
    }

    /// The period on an instant column: from the start of its first Riyadh day to the end of its last.
    fn period(&self, sql: &mut Sql, column: &str) {
        if let Some(from) = self.from_day {
            sql.push(&format!(" AND {column} >= "));
            sql.bind(Value::Time(super::day_start(from, false)));
        }
        if let Some(to) = self.to_day {
            sql.push(&format!(" AND {column} < "));
            sql.bind(Value::Time(super::day_start(to, true)));
        }
    }

    /// `FROM transactions t WHERE …`: registered transactions the caller may see, registered in the period, tied to
    /// the units (created or registered there, or referred there).
    fn transactions(&self, actor: &Actor, sql: &mut Sql) {
        sql.push(" FROM transactions t WHERE ");
        policy::visible_sql(actor, sql);
        sql.push(" AND t.registered_at IS NOT NULL");
        self.period(sql, "t.registered_at");
        if let Some(units) = &self.units {
            sql.push(" AND (t.origin_unit_id IN ").bind_list(units.iter().copied());
            sql.push(" OR t.registry_unit_id IN ").bind_list(units.iter().copied());
            sql.push(" OR EXISTS (SELECT 1 FROM referrals s WHERE s.transaction_id = t.id AND s.to_unit_id IN ");
            sql.bind_list(units.iter().copied()).push("))");
        }
    }

    /// `FROM referrals r JOIN transactions t … WHERE …`: referrals of transactions the caller may see, sent in the
    /// period to the units; for action only when `action`; open (`Some(true)`) or completed (`Some(false)`).
    fn referrals(&self, actor: &Actor, sql: &mut Sql, action: bool, open: Option<bool>) {
        sql.push(" FROM referrals r JOIN transactions t ON t.id = r.transaction_id WHERE ");
        policy::visible_sql(actor, sql);
        self.period(sql, "r.sent_at");
        if let Some(units) = &self.units {
            sql.push(" AND r.to_unit_id IN ").bind_list(units.iter().copied());
        }
        if action {
            sql.push(" AND r.purpose = ");
            sql.bind(Self::text(Purpose::Action));
        }
        match open {
            Some(true) => {
                sql.push(" AND r.status <> ");
                sql.bind(Self::text(ReferralStatus::Completed));
            }
            Some(false) => {
                sql.push(" AND r.status = ");
                sql.bind(Self::text(ReferralStatus::Completed));
            }
            None => {}
        }
    }

    /// The Riyadh day of an instant column, as `YYYY-MM-DD` text.
    fn day(&self, column: &str) -> String {
        match self.backend {
            Backend::Sqlite => format!("date({column}, '+3 hours')"),
            Backend::Postgres => format!("to_char({column} + INTERVAL '3 hours', 'YYYY-MM-DD')"),
        }
    }

    /// Registered transactions per Riyadh day, kind and status, within the caller's view and the report's scope:
    /// from `report_days` where that holds exactly the same (see [`Scope::tallied`]), else counted from the rows.
    fn day_counts(&self, conn: &mut DbConn, actor: &Actor) -> Result<Vec<DayCount>, ApiError> {
        let mut sql = Sql::new(self.backend);
        if self.tallied {
            sql.push("SELECT day, kind, status, CAST(SUM(transactions) AS BIGINT) AS n FROM report_days WHERE confidentiality <= ");
            sql.bind(Value::Int(i64::from(actor.clearance().level())));
            if let Some(from) = self.from_day {
                sql.push(" AND day >= ");
                sql.bind(Value::Text(from.to_string()));
            }
            if let Some(to) = self.to_day {
                sql.push(" AND day <= ");
                sql.bind(Value::Text(to.to_string()));
            }
            sql.push(" GROUP BY day, kind, status HAVING SUM(transactions) > 0");
        } else {
            let day = self.day("t.registered_at");
            sql.push(&format!("SELECT {day} AS day, t.kind AS kind, t.status AS status, COUNT(*) AS n"));
            self.transactions(actor, &mut sql);
            sql.push(" GROUP BY 1, 2, 3");
        }
        Ok(sql.load(conn)?)
    }

    /// Open transactions past their due date (or with an open referral past its own) per registration day and kind,
    /// within the caller's view and the report's scope: counted live, from the few rows the due-date indexes give.
    fn overdue_counts(&self, conn: &mut DbConn, actor: &Actor) -> Result<Vec<DayCount>, ApiError> {
        let mut sql = Sql::new(self.backend);
        let day = self.day("t.registered_at");
        sql.push(&format!("SELECT {day} AS day, t.kind AS kind, t.status AS status, COUNT(*) AS n"));
        self.transactions(actor, &mut sql);
        sql.push(" AND t.status = ");
        let open = sql.bind(Self::text(TransactionStatus::Open));
        sql.push(&format!(" AND t.id IN (SELECT d.id FROM transactions d WHERE d.status = {open} AND d.due_at < "));
        let now = sql.bind(Value::Time(self.now));
        sql.push(" UNION SELECT o.transaction_id FROM referrals o WHERE o.status IN (");
        sql.bind(Self::text(ReferralStatus::Sent));
        sql.push(", ");
        sql.bind(Self::text(ReferralStatus::Received));
        sql.push(&format!(") AND o.due_at < {now}) GROUP BY 1, 2, 3"));
        Ok(sql.load(conn)?)
    }
}

/// A report as the caller may see it.
pub fn report(conn: &mut DbConn, actor: &Actor, name: ReportName, q: &ReportQuery) -> Result<Report, ApiError> {
    let from_day = super::day_of("from", q.from.as_deref())?;
    let to_day = super::day_of("to", q.to.as_deref())?;
    let subtree = q.subtree.unwrap_or(true);
    let units = q.unit_id.map(|unit| org::unit_scope(conn, unit, subtree)).transpose()?;
    let unit = match q.unit_id {
        Some(id) => Refs::load(conn, [id], [], [])?.known_unit(id),
        None => None,
    };
    let scope = Scope {
        backend: backend_of(conn),
        tallied: units.is_none() && policy::sees_all_within_clearance(actor),
        units,
        from_day,
        to_day,
        now: now(),
    };
    let (measures, rows) = match name {
        ReportName::VolumeByKind => volume_by_kind(conn, actor, &scope)?,
        ReportName::VolumeByUnit => volume_by_unit(conn, actor, &scope)?,
        ReportName::VolumeByMonth => volume_by_month(conn, actor, &scope)?,
        ReportName::OpenByUnit => open_by_unit(conn, actor, &scope)?,
        ReportName::ProcessingByUnit => processing_by_unit(conn, actor, &scope)?,
        ReportName::DwellByHolder => dwell_by_holder(conn, actor, &scope)?,
        ReportName::Ageing => ageing(conn, actor, &scope)?,
        ReportName::Bottlenecks => bottlenecks(conn, actor, &scope)?,
    };
    Ok(Report {
        name,
        from: from_day,
        to: to_day,
        unit,
        subtree: q.unit_id.is_some() && subtree,
        generated_at: utc(scope.now),
        measures,
        rows,
    })
}

type Table = (Vec<Measure>, Vec<ReportRow>);

fn average(total: i64, n: i64) -> i64 {
    if n > 0 { total / n } else { 0 }
}

/// Rows keyed by unit, named, in the order given.
fn unit_rows(
    conn: &mut DbConn,
    tallies: &[Tally],
    values: impl Fn(&Tally) -> Vec<i64>,
) -> Result<Vec<ReportRow>, ApiError> {
    let refs = Refs::load(conn, tallies.iter().map(|t| t.k), [], [])?;
    Ok(tallies.iter().map(|t| ReportRow { key: ReportKey::Unit { unit: refs.unit(t.k) }, values: values(t) }).collect())
}

fn volume_by_kind(conn: &mut DbConn, actor: &Actor, scope: &Scope) -> Result<Table, ApiError> {
    let mut by_kind: HashMap<String, [i64; 4]> = HashMap::new();
    for c in scope.day_counts(conn, actor)? {
        let v = by_kind.entry(c.kind.clone()).or_default();
        v[0] += c.n;
        v[1] += if c.is(TransactionStatus::Open) { c.n } else { 0 };
        v[2] += if c.closed() { c.n } else { 0 };
    }
    for c in scope.overdue_counts(conn, actor)? {
        by_kind.entry(c.kind.clone()).or_default()[3] += c.n;
    }
    let rows = TransactionKind::ALL
        .iter()
        .map(|kind| ReportRow {
            key: ReportKey::Kind { kind: *kind },
            values: by_kind.get(kind.as_str()).map(|v| v.to_vec()).unwrap_or_else(|| vec![0; 4]),
        })
        .collect();
    Ok((vec![Measure::Transactions, Measure::Open, Measure::Closed, Measure::Overdue], rows))
}

fn volume_by_unit(conn: &mut DbConn, actor: &Actor, scope: &Scope) -> Result<Table, ApiError> {
    let mut sql = Sql::new(scope.backend);
    sql.push("SELECT r.to_unit_id AS k, COUNT(DISTINCT r.transaction_id) AS a, COUNT(*) AS b, CAST(0 AS BIGINT) AS c, CAST(0 AS BIGINT) AS d");
    scope.referrals(actor, &mut sql, false, None);
    sql.push(" GROUP BY r.to_unit_id ORDER BY a DESC, b DESC, k");
    let tallies: Vec<Tally> = sql.load(conn)?;
    let rows = unit_rows(conn, &tallies, |t| vec![t.a, t.b])?;
    Ok((vec![Measure::Transactions, Measure::Referrals], rows))
}

/// The Hijri month a Gregorian day is in, with the month's first and last Gregorian days.
fn hijri_month(day: NaiveDate) -> Option<(i32, u8, NaiveDate, NaiveDate)> {
    let h = calendar::to_hijri(day)?;
    let first = calendar::from_hijri(HijriDate { day: 1, ..h })?;
    let (ny, nm) = if h.month == 12 { (h.year + 1, 1) } else { (h.year, h.month + 1) };
    let next = calendar::from_hijri(HijriDate { year: ny, month: nm, day: 1 })?;
    Some((h.year, h.month, first, next.pred_opt()?))
}

fn volume_by_month(conn: &mut DbConn, actor: &Actor, scope: &Scope) -> Result<Table, ApiError> {
    // Counted by Riyadh day in the database (a few thousand rows at most), then summed by Hijri month here: the
    // Umm al-Qura calendar is not something SQL knows.
    let (from, to) = (scope.from_day, scope.to_day);
    let mut months: BTreeMap<(i32, u8), (NaiveDate, NaiveDate, [i64; 3])> = BTreeMap::new();
    for c in scope.day_counts(conn, actor)? {
        let (year, month, first, last) =
            hijri_month(c.date()?).ok_or_else(|| ApiError::internal("a day beyond the calendar"))?;
        let entry = months.entry((year, month)).or_insert((first, last, [0; 3]));
        entry.2[0] += c.n;
        entry.2[1] += if c.is(TransactionStatus::Open) { c.n } else { 0 };
        entry.2[2] += if c.closed() { c.n } else { 0 };
    }
    // Every month from the first with data to the last, empty ones between them too, within the period.
    let start = months.values().next().map(|m| m.0).map(|first| from.map_or(first, |f| f.max(first)));
    let end = months.values().next_back().map(|m| m.1).map(|last| to.map_or(last, |t| t.min(last)));
    let mut rows = Vec::new();
    if let (Some(start), Some(end)) = (start, end) {
        let mut day = start;
        while day <= end {
            let Some((year, month, first, last)) = hijri_month(day) else { break };
            let values = months.get(&(year, month)).map(|m| m.2.to_vec()).unwrap_or_else(|| vec![0; 3]);
            rows.push(ReportRow { key: ReportKey::Month { year, month, first_day: first, last_day: last }, values });
            match last.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
    }
    Ok((vec![Measure::Transactions, Measure::Open, Measure::Closed], rows))
}

fn open_by_unit(conn: &mut DbConn, actor: &Actor, scope: &Scope) -> Result<Table, ApiError> {
    let mut sql = Sql::new(scope.backend);
    sql.push("SELECT r.to_unit_id AS k, COUNT(*) AS a, SUM(CASE WHEN r.due_at < ");
    let now = sql.bind(Value::Time(scope.now));
    sql.push(&format!(" OR t.due_at < {now} THEN 1 ELSE 0 END) AS b, CAST(0 AS BIGINT) AS c, CAST(0 AS BIGINT) AS d"));
    scope.referrals(actor, &mut sql, true, Some(true));
    sql.push(" GROUP BY r.to_unit_id ORDER BY a DESC, b DESC, k");
    let tallies: Vec<Tally> = sql.load(conn)?;
    let rows = unit_rows(conn, &tallies, |t| vec![t.a, t.b])?;
    Ok((vec![Measure::Open, Measure::Overdue], rows))
}

fn processing_by_unit(conn: &mut DbConn, actor: &Actor, scope: &Scope) -> Result<Table, ApiError> {
    let mut sql = Sql::new(scope.backend);
    let took = scope.seconds("r.completed_at", "r.sent_at");
    sql.push(&format!("WITH took AS (SELECT r.to_unit_id AS k, {took} AS s"));
    scope.referrals(actor, &mut sql, true, Some(false));
    sql.push(
        "), ranked AS (SELECT k, s, ROW_NUMBER() OVER (PARTITION BY k ORDER BY s) AS n, \
         COUNT(*) OVER (PARTITION BY k) AS m FROM took) \
         SELECT k, MAX(m) AS a, CAST(SUM(s) AS BIGINT) AS b, \
         MAX(CASE WHEN n = (m + 1) / 2 THEN s END) AS c, \
         MAX(CASE WHEN n = (9 * m + 9) / 10 THEN s END) AS d \
         FROM ranked GROUP BY k",
    );
    let mut tallies: Vec<Tally> = sql.load(conn)?;
    // The slowest first: by average.
    tallies.sort_by_key(|t| (std::cmp::Reverse(average(t.b, t.a)), t.k));
    let rows = unit_rows(conn, &tallies, |t| vec![t.a, average(t.b, t.a), t.c, t.d])?;
    Ok((vec![Measure::Referrals, Measure::AverageSeconds, Measure::MedianSeconds, Measure::P90Seconds], rows))
}

fn dwell_by_holder(conn: &mut DbConn, actor: &Actor, scope: &Scope) -> Result<Table, ApiError> {
    let mut sql = Sql::new(scope.backend);
    let now = sql.bind_only(Value::Time(scope.now));
    let took = scope.seconds(&format!("COALESCE(r.completed_at, {now})"), "r.sent_at");
    sql.push(&format!(
        "SELECT COALESCE(r.to_user_id, r.received_by) AS k, COUNT(*) AS a, \
         SUM(CASE WHEN r.completed_at IS NULL THEN 1 ELSE 0 END) AS b, CAST(SUM({took}) AS BIGINT) AS c, \
         MAX({took}) AS d"
    ));
    scope.referrals(actor, &mut sql, true, None);
    sql.push(" AND COALESCE(r.to_user_id, r.received_by) IS NOT NULL GROUP BY COALESCE(r.to_user_id, r.received_by)");
    let mut tallies: Vec<Tally> = sql.load(conn)?;
    tallies.sort_by_key(|t| (std::cmp::Reverse(average(t.c, t.a)), t.k));
    let homes: HashMap<i64, i64> = users::table
        .filter(users::id.eq_any(tallies.iter().map(|t| t.k).collect::<Vec<_>>()))
        .select((users::id, users::unit_id))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let refs = Refs::load(conn, homes.values().copied(), tallies.iter().map(|t| t.k), [])?;
    let rows = tallies
        .iter()
        .map(|t| ReportRow {
            key: ReportKey::Holder { user: refs.user(t.k), unit: refs.unit(homes.get(&t.k).copied().unwrap_or(0)) },
            values: vec![t.a, t.b, t.c, average(t.c, t.a), t.d],
        })
        .collect();
    Ok((
        vec![Measure::Referrals, Measure::Open, Measure::TotalSeconds, Measure::AverageSeconds, Measure::MaxSeconds],
        rows,
    ))
}

/// The age bucket of an open transaction registered on `day`, seen on `today` (whole Riyadh days).
fn bucket(day: NaiveDate, today: NaiveDate) -> usize {
    match (today - day).num_days() {
        ..=2 => 0,
        3..=7 => 1,
        8..=30 => 2,
        31..=90 => 3,
        _ => 4,
    }
}

fn ageing(conn: &mut DbConn, actor: &Actor, scope: &Scope) -> Result<Table, ApiError> {
    let today = calendar::riyadh_date(utc(scope.now));
    let mut buckets = [[0_i64; 2]; 5];
    for c in scope.day_counts(conn, actor)?.into_iter().filter(|c| c.is(TransactionStatus::Open)) {
        buckets[bucket(c.date()?, today)][0] += c.n;
    }
    for c in scope.overdue_counts(conn, actor)? {
        buckets[bucket(c.date()?, today)][1] += c.n;
    }
    let rows = AgeBucket::ALL
        .iter()
        .zip(buckets)
        .map(|(bucket, values)| ReportRow { key: ReportKey::Age { bucket: *bucket }, values: values.to_vec() })
        .collect();
    Ok((vec![Measure::Transactions, Measure::Overdue], rows))
}

fn bottlenecks(conn: &mut DbConn, actor: &Actor, scope: &Scope) -> Result<Table, ApiError> {
    let mut sql = Sql::new(scope.backend);
    let now = sql.bind_only(Value::Time(scope.now));
    let waited = scope.seconds(&now, "r.sent_at");
    sql.push(&format!(
        "SELECT r.to_unit_id AS k, COUNT(*) AS a, CAST(SUM({waited}) AS BIGINT) AS b, MAX({waited}) AS c, CAST(0 AS BIGINT) AS d"
    ));
    scope.referrals(actor, &mut sql, true, Some(true));
    sql.push(" GROUP BY r.to_unit_id ORDER BY b DESC, k");
    let tallies: Vec<Tally> = sql.load(conn)?;
    let rows = unit_rows(conn, &tallies, |t| vec![t.a, t.b, average(t.b, t.a), t.c])?;
    Ok((vec![Measure::Open, Measure::TotalSeconds, Measure::AverageSeconds, Measure::MaxSeconds], rows))
}

/// The Hijri month and year of a month row, as `1448-03`.
pub fn month_label(year: i32, month: u8) -> String {
    format!("{year:04}-{month:02}")
}

#[cfg(test)]
mod tests {
    use chrono::Datelike;

    use super::*;

    #[test]
    fn hijri_months_cover_every_day_once_and_follow_each_other() {
        let mut day = NaiveDate::from_ymd_opt(2012, 1, 1).unwrap();
        let mut previous: Option<(i32, u8, NaiveDate)> = None;
        while day.year() < 2028 {
            let (year, month, first, last) = hijri_month(day).unwrap();
            assert!(first <= day && day <= last, "{day} in {year}-{month}");
            assert!((29..=30).contains(&((last - first).num_days() + 1)), "{year}-{month} has 29 or 30 days");
            if let Some((y, m, previous_last)) = previous
                && (y, m) != (year, month)
            {
                assert_eq!(i64::from(year) * 12 + i64::from(month), i64::from(y) * 12 + i64::from(m) + 1);
                assert_eq!(previous_last.succ_opt(), Some(first));
            }
            previous = Some((year, month, last));
            day = day.succ_opt().unwrap();
        }
    }
}
