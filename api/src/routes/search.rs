//! `/search`: find transactions by words or by registration number, with filters and facets, within the access rules.

use actix_web::{get, web};
use shared_types::{Problem, SearchQuery, SearchResults};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Pool, read};
use crate::auth::AuthUser;
use crate::domain::search;
use crate::error::ApiError;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(search_transactions);
}

/// Search transactions
///
/// Finds the transactions the caller may see whose registration number, sender reference, subject, summary, sender or
/// recipient name, annotations, notes, decisions, document titles or current documents' text hold every word of `q`:
/// Arabic in any spelling (hamza forms, ta marbuta, alef maqsura, tashkeel, tatweel and Arabic-Indic digits are
/// folded) and with or without clitics and common suffixes (light stemming: `صيانه` finds `وللصيانة`); Latin words
/// by case, accents and English stemming. A registration number, whole (`KHB-1448/000123`) or in part (`1448/123`,
/// `000123`), finds that transaction first (`number_match`). Without `q`, lists what the filters select.
///
/// Hits are ranked (a match in the number counts most, then the subject, then the rest) or ordered by date
/// (`sort`), and paged with `limit` and `cursor`. Each hit carries a snippet with the matched words marked. `total`
/// is the exact number of hits and `facets` count them by kind, status, priority and confidentiality (each facet with
/// every filter but its own). Everything is counted within the caller's access rules — clearance, and for anyone but
/// administrators and auditors, a tie to the transaction (author, registry, or on its route, delegations included) —
/// so nothing the caller may not see is shown, counted or hinted at. The index is written in the same database
/// transaction as each change, so a search finds every committed change at once.
///
/// 400 `invalid_parameter` for an unknown parameter or value, a `q` longer than 500 characters, a day that is not
/// `YYYY-MM-DD` in either calendar, or a cursor the API did not give out (or of another `sort`). A `unit_id`,
/// `holder_id` or `entity_id` that does not exist is a filter that finds nothing.
#[utoipa::path(tag = "search", params(SearchQuery), responses(
    (status = 200, description = "A page of hits, the total and the facets", body = SearchResults),
    (status = 400, description = "`invalid_parameter`", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/search")]
pub async fn search_transactions(
    pool: Pool,
    who: AuthUser,
    query: web::Query<SearchQuery>,
) -> Result<web::Json<SearchResults>, ApiError> {
    let q = query.into_inner();
    read(&pool, who, move |conn, actor| search::search(conn, actor, &q)).await
}
