//! Cursor pagination.

use serde::{Deserialize, Serialize};

/// One page of a list. Pass `next_cursor` back as `cursor` to get the next page; it is null on the last page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Opaque cursor of the next page, or null on the last page.
    pub next_cursor: Option<String>,
}

/// Default and maximum page sizes.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 200;
