//! The search index: what of a transaction is searched, made terms by the one folding and stemming
//! ([`crate::text::terms`]), and written — an FTS5 table on SQLite, a `tsvector` with a GIN index on PostgreSQL — in
//! the same database transaction as the change it reflects. Every timeline write that changes searched text
//! reindexes its transactions ([`crate::domain::timeline::Events::write`]), and so does the text extraction of a
//! document, so a search never misses a committed change and never shows a rolled-back one.

use std::collections::{BTreeMap, HashMap, HashSet};

use diesel::prelude::*;
use shared_types::EventKind;

use crate::columns::AsText;
use crate::db::{Backend, DbConn, backend_of};
use crate::error::ApiError;
use crate::schema::{document_versions, documents, events, external_entities, transactions};
use crate::sql::{Sql, Value};
use crate::text::terms;

/// The most distinct terms kept of a transaction's other text (summary, names, notes, documents): far more than a
/// letter holds, and a bound on what one transaction adds to the index (PostgreSQL keeps a `tsvector` under 1 MB).
pub const MAX_BODY_TERMS: usize = 40_000;

/// How many transactions one statement indexes.
const BATCH: usize = 200;

/// The timeline events whose details hold searched text (annotations, decisions, notes, instructions, resolutions)
/// or that change what else is searched (the subject of a draft, documents): writing one reindexes the transaction.
pub const REINDEXING: [EventKind; 14] = [
    EventKind::Registered,
    EventKind::DraftCreated,
    EventKind::DraftUpdated,
    EventKind::Referred,
    EventKind::Forwarded,
    EventKind::Returned,
    EventKind::Completed,
    EventKind::Annotated,
    EventKind::DecisionRecorded,
    EventKind::Closed,
    EventKind::Reopened,
    EventKind::DocumentAdded,
    EventKind::VersionAdded,
    EventKind::DocumentWithdrawn,
];

/// The keys of event details whose values are searched text.
const TEXT_KEYS: [&str; 7] = ["text", "note", "instructions", "resolution", "reason", "decision", "title"];

/// The terms of one transaction, by the weight they rank with.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Registration number and sender reference.
    pub numbers: Vec<String>,
    pub subject: Vec<String>,
    /// Everything else: summary, sender or recipient names, notes and decisions, document titles and texts.
    pub body: Vec<String>,
}

/// Distinct terms of several texts, in the order met, at most `cap`.
pub(crate) fn distinct<'a>(texts: impl IntoIterator<Item = &'a str>, cap: usize) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for text in texts {
        for term in terms(text) {
            if out.len() == cap {
                return out;
            }
            if seen.insert(term.clone()) {
                out.push(term);
            }
        }
    }
    out
}

/// The searched strings of an event's details.
fn detail_texts(details: &str, out: &mut Vec<String>) {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(details) {
        for key in TEXT_KEYS {
            if let Some(serde_json::Value::String(text)) = map.get(key) {
                out.push(text.clone());
            }
        }
    }
}

/// The searched texts of the transactions' timelines (notes, instructions, decisions, resolutions), oldest first.
pub(super) fn notes(conn: &mut DbConn, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>, ApiError> {
    let kinds: Vec<AsText<EventKind>> = REINDEXING.iter().map(|k| AsText(*k)).collect();
    let mut notes: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, details) in events::table
        .filter(events::transaction_id.eq_any(ids))
        .filter(events::kind.eq_any(kinds))
        .order(events::id)
        .select((events::transaction_id, events::details))
        .load::<(i64, String)>(conn)?
    {
        detail_texts(&details, notes.entry(id).or_default());
    }
    Ok(notes)
}

type Header = (i64, Option<String>, String, Option<String>, Option<String>, Option<i64>, Option<String>);

/// The entries of these transactions, from what is stored now.
pub fn entries(conn: &mut DbConn, ids: &[i64]) -> Result<BTreeMap<i64, Entry>, ApiError> {
    let headers: Vec<Header> = transactions::table
        .filter(transactions::id.eq_any(ids))
        .select((
            transactions::id,
            transactions::registration_number,
            transactions::subject,
            transactions::summary,
            transactions::sender_reference,
            transactions::external_entity_id,
            transactions::resolution,
        ))
        .load(conn)?;
    let entity_ids: Vec<i64> = headers.iter().filter_map(|h| h.5).collect();
    let names: HashMap<i64, (String, String)> = if entity_ids.is_empty() {
        HashMap::new()
    } else {
        external_entities::table
            .filter(external_entities::id.eq_any(&entity_ids))
            .select((external_entities::id, external_entities::name_ar, external_entities::name_en))
            .load::<(i64, String, String)>(conn)?
            .into_iter()
            .map(|(id, ar, en)| (id, (ar, en)))
            .collect()
    };
    let notes = notes(conn, ids)?;
    let mut docs: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, title, text) in documents::table
        .inner_join(document_versions::table)
        .filter(documents::transaction_id.eq_any(ids))
        .filter(documents::withdrawn_at.is_null())
        .filter(document_versions::version.eq(documents::versions))
        .order(documents::id)
        .select((documents::transaction_id, documents::title, document_versions::text_content))
        .load::<(i64, String, Option<String>)>(conn)?
    {
        let texts = docs.entry(id).or_default();
        texts.push(title);
        texts.extend(text);
    }
    Ok(headers
        .into_iter()
        .map(|(id, number, subject, summary, reference, entity, resolution)| {
            let (ar, en) =
                entity.and_then(|e| names.get(&e)).map(|(a, e)| (a.as_str(), e.as_str())).unwrap_or(("", ""));
            let mut body: Vec<&str> =
                vec![summary.as_deref().unwrap_or(""), ar, en, resolution.as_deref().unwrap_or("")];
            body.extend(notes.get(&id).into_iter().flatten().map(String::as_str));
            body.extend(docs.get(&id).into_iter().flatten().map(String::as_str));
            let entry = Entry {
                numbers: distinct([number.as_deref().unwrap_or(""), reference.as_deref().unwrap_or("")], usize::MAX),
                subject: distinct([subject.as_str()], usize::MAX),
                body: distinct(body, MAX_BODY_TERMS),
            };
            (id, entry)
        })
        .collect())
}

/// A term as a quoted lexeme of PostgreSQL's `tsvector` and `tsquery` input. Terms are runs of letters and digits
/// ([`crate::text::words`]), so a quote or a backslash cannot occur; anything else is dropped, never written.
pub fn lexeme(term: &str) -> Option<String> {
    term.chars().all(char::is_alphanumeric).then(|| format!("'{term}'")).filter(|_| !term.is_empty())
}

/// A term as an FTS5 string (a one-word phrase), on the same terms as [`lexeme`].
pub fn fts_string(term: &str) -> Option<String> {
    term.chars().all(char::is_alphanumeric).then(|| format!("\"{term}\"")).filter(|_| !term.is_empty())
}

/// The `tsvector` input of an entry: each term once, with a position per column it occurs in (1 numbers, 2 subject,
/// 3 the rest) weighted A, B and D, so that ranking weighs where a word was found.
pub fn tsvector(entry: &Entry) -> String {
    let mut positions: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (terms, position) in [(&entry.numbers, "1A"), (&entry.subject, "2B"), (&entry.body, "3D")] {
        for term in terms {
            positions.entry(term.as_str()).or_default().push(position);
        }
    }
    positions
        .into_iter()
        .filter_map(|(term, at)| lexeme(term).map(|l| format!("{l}:{}", at.join(","))))
        .collect::<Vec<_>>()
        .join(" ")
}

fn fts_column(terms: &[String]) -> String {
    terms.iter().filter(|t| fts_string(t).is_some()).cloned().collect::<Vec<_>>().join(" ")
}

/// Write the entries, replacing what the index held for them.
pub fn write(conn: &mut DbConn, entries: &BTreeMap<i64, Entry>) -> Result<(), ApiError> {
    let backend = backend_of(conn);
    let all: Vec<(&i64, &Entry)> = entries.iter().collect();
    for chunk in all.chunks(BATCH) {
        let mut sql = Sql::new(backend);
        match backend {
            Backend::Sqlite => {
                sql.push("DELETE FROM transaction_search WHERE rowid IN ").bind_list(chunk.iter().map(|(id, _)| **id));
                sql.execute(conn)?;
                let mut sql = Sql::new(backend);
                sql.push("INSERT INTO transaction_search (rowid, numbers, subject, body) VALUES ");
                for (i, (id, entry)) in chunk.iter().enumerate() {
                    sql.push(if i == 0 { "(" } else { ", (" });
                    sql.bind(Value::Int(**id));
                    for column in [&entry.numbers, &entry.subject, &entry.body] {
                        sql.push(", ");
                        sql.bind(Value::Text(fts_column(column)));
                    }
                    sql.push(")");
                }
                sql.execute(conn)?;
            }
            Backend::Postgres => {
                sql.push("INSERT INTO transaction_search (rowid, terms) VALUES ");
                for (i, (id, entry)) in chunk.iter().enumerate() {
                    sql.push(if i == 0 { "(" } else { ", (" });
                    sql.bind(Value::Int(**id));
                    sql.push(", CAST(");
                    sql.bind(Value::Text(tsvector(entry)));
                    sql.push(" AS tsvector))");
                }
                sql.push(" ON CONFLICT (rowid) DO UPDATE SET terms = EXCLUDED.terms");
                sql.execute(conn)?;
            }
        }
    }
    Ok(())
}

/// Rebuild the index entries of these transactions from what is stored now.
pub fn reindex(conn: &mut DbConn, ids: &[i64]) -> Result<(), ApiError> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(BATCH) {
        let entries = entries(conn, chunk)?;
        write(conn, &entries)?;
    }
    Ok(())
}

#[derive(diesel::QueryableByName)]
struct Id {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

/// The server setting that holds the highest transaction id checked by [`fill_missing`]: every transaction written
/// later is indexed as it is written, so a start checks only those above it.
const CHECKED_THROUGH: &str = "search_index_checked_through";

/// Index the transactions the index has no entry for (those from before it existed), a batch at a time; answers
/// how many. Called when the server starts; looks only at transactions above the last id it checked.
pub fn fill_missing(conn: &mut DbConn) -> Result<usize, ApiError> {
    use crate::schema::server_settings;
    let checked: i64 = crate::db::setting_get_or_insert(conn, CHECKED_THROUGH, "0")?.parse().unwrap_or(0);
    let top: Option<i64> = transactions::table.select(diesel::dsl::max(transactions::id)).first(conn)?;
    let Some(top) = top.filter(|top| *top > checked) else {
        return Ok(0);
    };
    let mut filled = 0;
    loop {
        let mut sql = Sql::new(backend_of(conn));
        sql.push("SELECT t.id AS id FROM transactions t WHERE t.id > ");
        sql.bind(Value::Int(checked));
        sql.push(" AND t.id <= ");
        sql.bind(Value::Int(top));
        sql.push(" AND NOT EXISTS (SELECT 1 FROM transaction_search s WHERE s.rowid = t.id) ORDER BY t.id LIMIT ");
        sql.bind(Value::Int(BATCH as i64 * 10));
        let ids: Vec<i64> = sql.load::<Id>(conn)?.into_iter().map(|r| r.id).collect();
        if ids.is_empty() {
            diesel::update(server_settings::table.find(CHECKED_THROUGH))
                .set(server_settings::value.eq(top.to_string()))
                .execute(conn)?;
            return Ok(filled);
        }
        crate::db::write_tx(conn, |conn| reindex(conn, &ids))?;
        filled += ids.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_keeps_each_term_once_and_weighs_it_where_it_occurs() {
        let entry = Entry {
            numbers: vec!["1448".into(), "123".into()],
            subject: vec!["صيان".into(), "123".into()],
            body: vec!["صيان".into(), "road".into()],
        };
        assert_eq!(tsvector(&entry), "'123':1A,2B '1448':1A 'road':3D 'صيان':2B,3D");
        let mut once = Vec::new();
        for term in terms("الصيانة والصيانة صيانة") {
            if !once.contains(&term) {
                once.push(term);
            }
        }
        assert_eq!(once.len(), 1, "one stem for the three spellings: {once:?}");
        assert_eq!(distinct(["الصيانة والصيانة", "صيانة"], usize::MAX), once);
        assert_eq!(distinct(["a b c d"], 2).len(), 2);
    }

    #[test]
    fn terms_that_are_not_letters_and_digits_never_reach_the_index_syntax() {
        assert_eq!(lexeme("صيان"), Some("'صيان'".into()));
        assert_eq!(fts_string("1448"), Some("\"1448\"".into()));
        for bad in ["", "a'b", "a\"b", "a b", "a\\b", "a:b", "a*"] {
            assert_eq!(lexeme(bad), None, "{bad}");
            assert_eq!(fts_string(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_searched_details_of_events() {
        let mut out = Vec::new();
        detail_texts(r#"{"text":"تعليق","to_unit_id":4,"decision":"approved","note":null}"#, &mut out);
        assert_eq!(out, ["تعليق", "approved"]);
    }
}
