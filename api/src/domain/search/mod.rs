//! Search over transactions: words (folded and stemmed as the index keeps them) or a registration number, filters,
//! ranked or dated order, exact totals and facets — all within the visibility rule ([`policy::visible_sql`]), which
//! the database applies to every row it counts, so a search never shows, counts or hints at what the caller may not
//! see.
//!
//! Two statements answer a search: one page of ids, and one count grouped by the four facet columns (kind, status,
//! priority, confidentiality) without their filters, from which the total and every facet are summed here. Without
//! words, for a caller who sees every transaction within their clearance, that count sums the day counts that
//! triggers keep (`report_days`) instead of counting the rows (see [`Plan::tallied`]).

pub mod index;
pub mod snippet;

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use shared_types::{
    Confidentiality, ErrorCode, FacetCount, Priority, ReferralStatus, SearchFacets, SearchHit, SearchQuery,
    SearchResults, SearchSort, Snippet, SnippetSource, TransactionKind, TransactionStatus, WireEnum,
};

pub use index::reindex;

use super::actor::Actor;
use super::views::Refs;
use super::{now, org, policy, utc};
use crate::db::{Backend, DbConn, backend_of};
use crate::error::ApiError;
use crate::models::TransactionRow;
use crate::schema::{transactions, units};
use crate::sql::{Sql, Value};
use crate::text::{fold, terms};

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// The most distinct terms a query looks up.
pub const MAX_QUERY_TERMS: usize = 32;

fn invalid(detail: impl Into<String>) -> ApiError {
    ApiError::bad_request(ErrorCode::InvalidParameter, detail)
}

/// A registration number asked for, as the columns that hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Number {
    /// `KHB-1448/000123`: a registry's own prefix, the year and the sequence.
    Full { registry: i64, year: i64, sequence: i64 },
    /// `1448/123`.
    YearSequence { year: i64, sequence: i64 },
    /// `000123`.
    Sequence(i64),
}

fn digits(s: &str, max: usize) -> Option<i64> {
    (!s.is_empty() && s.len() <= max && s.chars().all(|c| c.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// The registration number a query is, if it is one: `registries` are the prefixes in use (folded) and their units.
fn number(query: &str, registries: &[(String, i64)]) -> Option<Number> {
    let folded = fold(query.trim());
    match folded.split_once('/') {
        Some((left, right)) => {
            let sequence = digits(right, 9)?;
            if let Some(year) = digits(left, 4).filter(|_| left.len() == 4) {
                return Some(Number::YearSequence { year, sequence });
            }
            let (prefix, year) = left.rsplit_once('-')?;
            let year = digits(year, 4).filter(|_| year.len() == 4)?;
            let registry = registries.iter().find(|(code, _)| code == prefix)?.1;
            Some(Number::Full { registry, year, sequence })
        }
        None => digits(&folded, 9).map(Number::Sequence),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cursor {
    Start,
    /// Relevance order: how many hits came before.
    Offset(i64),
    /// Date order: the id of the last hit of the page before.
    After(i64),
}

/// A search, checked and ready to run.
struct Plan {
    backend: Backend,
    terms: Vec<String>,
    /// Words were asked for but none is searchable (punctuation only): nothing is found.
    nothing: bool,
    number: Option<Number>,
    kind: Option<TransactionKind>,
    status: Option<TransactionStatus>,
    priority: Option<Priority>,
    confidentiality: Option<Confidentiality>,
    held_in: Option<Vec<i64>>,
    holder: Option<i64>,
    entity: Option<i64>,
    /// Registered from this Riyadh day, and up to this one (both included).
    from_day: Option<NaiveDate>,
    to_day: Option<NaiveDate>,
    overdue: Option<bool>,
    has_documents: Option<bool>,
    sort: SearchSort,
    limit: u32,
    cursor: Cursor,
    now: NaiveDateTime,
}

/// `SELECT 1 FROM referrals {alias}` of the transaction `t` that are open (not completed), for `EXISTS`.
fn open_referral(sql: &mut Sql, alias: &str) {
    sql.push(&format!("SELECT 1 FROM referrals {alias} WHERE {alias}.transaction_id = t.id AND {alias}.status <> "));
    sql.bind(Value::Text(ReferralStatus::Completed.as_str().to_string()));
}

/// Whether the transaction `t` is overdue at `now`: open, and past its own due date or one of its open referrals'.
fn overdue_condition(sql: &mut Sql, now: NaiveDateTime) {
    sql.push("(t.status = ");
    sql.bind(Value::Text(TransactionStatus::Open.as_str().to_string()));
    sql.push(" AND (t.due_at < ");
    let now = sql.bind(Value::Time(now));
    sql.push(" OR EXISTS (");
    open_referral(sql, "o");
    sql.push(&format!(" AND o.due_at < {now})))"));
}

impl Plan {
    fn new(conn: &mut DbConn, q: &SearchQuery) -> Result<Plan, ApiError> {
        let text = q.q.as_deref().unwrap_or("").trim();
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(invalid(format!("`q` is longer than {MAX_QUERY_CHARS} characters.")));
        }
        let mut distinct = Vec::new();
        for term in terms(text) {
            if !distinct.contains(&term) && distinct.len() < MAX_QUERY_TERMS {
                distinct.push(term);
            }
        }
        let registries: Vec<(String, i64)> = units::table
            .filter(units::registry_code.is_not_null())
            .select((units::registry_code, units::id))
            .load::<(Option<String>, i64)>(conn)?
            .into_iter()
            .filter_map(|(code, id)| code.map(|c| (fold(&c), id)))
            .collect();
        let limit = q.limit.unwrap_or(shared_types::DEFAULT_PAGE_SIZE);
        if !(1..=shared_types::MAX_PAGE_SIZE).contains(&limit) {
            return Err(invalid(format!("`limit` must be from 1 to {}.", shared_types::MAX_PAGE_SIZE)));
        }
        // A unit, person or entity that does not exist holds nothing: the filter finds nothing.
        let held_in = q.unit_id.map(|unit| org::unit_scope(conn, unit, q.subtree == Some(true))).transpose()?;
        let sort = match q.sort {
            Some(SearchSort::Relevance) | None if !distinct.is_empty() => SearchSort::Relevance,
            Some(SearchSort::Oldest) => SearchSort::Oldest,
            _ => SearchSort::Newest,
        };
        // One letter for the search's cursors: the number is an offset in relevance order, and the last id of the
        // page before in date order (a cursor belongs to the query, its order included).
        let cursor = match super::paging::after(q.cursor.as_deref(), 'k')? {
            None => Cursor::Start,
            Some(n) if n < 0 => return Err(invalid("`cursor` is not a cursor this API gave out.")),
            Some(n) if sort == SearchSort::Relevance => Cursor::Offset(n),
            Some(n) => Cursor::After(n),
        };
        Ok(Plan {
            backend: backend_of(conn),
            nothing: distinct.is_empty() && !text.is_empty(),
            number: number(text, &registries),
            terms: distinct,
            kind: q.kind,
            status: q.status,
            priority: q.priority,
            confidentiality: q.confidentiality,
            held_in,
            holder: q.holder_id,
            entity: q.entity_id,
            from_day: super::day_of("registered_from", q.registered_from.as_deref())?,
            to_day: super::day_of("registered_to", q.registered_to.as_deref())?,
            overdue: q.overdue,
            has_documents: q.has_documents,
            sort,
            limit,
            cursor,
            now: now(),
        })
    }

    /// The words as the index's query syntax, each a quoted term (terms are letters and digits only).
    fn match_text(&self) -> String {
        match self.backend {
            Backend::Sqlite => self.terms.iter().filter_map(|t| index::fts_string(t)).collect::<Vec<_>>().join(" "),
            Backend::Postgres => self.terms.iter().filter_map(|t| index::lexeme(t)).collect::<Vec<_>>().join(" & "),
        }
    }

    /// `FROM … WHERE …` of every statement: the words, the visibility rule, and the filters — the four facet filters
    /// only when `facets` is false. Answers the placeholder of the words, which ranking uses again.
    fn source(&self, actor: &Actor, sql: &mut Sql, facets: bool) -> Option<String> {
        let words = if self.terms.is_empty() {
            sql.push(" FROM transactions t WHERE ");
            None
        } else {
            sql.push(" FROM transaction_search JOIN transactions t ON t.id = transaction_search.rowid WHERE ");
            let words = match self.backend {
                Backend::Sqlite => {
                    sql.push("transaction_search MATCH ");
                    sql.bind(Value::Text(self.match_text()))
                }
                Backend::Postgres => {
                    sql.push("transaction_search.terms @@ CAST(");
                    let placeholder = sql.bind(Value::Text(self.match_text()));
                    sql.push(" AS tsquery)");
                    format!("CAST({placeholder} AS tsquery)")
                }
            };
            sql.push(" AND ");
            Some(words)
        };
        let drive = if words.is_some() { policy::Drive::FromRows } else { policy::Drive::FromTies };
        policy::visible_sql(actor, sql, drive);
        if !facets {
            let enums = [
                ("kind", self.kind.map(|v| v.as_str())),
                ("status", self.status.map(|v| v.as_str())),
                ("priority", self.priority.map(|v| v.as_str())),
            ];
            for (column, value) in enums {
                if let Some(value) = value {
                    sql.push(&format!(" AND t.{column} = "));
                    sql.bind(Value::Text(value.to_string()));
                }
            }
            if let Some(level) = self.confidentiality {
                sql.push(" AND t.confidentiality = ");
                sql.bind(Value::Int(i64::from(level.level())));
            }
        }
        self.other_filters(sql);
        words
    }

    fn other_filters(&self, sql: &mut Sql) {
        if let Some(units) = &self.held_in {
            sql.push(" AND EXISTS (");
            open_referral(sql, "h");
            sql.push(" AND h.to_unit_id IN ").bind_list(units.iter().copied()).push(")");
        }
        if let Some(user) = self.holder {
            sql.push(" AND EXISTS (");
            open_referral(sql, "p");
            sql.push(" AND p.to_user_id = ");
            sql.bind(Value::Int(user));
            sql.push(")");
        }
        if let Some(entity) = self.entity {
            sql.push(" AND t.external_entity_id = ");
            sql.bind(Value::Int(entity));
        }
        if let Some(from) = self.from_day {
            sql.push(" AND t.registered_at >= ");
            sql.bind(Value::Time(super::day_start(from, false)));
        }
        if let Some(to) = self.to_day {
            sql.push(" AND t.registered_at < ");
            sql.bind(Value::Time(super::day_start(to, true)));
        }
        if let Some(overdue) = self.overdue {
            sql.push(if overdue { " AND " } else { " AND NOT " });
            overdue_condition(sql, self.now);
        }
        if let Some(has) = self.has_documents {
            sql.push(if has { " AND EXISTS" } else { " AND NOT EXISTS" });
            sql.push(" (SELECT 1 FROM documents d WHERE d.transaction_id = t.id AND d.withdrawn_at IS NULL)");
        }
    }

    fn number_match(&self, sql: &mut Sql) {
        let Some(number) = self.number else {
            sql.push("0");
            return;
        };
        sql.push("CASE WHEN ");
        match number {
            Number::Full { registry, year, sequence } => {
                sql.push("t.registry_unit_id = ");
                sql.bind(Value::Int(registry));
                sql.push(" AND t.hijri_year = ");
                sql.bind(Value::Int(year));
                sql.push(" AND t.sequence = ");
                sql.bind(Value::Int(sequence));
            }
            Number::YearSequence { year, sequence } => {
                sql.push("t.hijri_year = ");
                sql.bind(Value::Int(year));
                sql.push(" AND t.sequence = ");
                sql.bind(Value::Int(sequence));
            }
            Number::Sequence(sequence) => {
                sql.push("t.sequence = ");
                sql.bind(Value::Int(sequence));
            }
        }
        sql.push(" THEN 1 ELSE 0 END");
    }

    /// The ids of one page (and one more, which tells whether more follow), with whether each is the number asked.
    fn page(&self, conn: &mut DbConn, actor: &Actor) -> Result<Vec<PageRow>, ApiError> {
        let mut sql = Sql::new(self.backend);
        sql.push("SELECT t.id AS id, ");
        self.number_match(&mut sql);
        sql.push(" AS number_match");
        let words = self.source(actor, &mut sql, false);
        match (self.sort, self.cursor) {
            (SearchSort::Newest, Cursor::After(id)) => {
                sql.push(" AND t.id < ");
                sql.bind(Value::Int(id));
            }
            (SearchSort::Oldest, Cursor::After(id)) => {
                sql.push(" AND t.id > ");
                sql.bind(Value::Int(id));
            }
            _ => {}
        }
        match (self.sort, words) {
            (SearchSort::Relevance, Some(words)) => {
                sql.push(" ORDER BY number_match DESC, ");
                sql.push(&match self.backend {
                    Backend::Sqlite => "bm25(transaction_search, 10.0, 4.0, 1.0)".to_string(),
                    Backend::Postgres => format!("ts_rank(transaction_search.terms, {words}) DESC"),
                });
                sql.push(", t.id DESC");
            }
            (SearchSort::Oldest, _) => {
                sql.push(" ORDER BY t.id ASC");
            }
            _ => {
                sql.push(" ORDER BY t.id DESC");
            }
        }
        sql.push(" LIMIT ");
        sql.bind(Value::Int(i64::from(self.limit) + 1));
        if let Cursor::Offset(offset) = self.cursor {
            sql.push(" OFFSET ");
            sql.bind(Value::Int(offset));
        }
        Ok(sql.load(conn)?)
    }

    /// Whether the counts can come from `report_days`: no words, a caller who sees every transaction within their
    /// clearance, and no filter but the four facet columns and whole registration days — exactly what its rows
    /// hold, so a list of all two million transactions sums a few thousand rows instead of counting them.
    fn tallied(&self, actor: &Actor) -> bool {
        self.terms.is_empty()
            && policy::sees_all_within_clearance(actor)
            && self.held_in.is_none()
            && self.holder.is_none()
            && self.entity.is_none()
            && self.overdue.is_none()
            && self.has_documents.is_none()
    }

    /// The count of every combination of the four facet values, within every other filter.
    fn groups(&self, conn: &mut DbConn, actor: &Actor) -> Result<Vec<Group>, ApiError> {
        let mut sql = Sql::new(self.backend);
        if self.tallied(actor) {
            // The registered transactions from the day counts (kept in the same database transaction as every
            // change, so of the same moment as the page), and the drafts — never registered, so in no day — counted
            // live from the index of registration instants, unless days are asked for.
            sql.push("SELECT kind, status, priority, level, CAST(SUM(n) AS BIGINT) AS n FROM (");
            sql.push("SELECT kind, status, priority, confidentiality AS level, transactions AS n FROM report_days");
            sql.push(" WHERE confidentiality <= ");
            sql.bind(Value::Int(i64::from(actor.clearance().level())));
            if let Some(from) = self.from_day {
                sql.push(" AND day >= ");
                sql.bind(Value::Text(from.to_string()));
            }
            if let Some(to) = self.to_day {
                sql.push(" AND day <= ");
                sql.bind(Value::Text(to.to_string()));
            }
            if self.from_day.is_none() && self.to_day.is_none() {
                sql.push(" UNION ALL SELECT t.kind, t.status, t.priority, t.confidentiality, 1 FROM transactions t");
                sql.push(" WHERE t.registered_at IS NULL AND ");
                policy::visible_sql(actor, &mut sql, policy::Drive::FromTies);
            }
            sql.push(") c GROUP BY kind, status, priority, level HAVING SUM(n) > 0");
            return Ok(sql.load(conn)?);
        }
        sql.push("SELECT t.kind AS kind, t.status AS status, t.priority AS priority, t.confidentiality AS level, ");
        sql.push("count(*) AS n");
        self.source(actor, &mut sql, true);
        sql.push(" GROUP BY t.kind, t.status, t.priority, t.confidentiality");
        Ok(sql.load(conn)?)
    }
}

#[derive(Debug, diesel::QueryableByName)]
struct PageRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    number_match: i32,
}

#[derive(Debug, diesel::QueryableByName)]
struct Group {
    #[diesel(sql_type = diesel::sql_types::Text)]
    kind: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    status: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    priority: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    level: i32,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// A group's four facet values.
#[derive(Debug, Clone, Copy)]
struct Values {
    kind: TransactionKind,
    status: TransactionStatus,
    priority: Priority,
    confidentiality: Confidentiality,
    n: i64,
}

fn read<T: WireEnum>(s: &str) -> Result<T, ApiError> {
    T::from_wire(s).ok_or_else(|| ApiError::internal(format!("the database holds `{s}`, which the contract lacks")))
}

fn facet<T: WireEnum + Ord>(groups: &[Values], value: impl Fn(&Values) -> T) -> Vec<FacetCount<T>> {
    let mut counts: std::collections::BTreeMap<T, i64> = Default::default();
    for g in groups {
        *counts.entry(value(g)).or_default() += g.n;
    }
    T::ALL.iter().filter_map(|v| counts.get(v).map(|&count| FacetCount { value: *v, count })).collect()
}

impl Plan {
    /// The total and the facets, summed from the groups: each facet over the groups that pass every facet filter but
    /// its own.
    fn facets(&self, groups: Vec<Group>) -> Result<(i64, SearchFacets), ApiError> {
        let groups: Vec<Values> = groups
            .into_iter()
            .map(|g| {
                Ok(Values {
                    kind: read(&g.kind)?,
                    status: read(&g.status)?,
                    priority: read(&g.priority)?,
                    confidentiality: Confidentiality::from_level(g.level)
                        .ok_or_else(|| ApiError::internal(format!("confidentiality level {}", g.level)))?,
                    n: g.n,
                })
            })
            .collect::<Result<_, ApiError>>()?;
        let passes = |g: &Values, skip: usize| {
            (skip == 0 || self.kind.is_none_or(|v| v == g.kind))
                && (skip == 1 || self.status.is_none_or(|v| v == g.status))
                && (skip == 2 || self.priority.is_none_or(|v| v == g.priority))
                && (skip == 3 || self.confidentiality.is_none_or(|v| v == g.confidentiality))
        };
        let within = |skip: usize| groups.iter().filter(|g| passes(g, skip)).copied().collect::<Vec<_>>();
        let total = groups.iter().filter(|g| passes(g, usize::MAX)).map(|g| g.n).sum();
        Ok((
            total,
            SearchFacets {
                kind: facet(&within(0), |g| g.kind),
                status: facet(&within(1), |g| g.status),
                priority: facet(&within(2), |g| g.priority),
                confidentiality: facet(&within(3), |g| g.confidentiality),
            },
        ))
    }
}

#[derive(diesel::QueryableByName)]
struct DocumentText {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    transaction_id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    title: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    text: String,
}

/// The snippets of the hits: from the subject or the summary where the words occur there, else from the notes on the
/// timeline, else from the documents' texts.
fn snippets(
    conn: &mut DbConn,
    rows: &[TransactionRow],
    wanted: &HashSet<String>,
) -> Result<HashMap<i64, Snippet>, ApiError> {
    let mut found = HashMap::new();
    if wanted.is_empty() {
        return Ok(found);
    }
    let of = |source, document_title, parts| Snippet { source, document_title, parts };
    for t in rows {
        if let Some(parts) = snippet::snippet(&t.subject, wanted) {
            found.insert(t.id, of(SnippetSource::Subject, None, parts));
        } else if let Some(parts) = t.summary.as_deref().and_then(|s| snippet::snippet(s, wanted)) {
            found.insert(t.id, of(SnippetSource::Summary, None, parts));
        }
    }
    let rest: Vec<i64> = rows.iter().map(|t| t.id).filter(|id| !found.contains_key(id)).collect();
    if rest.is_empty() {
        return Ok(found);
    }
    let notes = index::notes(conn, &rest)?;
    for id in &rest {
        let texts = notes.get(id).map(Vec::as_slice).unwrap_or_default();
        if let Some(parts) = texts.iter().find_map(|text| snippet::snippet(text, wanted)) {
            found.insert(*id, of(SnippetSource::Note, None, parts));
        }
    }
    let rest: Vec<i64> = rest.into_iter().filter(|id| !found.contains_key(id)).collect();
    if rest.is_empty() {
        return Ok(found);
    }
    let mut sql = Sql::new(backend_of(conn));
    // The length is the program's constant, written as SQL (PostgreSQL's `substr` takes an `integer`, not a bound
    // `bigint`).
    sql.push(&format!(
        "SELECT d.transaction_id AS transaction_id, d.title AS title, substr(v.text_content, 1, {}) AS text \
         FROM documents d JOIN document_versions v ON v.document_id = d.id AND v.version = d.versions \
         WHERE d.withdrawn_at IS NULL AND v.text_content IS NOT NULL AND d.transaction_id IN ",
        snippet::LOOK_THROUGH
    ));
    sql.bind_list(rest).push(" ORDER BY d.id");
    for doc in sql.load::<DocumentText>(conn)? {
        if found.contains_key(&doc.transaction_id) {
            continue;
        }
        if let Some(parts) = snippet::snippet(&doc.text, wanted) {
            found.insert(doc.transaction_id, of(SnippetSource::Document, Some(doc.title), parts));
        }
    }
    Ok(found)
}

/// Search the transactions the actor may see.
pub fn search(conn: &mut DbConn, actor: &Actor, q: &SearchQuery) -> Result<SearchResults, ApiError> {
    let plan = Plan::new(conn, q)?;
    if plan.nothing {
        return Ok(SearchResults { total: 0, items: Vec::new(), facets: SearchFacets::default(), next_cursor: None });
    }
    let mut page = plan.page(conn, actor)?;
    let more = page.len() > plan.limit as usize;
    page.truncate(plan.limit as usize);
    let (total, facets) = plan.facets(plan.groups(conn, actor)?)?;
    let ids: Vec<i64> = page.iter().map(|r| r.id).collect();
    let mut rows: HashMap<i64, TransactionRow> = transactions::table
        .filter(transactions::id.eq_any(&ids))
        .select(TransactionRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let ordered: Vec<TransactionRow> = ids.iter().filter_map(|id| rows.remove(id)).collect();
    let refs = Refs::load(conn, [], [], ordered.iter().filter_map(|t| t.external_entity_id))?;
    let wanted: HashSet<String> = plan.terms.iter().cloned().collect();
    let mut snippets = snippets(conn, &ordered, &wanted)?;
    let matched: HashMap<i64, bool> = page.iter().map(|r| (r.id, r.number_match == 1)).collect();
    let items = ordered
        .iter()
        .map(|t| {
            Ok(SearchHit {
                transaction: super::views::summary(t)?,
                registered_at: t.registered_at.map(utc),
                entity: t.external_entity_id.map(|e| refs.entity(e)),
                number_match: matched.get(&t.id).copied().unwrap_or(false),
                snippet: snippets.remove(&t.id),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let next_cursor = more.then(|| match plan.cursor {
        _ if plan.sort == SearchSort::Relevance => {
            let before = if let Cursor::Offset(n) = plan.cursor { n } else { 0 };
            format!("k{}", before + i64::from(plan.limit))
        }
        _ => format!("k{}", ids.last().copied().unwrap_or_default()),
    });
    Ok(SearchResults { total, items, facets, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_numbers_whole_and_in_part() {
        let registries = vec![("khb".to_string(), 7)];
        assert_eq!(
            number("KHB-1448/000123", &registries),
            Some(Number::Full { registry: 7, year: 1448, sequence: 123 })
        );
        assert_eq!(number("khb-1448/7", &registries), Some(Number::Full { registry: 7, year: 1448, sequence: 7 }));
        assert_eq!(number("١٤٤٨/١٢٣", &registries), Some(Number::YearSequence { year: 1448, sequence: 123 }));
        assert_eq!(number(" 000123 ", &registries), Some(Number::Sequence(123)));
        for not in ["XYZ-1448/1", "صيانة", "1448/", "/12", "48/12", "1448/12/3", "12345678901", ""] {
            assert_eq!(number(not, &registries), None, "{not}");
        }
    }
}
