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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_name_the_last_id_of_their_own_list() {
        assert_eq!(after(Some("s42"), 's').ok(), Some(Some(42)));
        assert_eq!(after(None, 's').ok(), Some(None));
        assert_eq!(after(Some(""), 's').ok(), Some(None));
        for foreign in ["r42", "42", "s4x", "s", "s-1 OR 1=1"] {
            assert!(after(Some(foreign), 's').is_err(), "{foreign}");
        }
    }

    #[test]
    fn a_page_tells_whether_more_follow() {
        let full = page((1..=4).collect::<Vec<i64>>(), 3, 'r', |r| *r, |rows| Ok(rows.to_vec())).ok();
        assert_eq!(
            full.as_ref().map(|p| (p.items.clone(), p.next_cursor.clone())),
            Some((vec![1, 2, 3], Some("r3".into())))
        );
        let last = page(vec![1_i64, 2], 3, 'r', |r| *r, |rows| Ok(rows.to_vec())).ok();
        assert_eq!(last.map(|p| (p.items, p.next_cursor)), Some((vec![1, 2], None)));
        assert_eq!(size(None), 50);
        assert_eq!(size(Some(0)), 1);
        assert_eq!(size(Some(10_000)), 200);
    }
}
