//! Cursor pagination: keyset pages over time-ordered (UUID v7) ids, with an opaque cursor and a
//! capped page size, so a page costs the same however deep a client scrolls.

use crate::domain::{DomainError, DomainResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use uuid::Uuid;

/// Items per page when the client does not say.
pub const DEFAULT_LIMIT: u64 = 20;
/// The most items a page holds, whatever the client asks.
pub const MAX_LIMIT: u64 = 100;

/// Which end of the list comes first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    OldestFirst,
    NewestFirst,
}

/// Where a page starts and how long it is.
#[derive(Clone, Copy, Debug)]
pub struct PageRequest {
    pub after: Option<Uuid>,
    pub limit: u64,
}

impl PageRequest {
    /// Parses the `cursor` and `limit` query parameters; a limit above [`MAX_LIMIT`] is capped.
    pub fn parse(cursor: Option<&str>, limit: Option<u64>) -> DomainResult<Self> {
        let after = match cursor {
            None | Some("") => None,
            Some(c) => Some(decode_cursor(c)?),
        };
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(0) => return Err(DomainError::validation("limit must be at least 1")),
            Some(n) => n.min(MAX_LIMIT),
        };
        Ok(PageRequest { after, limit })
    }

    /// The first page with the default size.
    pub fn first() -> Self {
        PageRequest { after: None, limit: DEFAULT_LIMIT }
    }
}

/// One page of results and the cursor of the next, if any.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Converts the items, keeping the cursor.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next_cursor: self.next_cursor }
    }

    /// Builds a page from up to `limit + 1` rows fetched in order: the extra row only says
    /// another page exists.
    pub fn from_rows(mut rows: Vec<T>, limit: u64, id_of: impl Fn(&T) -> Uuid) -> Self {
        let more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if more { rows.last().map(|r| encode_cursor(id_of(r))) } else { None };
        Page { items: rows, next_cursor }
    }
}

/// Fetches one page of `select`, ordered by its UUID v7 id column.
pub async fn fetch<E, C>(
    db: &C,
    select: Select<E>,
    id: E::Column,
    order: Order,
    page: PageRequest,
    id_of: impl Fn(&E::Model) -> Uuid,
) -> Result<Page<E::Model>, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let mut q = select;
    if let Some(after) = page.after {
        q = match order {
            Order::OldestFirst => q.filter(id.gt(after)),
            Order::NewestFirst => q.filter(id.lt(after)),
        };
    }
    q = match order {
        Order::OldestFirst => q.order_by_asc(id),
        Order::NewestFirst => q.order_by_desc(id),
    };
    let rows = q.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_rows(rows, page.limit, id_of))
}

/// The opaque cursor for "after this id".
pub fn encode_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

fn decode_cursor(cursor: &str) -> DomainResult<Uuid> {
    let bad = || DomainError::invalid("invalid_cursor", "cursor is not one this API returned");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    Uuid::from_slice(&bytes).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let id = Uuid::now_v7();
        let p = PageRequest::parse(Some(&encode_cursor(id)), Some(5)).unwrap();
        assert_eq!(p.after, Some(id));
        assert_eq!(p.limit, 5);
        assert!(PageRequest::parse(Some("!!"), None).is_err());
        assert!(PageRequest::parse(Some("abcd"), None).is_err());
        assert!(PageRequest::parse(None, Some(0)).is_err());
        assert_eq!(PageRequest::parse(None, Some(10_000)).unwrap().limit, MAX_LIMIT);
    }

    #[test]
    fn extra_row_means_next_page() {
        let ids: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
        let page = Page::from_rows(ids.clone(), 3, |u| *u);
        assert_eq!(page.items.len(), 3);
        assert_eq!(page.next_cursor, Some(encode_cursor(ids[2])));
        let last = Page::from_rows(ids[..3].to_vec(), 3, |u| *u);
        assert_eq!(last.next_cursor, None);
    }
}
