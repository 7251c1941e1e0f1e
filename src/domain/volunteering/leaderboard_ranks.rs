//! The distribution a leaderboard rank is counted in: per scope (a subtree, or everyone) and
//! period, every positive total of `hours_totals`, sorted, kept for [`FRESH_FOR`] per instance.
//! A rank is one more than the totals above the caller's, and counting them in the database
//! reads every index entry above: at ten Suzhous' size a year holds about 180,000 totals, and
//! 64 callers counting at once kept two cores busy for half a second each. Here a rank is a
//! binary search. The caller's own total and the top of the board are always read fresh; only
//! the others' totals may be up to [`FRESH_FOR`] old, so a rank can lag others' approvals of the
//! last seconds, never the caller's own.
//!
//! One build per scope and period at a time: callers arriving during a build wait for it instead
//! of each reading the distribution. At most [`MAX_SCOPES`] distributions are kept; the oldest
//! goes first.

use crate::domain::DomainResult;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;
use uuid::Uuid;

/// How long a distribution serves ranks.
pub const FRESH_FOR: Duration = Duration::from_secs(10);
/// Distributions kept at most (scopes × periods).
pub const MAX_SCOPES: usize = 256;

type Key = (Option<Uuid>, String);

struct Slot {
    built: Instant,
    /// Positive totals, highest first.
    minutes: Arc<OnceCell<Arc<Vec<i64>>>>,
}

/// Distributions of totals per scope and period, per instance.
pub struct LeaderboardRanks {
    slots: Mutex<HashMap<Key, Slot>>,
    fresh_for: Duration,
}

impl Default for LeaderboardRanks {
    fn default() -> Self {
        Self::fresh_for(FRESH_FOR)
    }
}

impl LeaderboardRanks {
    /// Distributions that serve ranks for `fresh_for` each.
    pub fn fresh_for(fresh_for: Duration) -> Self {
        LeaderboardRanks { slots: Mutex::default(), fresh_for }
    }

    /// The rank of `mine` (> 0) among the totals of `under` and `period`, reading them with
    /// `load` (highest first) when none fresh are kept.
    pub async fn rank<F>(&self, under: Option<Uuid>, period: &str, mine: i64, load: F) -> DomainResult<i64>
    where
        F: AsyncFnOnce() -> DomainResult<Vec<i64>>,
    {
        let cell = self.cell((under, period.to_string()));
        let totals = cell.get_or_try_init(async || load().await.map(Arc::new)).await?;
        Ok(totals.partition_point(|m| *m > mine) as i64 + 1)
    }

    /// The cell of `key`: the kept one while fresh, else a new empty one.
    fn cell(&self, key: Key) -> Arc<OnceCell<Arc<Vec<i64>>>> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if let Some(slot) = slots.get(&key)
            && now.duration_since(slot.built) < self.fresh_for
        {
            return slot.minutes.clone();
        }
        if slots.len() >= MAX_SCOPES && !slots.contains_key(&key) {
            slots.retain(|_, s| now.duration_since(s.built) < self.fresh_for);
            if slots.len() >= MAX_SCOPES
                && let Some(oldest) = slots.iter().min_by_key(|(_, s)| s.built).map(|(k, _)| k.clone())
            {
                slots.remove(&oldest);
            }
        }
        let cell = Arc::new(OnceCell::new());
        slots.insert(key, Slot { built: now, minutes: cell.clone() });
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn ranks_count_the_totals_above_and_share_one_load() {
        let ranks = LeaderboardRanks::default();
        let loads = AtomicUsize::new(0);
        let load = async || {
            loads.fetch_add(1, Ordering::SeqCst);
            Ok(vec![500, 300, 300, 100])
        };
        assert_eq!(ranks.rank(None, "2026", 500, load).await.unwrap(), 1);
        assert_eq!(ranks.rank(None, "2026", 300, load).await.unwrap(), 2);
        assert_eq!(ranks.rank(None, "2026", 100, load).await.unwrap(), 4);
        assert_eq!(ranks.rank(None, "2026", 50, load).await.unwrap(), 5);
        assert_eq!(loads.load(Ordering::SeqCst), 1, "one load serves every rank while fresh");
        ranks.rank(None, "2026-12", 50, load).await.unwrap();
        assert_eq!(loads.load(Ordering::SeqCst), 2, "another period is another distribution");
    }

    #[tokio::test]
    async fn an_old_distribution_is_read_again() {
        let kept = LeaderboardRanks::default();
        let stale = LeaderboardRanks::fresh_for(Duration::ZERO);
        for ranks in [&kept, &stale] {
            assert_eq!(ranks.rank(None, "all", 100, async || Ok(vec![200, 100])).await.unwrap(), 2);
        }
        assert_eq!(kept.rank(None, "all", 100, async || Ok(vec![300, 200, 100])).await.unwrap(), 2);
        assert_eq!(stale.rank(None, "all", 100, async || Ok(vec![300, 200, 100])).await.unwrap(), 3);
    }

    #[tokio::test]
    async fn a_failed_load_is_not_kept() {
        let ranks = LeaderboardRanks::default();
        let failed =
            ranks.rank(None, "all", 1, async || Err(crate::domain::DomainError::validation("database down"))).await;
        assert!(failed.is_err());
        assert_eq!(ranks.rank(None, "all", 1, async || Ok(vec![2, 1])).await.unwrap(), 2);
    }
}
