//! Search over transactions: the query (`GET /api/v1/search`), and its answer — ranked hits with highlighted
//! snippets, the exact total and per-filter counts (facets), all within what the caller may see.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::org::{Confidentiality, EntityRef};
use crate::tracking::TransactionSummary;
use crate::transactions::{Priority, TransactionKind, TransactionStatus};
use crate::wire::wire_enum;

wire_enum! {
    /// How hits are ordered.
    SearchSort {
        /// The best match first (a registration number asked for comes before everything); the default with words.
        Relevance = "relevance",
        /// The most recently created first; the default without words.
        Newest = "newest",
        Oldest = "oldest",
    }
}

/// The query of a search: words, filters, order and paging. Every field is optional; without words it lists what
/// the filters select, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Words to find (every word must occur, in any spelling folding makes equal), or a registration number, whole or
    /// in part (`KHB-1448/000123`, `1448/123`, `000123`; Arabic-Indic digits too). At most 500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(max_length = 500))]
    pub q: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<TransactionKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TransactionStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidentiality: Option<Confidentiality>,
    /// Only transactions with an open referral to this unit (held there now); a unit that does not exist holds
    /// nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<i64>,
    /// With `unit_id`: also its sub-units, to any depth (without `unit_id` it changes nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtree: Option<bool>,
    /// Only transactions with an open referral to this person (held by them now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_id: Option<i64>,
    /// Only transactions from (incoming) or to (outgoing) this external entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<i64>,
    /// Registered on or after this day (Riyadh time): `YYYY-MM-DD`, Gregorian, or Hijri (Umm al-Qura) when the year
    /// is before 1700 (`1448-01-01`; the 30th of a 29-day Hijri month is its last day). Arabic-Indic digits too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(format = Date))]
    pub registered_from: Option<String>,
    /// Registered on or before this day, in either calendar as `registered_from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(format = Date))]
    pub registered_to: Option<String>,
    /// Only open transactions past their due date, or with an open referral past its own (true), or the rest (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
    /// Only transactions with at least one document (true), or with none (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_documents: Option<bool>,
    /// `relevance` (the default with words), `newest` (the default without), `oldest`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<SearchSort>,
    /// Page size, 1–200 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page (of the same query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

impl SearchQuery {
    /// The query's parameters as name and value, in the order of the fields, for building the URL.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        let mut push = |name: &'static str, value: Option<String>| {
            if let Some(value) = value {
                pairs.push((name, value));
            }
        };
        push("q", self.q.clone());
        push("kind", self.kind.map(|v| v.to_string()));
        push("status", self.status.map(|v| v.to_string()));
        push("priority", self.priority.map(|v| v.to_string()));
        push("confidentiality", self.confidentiality.map(|v| v.to_string()));
        push("unit_id", self.unit_id.map(|v| v.to_string()));
        push("subtree", self.subtree.map(|v| v.to_string()));
        push("holder_id", self.holder_id.map(|v| v.to_string()));
        push("entity_id", self.entity_id.map(|v| v.to_string()));
        push("registered_from", self.registered_from.clone());
        push("registered_to", self.registered_to.clone());
        push("overdue", self.overdue.map(|v| v.to_string()));
        push("has_documents", self.has_documents.map(|v| v.to_string()));
        push("sort", self.sort.map(|v| v.to_string()));
        push("limit", self.limit.map(|v| v.to_string()));
        push("cursor", self.cursor.clone());
        pairs
    }
}

wire_enum! {
    /// Where a snippet was taken from.
    SnippetSource {
        Subject = "subject",
        Summary = "summary",
        /// An annotation, a decision or a note on the route.
        Note = "note",
        /// The text of a document's current version.
        Document = "document",
    }
}

/// A piece of a snippet: text as written, and whether it is one of the words searched for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnippetPart {
    pub text: String,
    /// A matched word, to highlight.
    pub hit: bool,
}

/// A short passage around the first matched word, with every matched word in it marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Snippet {
    pub source: SnippetSource,
    /// The document's title, when the passage comes from a document.
    pub document_title: Option<String>,
    pub parts: Vec<SnippetPart>,
}

/// One transaction found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    pub transaction: TransactionSummary,
    pub registered_at: Option<DateTime<Utc>>,
    /// The sender (incoming) or recipient (outgoing).
    pub entity: Option<EntityRef>,
    /// The query is this transaction's registration number (or its year and sequence, or its sequence).
    pub number_match: bool,
    /// Where the words were found, when the query has words and they occur in the subject, summary, notes or a
    /// document's text (not only in a name or a number).
    pub snippet: Option<Snippet>,
}

/// How many hits have one value of a filter, with every other filter applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FacetCount<T> {
    pub value: T,
    pub count: i64,
}

/// Counts of the hits by value of each filter. A facet ignores its own filter (so choosing another value shows what
/// it would find) and applies every other; values without hits are left out. Only what the caller may see is
/// counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchFacets {
    pub kind: Vec<FacetCount<TransactionKind>>,
    pub status: Vec<FacetCount<TransactionStatus>>,
    pub priority: Vec<FacetCount<Priority>>,
    pub confidentiality: Vec<FacetCount<Confidentiality>>,
}

/// A page of hits, the exact number of all of them, and the facets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResults {
    /// Every hit the caller may see, on all pages.
    pub total: i64,
    pub items: Vec<SearchHit>,
    pub facets: SearchFacets,
    /// Opaque cursor of the next page, or null on the last page.
    pub next_cursor: Option<String>,
}
