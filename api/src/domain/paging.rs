//! Keyset (cursor) pagination: a page holds the rows past the last id of the page before it, which the cursor
//! names as a letter and that id (`r1234`). The letter tells one list's cursors from another's.

use shared_types::{DEFAULT_PAGE_SIZE, ErrorCode, MAX_PAGE_SIZE, Page};

use crate::error::ApiError;

/// The page size asked for, within bounds.
pub fn size(limit: Option<u32>) -> u32 {
    limit.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE)
}

/// The id a cursor of this list carries; 400 `invalid_parameter` for a cursor the API did not give out.
pub fn after(cursor: Option<&str>, letter: char) -> Result<Option<i64>, ApiError> {
    cursor
        .filter(|c| !c.is_empty())
        .map(|c| {
            c.strip_prefix(letter).and_then(|n| n.parse::<i64>().ok()).ok_or_else(|| {
                ApiError::bad_request(ErrorCode::InvalidParameter, "`cursor` is not a cursor this API gave out.")
            })
        })
        .transpose()
}

/// A page of `rows`, loaded with one more than `size` (which tells whether more follow), made items by `items`.
pub fn page<R, T>(
    mut rows: Vec<R>,
    size: u32,
    letter: char,
    id: impl Fn(&R) -> i64,
    items: impl FnOnce(&[R]) -> Result<Vec<T>, ApiError>,
) -> Result<Page<T>, ApiError> {
    let more = rows.len() > size as usize;
    rows.truncate(size as usize);
    let next_cursor = if more { rows.last().map(|r| format!("{letter}{}", id(r))) } else { None };
    Ok(Page { items: items(&rows)?, next_cursor })
}
