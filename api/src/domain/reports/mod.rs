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
//! The referral reports (by unit, processing time, dwell per holder, bottlenecks) are built from figures per Riyadh
//! sending day, unit (and holder) and confidentiality: for administrators and auditors from `report_unit_days` and
//! `report_holder_days`, kept exact by triggers like `report_days` (for a unit too: both are kept by unit), for
//! anyone else counted from the referrals they may see, in one grouped statement that yields the same figures. What sums cannot give is read along
//! an index, key by key: the exact median and 90th percentile of a unit's processing times are its n-th durations,
//! walked to in `referrals_took_idx`; the longest open wait is the first entry of a unit or holder in the partial
//! indexes of open work for action. A transaction counts for a unit in the period its first referral to the unit was
//! sent in ("arrivals"), so periods add up.
//!
//! Durations are whole seconds between instants truncated to the second on both backends (`strftime('%s')` on
//! SQLite, `date_trunc('second')` on PostgreSQL), so both give the same figures. Median and 90th percentile are the
//! nearest-rank values (the ⌈n/2⌉-th and ⌈9n/10⌉-th of the sorted durations), exact: walked to along the index, or
//! for a caller counted live, computed by the database with window functions.

pub mod export;

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use shared_types::{
    AgeBucket, Confidentiality, Measure, Purpose, ReferralStatus, Report, ReportKey, ReportName, ReportQuery,
    ReportRow, TransactionKind, TransactionStatus, WireEnum,
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

/// Referral figures of one key (a unit or a holder), from the referral day counts or counted from the referrals.
#[derive(Debug, QueryableByName)]
struct ReferralTally {
    #[diesel(sql_type = BigInt)]
    k: i64,
    #[diesel(sql_type = BigInt)]
    referrals: i64,
    /// Referrals that were the first of their transaction to reach the unit.
    #[diesel(sql_type = BigInt)]
    arrivals: i64,
    #[diesel(sql_type = BigInt)]
    actions: i64,
    #[diesel(sql_type = BigInt)]
    actions_open: i64,
    /// The sum of the open ones' sending instants, in epoch seconds.
    #[diesel(sql_type = BigInt)]
    open_sent_seconds: i64,
    #[diesel(sql_type = BigInt)]
    actions_completed: i64,
    #[diesel(sql_type = BigInt)]
    completed_seconds: i64,
    /// The earliest sending instant of the open ones (epoch seconds), where it was counted with the rest.
    #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
    oldest_open: Option<i64>,
}

impl ReferralTally {
    /// The total wait of the open referrals for action at `now` (epoch seconds).
    fn open_wait(&self, now: i64) -> i64 {
        self.actions_open * now - self.open_sent_seconds
    }
}

/// One figure.
#[derive(Debug, QueryableByName)]
struct One {
    #[diesel(sql_type = BigInt)]
    k: i64,
}

/// The key a referral report groups by.
#[derive(Debug, Clone, Copy, PartialEq)]
enum By {
    Unit,
    Holder,
}

/// The referrals a report's figures are made of. Counted from the referrals, only those are read (answered by the
/// partial indexes of open and completed work for action), and the figures of the others are zero; summed from the
/// referral day counts, every figure is there.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Work {
    /// Every referral, and which of them were the first of their transaction to reach the unit.
    All,
    /// Referrals for action, open and completed.
    Actions,
    /// Open referrals for action.
    OpenActions,
    /// Completed referrals for action.
    CompletedActions,
}

/// A wire value as an SQL literal: fixed words of the program (`'completed'`, `'action'`), written into the text so
/// that the database matches them against its partial indexes, which a bound value cannot be.
fn literal(value: impl WireEnum) -> String {
    let word = value.as_str();
    debug_assert!(word.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    format!("'{word}'")
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
    /// Whether the referral figures can come from `report_unit_days` and `report_holder_days` (kept by unit): the
    /// caller sees every transaction within their clearance.
    referrals_tallied: bool,
    /// The caller's clearance.
    clearance: i64,
    /// Whether the clearance is the highest, so that no transaction is out of the caller's view.
    cleared_for_all: bool,
}

impl Scope {
    fn text(value: impl WireEnum) -> Value {
        Value::Text(value.as_str().to_string())
    }

    /// An instant (an SQL expression) in whole epoch seconds, truncated to the second.
    fn epoch(&self, instant: &str) -> String {
        match self.backend {
            Backend::Sqlite => format!("CAST(strftime('%s', {instant}) AS BIGINT)"),
            Backend::Postgres => format!("CAST(EXTRACT(EPOCH FROM date_trunc('second', {instant})) AS BIGINT)"),
        }
    }

    /// Whole seconds from `earlier` to `later` (SQL expressions), each truncated to the second. For a completed
    /// referral (`r.completed_at`, `r.sent_at`) this is, character for character, the expression `referrals_took_idx`
    /// is built on.
    fn seconds(&self, later: &str, earlier: &str) -> String {
        format!("({} - {})", self.epoch(later), self.epoch(earlier))
    }

    /// The report's instant in epoch seconds.
    fn now_epoch(&self) -> i64 {
        self.now.and_utc().timestamp()
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
        policy::visible_sql(actor, sql, policy::Drive::FromTies);
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
    /// period to the units, of the `work` asked for.
    fn referrals(&self, actor: &Actor, sql: &mut Sql, work: Work) {
        sql.push(" FROM referrals r JOIN transactions t ON t.id = r.transaction_id WHERE ");
        policy::visible_sql(actor, sql, policy::Drive::FromTies);
        self.period(sql, "r.sent_at");
        if let Some(units) = &self.units {
            sql.push(" AND r.to_unit_id IN ").bind_list(units.iter().copied());
        }
        Self::kind_of_referral(sql, work);
    }

    /// ` AND r.purpose = 'action'` unless every referral is asked for, and ` AND r.status <> 'completed'` for open
    /// work, `=` for completed: as literals, which the partial indexes of open and completed work for action answer.
    fn kind_of_referral(sql: &mut Sql, work: Work) {
        if work != Work::All {
            sql.push(&format!(" AND r.purpose = {}", literal(Purpose::Action)));
        }
        let completed = literal(ReferralStatus::Completed);
        match work {
            Work::OpenActions => sql.push(&format!(" AND r.status <> {completed}")),
            Work::CompletedActions => sql.push(&format!(" AND r.status = {completed}")),
            Work::All | Work::Actions => sql,
        };
    }

    /// ` AND {column} >= from AND {column} <= to` on a `YYYY-MM-DD` day column.
    fn days(&self, sql: &mut Sql, column: &str) {
        if let Some(from) = self.from_day {
            sql.push(&format!(" AND {column} >= "));
            sql.bind(Value::Text(from.to_string()));
        }
        if let Some(to) = self.to_day {
            sql.push(&format!(" AND {column} <= "));
            sql.bind(Value::Text(to.to_string()));
        }
    }

    /// The referral figures per unit or holder (holders: those who hold or held a referral; nobody's are left out;
    /// by holder, only the figures of referrals for action are meant) of the `work` asked for: summed from
    /// `report_unit_days` or `report_holder_days` where that holds exactly the same (see
    /// [`Scope::referrals_tallied`]), else counted from those referrals the caller may see. Tallied figures leave
    /// `oldest_open` unset: see [`Scope::oldest_open`].
    fn referral_tallies(
        &self,
        conn: &mut DbConn,
        actor: &Actor,
        by: By,
        work: Work,
    ) -> Result<Vec<ReferralTally>, ApiError> {
        let mut sql = Sql::new(self.backend);
        if self.referrals_tallied {
            // Figures a table does not keep are zero: a holder's row counts referrals for action only, so its
            // referrals are its actions and it has no arrivals; a unit's needs no count of all its actions.
            let (k, table, referrals, arrivals, actions, completed) = match by {
                By::Unit => ("unit_id", "report_unit_days", "referrals", "arrivals", "0", "actions_completed"),
                By::Holder => ("holder_id", "report_holder_days", "actions", "0", "actions", "0"),
            };
            sql.push(&format!(
                "SELECT {k} AS k, CAST(SUM({referrals}) AS BIGINT) AS referrals, \
                 CAST(SUM({arrivals}) AS BIGINT) AS arrivals, CAST(SUM({actions}) AS BIGINT) AS actions, \
                 CAST(SUM(actions_open) AS BIGINT) AS actions_open, \
                 CAST(SUM(open_sent_seconds) AS BIGINT) AS open_sent_seconds, \
                 CAST(SUM({completed}) AS BIGINT) AS actions_completed, \
                 CAST(SUM(completed_seconds) AS BIGINT) AS completed_seconds, \
                 CAST(NULL AS BIGINT) AS oldest_open \
                 FROM {table} WHERE confidentiality <= "
            ));
            sql.bind(Value::Int(self.clearance));
            self.days(&mut sql, "day");
            if let Some(units) = &self.units {
                sql.push(" AND unit_id IN ").bind_list(units.iter().copied());
            }
            sql.push(&format!(" GROUP BY {k} HAVING SUM({referrals}) <> 0"));
        } else {
            let k = match by {
                By::Unit => "r.to_unit_id",
                By::Holder => "COALESCE(r.to_user_id, r.received_by)",
            };
            let action = format!("r.purpose = {}", literal(Purpose::Action));
            let completed = literal(ReferralStatus::Completed);
            let (open, done) =
                (format!("{action} AND r.status <> {completed}"), format!("{action} AND r.status = {completed}"));
            let (sent, took) = (self.epoch("r.sent_at"), self.seconds("r.completed_at", "r.sent_at"));
            // Whether a referral is the first of its transaction to reach the unit costs a look-up per referral:
            // only volume asks.
            let arrivals = if work == Work::All {
                "SUM(CASE WHEN EXISTS (SELECT 1 FROM referrals p WHERE p.transaction_id = r.transaction_id \
                 AND p.to_unit_id = r.to_unit_id AND p.id < r.id) THEN 0 ELSE 1 END)"
            } else {
                "CAST(0 AS BIGINT)"
            };
            sql.push(&format!(
                "SELECT {k} AS k, COUNT(*) AS referrals, {arrivals} AS arrivals, \
                 SUM(CASE WHEN {action} THEN 1 ELSE 0 END) AS actions, \
                 SUM(CASE WHEN {open} THEN 1 ELSE 0 END) AS actions_open, \
                 CAST(SUM(CASE WHEN {open} THEN {sent} ELSE 0 END) AS BIGINT) AS open_sent_seconds, \
                 SUM(CASE WHEN {done} THEN 1 ELSE 0 END) AS actions_completed, \
                 CAST(SUM(CASE WHEN {done} THEN COALESCE({took}, 0) ELSE 0 END) AS BIGINT) AS completed_seconds, \
                 MIN(CASE WHEN {open} THEN {sent} END) AS oldest_open"
            ));
            self.referrals(actor, &mut sql, work);
            sql.push(&format!(" AND {k} IS NOT NULL GROUP BY {k}"));
        }
        Ok(sql.load(conn)?)
    }

    /// ` JOIN transactions t …` and its condition, for a walk along an index of referrals that must skip what is
    /// above the caller's clearance; nothing when nothing is.
    fn cleared(&self, sql: &mut Sql, join: bool) {
        if self.cleared_for_all {
            return;
        }
        if join {
            sql.push(" JOIN transactions t ON t.id = r.transaction_id");
        } else {
            sql.push(" AND t.confidentiality <= ");
            sql.bind(Value::Int(self.clearance));
        }
    }

    /// For tallied figures, the earliest sending instant of each key's open referrals for action (epoch seconds):
    /// the first entry of the key in `referrals_open_action_unit_idx` or `…_holder_idx` within the caller's view.
    fn oldest_open(&self, conn: &mut DbConn, by: By, tallies: &mut [ReferralTally]) -> Result<(), ApiError> {
        if !self.referrals_tallied {
            return Ok(());
        }
        for tally in tallies.iter_mut().filter(|t| t.actions_open > 0) {
            let mut sql = Sql::new(self.backend);
            sql.push(&format!("SELECT {} AS k FROM referrals r", self.epoch("r.sent_at")));
            self.cleared(&mut sql, true);
            sql.push(match by {
                By::Unit => " WHERE r.to_unit_id = ",
                By::Holder => " WHERE COALESCE(r.to_user_id, r.received_by) = ",
            });
            sql.bind(Value::Int(tally.k));
            Self::kind_of_referral(&mut sql, Work::OpenActions);
            self.period(&mut sql, "r.sent_at");
            if let (By::Holder, Some(units)) = (by, &self.units) {
                sql.push(" AND r.to_unit_id IN ").bind_list(units.iter().copied());
            }
            self.cleared(&mut sql, false);
            sql.push(" ORDER BY r.sent_at LIMIT 1");
            tally.oldest_open = sql.load::<One>(conn)?.first().map(|o| o.k);
        }
        Ok(())
    }

    /// Per unit, the number of its completed referrals for action (`a`), the sum of their processing times, sent →
    /// completed (`b`), and the nearest-rank median (`c`) and 90th percentile (`d`) of those times.
    fn processing_times(&self, conn: &mut DbConn, actor: &Actor) -> Result<Vec<Tally>, ApiError> {
        let took = self.seconds("r.completed_at", "r.sent_at");
        if !self.referrals_tallied {
            // One statement over the referrals the caller may see: counted, summed and sorted by the database.
            let mut sql = Sql::new(self.backend);
            sql.push(&format!("WITH took AS (SELECT r.to_unit_id AS k, {took} AS s"));
            self.referrals(actor, &mut sql, Work::CompletedActions);
            sql.push(
                "), ranked AS (SELECT k, s, ROW_NUMBER() OVER (PARTITION BY k ORDER BY s) AS n, \
                 COUNT(*) OVER (PARTITION BY k) AS m FROM took) \
                 SELECT k, MAX(m) AS a, CAST(SUM(s) AS BIGINT) AS b, \
                 MAX(CASE WHEN n = (m + 1) / 2 THEN s END) AS c, \
                 MAX(CASE WHEN n = (9 * m + 9) / 10 THEN s END) AS d \
                 FROM ranked GROUP BY k",
            );
            return Ok(sql.load(conn)?);
        }
        let mut times = Vec::new();
        for t in self.referral_tallies(conn, actor, By::Unit, Work::CompletedActions)? {
            let (unit, n) = (t.k, t.actions_completed);
            if n == 0 {
                continue;
            }
            // The n-th duration of a unit, walked to along `referrals_took_idx` (the unit's durations in order).
            let mut nth = |rank: i64| -> Result<i64, ApiError> {
                let mut sql = Sql::new(self.backend);
                sql.push(&format!("SELECT {took} AS k FROM referrals r"));
                self.cleared(&mut sql, true);
                sql.push(" WHERE r.to_unit_id = ");
                sql.bind(Value::Int(unit));
                Self::kind_of_referral(&mut sql, Work::CompletedActions);
                self.period(&mut sql, "r.sent_at");
                self.cleared(&mut sql, false);
                sql.push(&format!(" ORDER BY {took} LIMIT 1 OFFSET "));
                sql.bind(Value::Int(rank - 1));
                let found = sql.load::<One>(conn)?;
                found.first().map(|o| o.k).ok_or_else(|| ApiError::internal("a processing time counted but not found"))
            };
            let (c, d) = (nth((n + 1) / 2)?, nth((9 * n + 9) / 10)?);
            times.push(Tally { k: unit, a: n, b: t.completed_seconds, c, d });
        }
        Ok(times)
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
            sql.bind(Value::Int(self.clearance));
            self.days(&mut sql, "day");
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
        referrals_tallied: policy::sees_all_within_clearance(actor),
        clearance: i64::from(actor.clearance().level()),
        cleared_for_all: actor.clearance() == Confidentiality::TopSecret,
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
fn unit_rows(conn: &mut DbConn, rows: impl Iterator<Item = (i64, Vec<i64>)>) -> Result<Vec<ReportRow>, ApiError> {
    let rows: Vec<(i64, Vec<i64>)> = rows.collect();
    let refs = Refs::load(conn, rows.iter().map(|r| r.0), [], [])?;
    Ok(rows
        .into_iter()
        .map(|(unit, values)| ReportRow { key: ReportKey::Unit { unit: refs.unit(unit) }, values })
        .collect())
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
    // A transaction counts for a unit in the period its first referral to that unit was sent in: the figures of
    // two periods add up to those of both together.
    let mut tallies = scope.referral_tallies(conn, actor, By::Unit, Work::All)?;
    tallies.sort_by_key(|t| (std::cmp::Reverse((t.arrivals, t.referrals)), t.k));
    let rows = unit_rows(conn, tallies.iter().map(|t| (t.k, vec![t.arrivals, t.referrals])))?;
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
    scope.referrals(actor, &mut sql, Work::OpenActions);
    sql.push(" GROUP BY r.to_unit_id ORDER BY a DESC, b DESC, k");
    let tallies: Vec<Tally> = sql.load(conn)?;
    let rows = unit_rows(conn, tallies.iter().map(|t| (t.k, vec![t.a, t.b])))?;
    Ok((vec![Measure::Open, Measure::Overdue], rows))
}

fn processing_by_unit(conn: &mut DbConn, actor: &Actor, scope: &Scope) -> Result<Table, ApiError> {
    let mut times = scope.processing_times(conn, actor)?;
    // The slowest first: by average.
    times.sort_by_key(|t| (std::cmp::Reverse(average(t.b, t.a)), t.k));
    let rows = unit_rows(conn, times.iter().map(|t| (t.k, vec![t.a, average(t.b, t.a), t.c, t.d])))?;
    Ok((vec![Measure::Referrals, Measure::AverageSeconds, Measure::MedianSeconds, Measure::P90Seconds], rows))
}

fn dwell_by_holder(conn: &mut DbConn, actor: &Actor, scope: &Scope) -> Result<Table, ApiError> {
    // Every referral for action a person holds or held: completed ones count sent → completed, open ones sent → now;
    // the longest is the longest still waiting with them.
    let mut tallies = scope.referral_tallies(conn, actor, By::Holder, Work::Actions)?;
    tallies.retain(|t| t.actions > 0);
    scope.oldest_open(conn, By::Holder, &mut tallies)?;
    let now = scope.now_epoch();
    let total = |t: &ReferralTally| t.completed_seconds + t.open_wait(now);
    tallies.sort_by_key(|t| (std::cmp::Reverse(average(total(t), t.actions)), t.k));
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
            values: vec![
                t.actions,
                t.actions_open,
                total(t),
                average(total(t), t.actions),
                t.oldest_open.map_or(0, |sent| now - sent),
            ],
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
    let mut tallies = scope.referral_tallies(conn, actor, By::Unit, Work::OpenActions)?;
    tallies.retain(|t| t.actions_open > 0);
    scope.oldest_open(conn, By::Unit, &mut tallies)?;
    let now = scope.now_epoch();
    tallies.sort_by_key(|t| (std::cmp::Reverse(t.open_wait(now)), t.k));
    let rows = unit_rows(
        conn,
        tallies.iter().map(|t| {
            let longest = t.oldest_open.map_or(0, |sent| now - sent);
            (t.k, vec![t.actions_open, t.open_wait(now), average(t.open_wait(now), t.actions_open), longest])
        }),
    )?;
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
