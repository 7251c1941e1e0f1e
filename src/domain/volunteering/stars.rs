//! Star levels and leaderboards, derived from the hours ledger: the level a total earns, the
//! star awards recorded when a level is reached (`star_awards`), and the leaderboards by period
//! and scope.

use crate::domain::DomainResult;
use crate::domain::kernel::org_units;
use crate::domain::kernel::time::{self, local_date};
use crate::domain::messaging::notifications::{Category, Message, tell};
use crate::domain::people::users;
use crate::domain::volunteering::hours::unit_tz;
use crate::domain::volunteering::hours_totals;
use crate::domain::volunteering::leaderboard_ranks::LeaderboardRanks;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::hours_total;
use entity::star_award;
use entity::user;
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

/// A star level and the way to the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stars {
    /// 0 before the first level.
    pub level: i32,
    /// Minutes still needed for the next level; `None` at the top.
    pub minutes_to_next: Option<i64>,
}

/// The level `approved_minutes` reaches on a ladder of hours.
pub fn stars(ladder: &[u32], approved_minutes: i64) -> Stars {
    let level = ladder.iter().take_while(|h| approved_minutes >= i64::from(**h) * 60).count() as i32;
    let minutes_to_next = ladder.get(level as usize).map(|h| i64::from(*h) * 60 - approved_minutes);
    Stars { level, minutes_to_next }
}

/// Records every level the volunteer's approved total has reached and not yet recorded; returns
/// the levels newly reached. Runs with the volunteer's row locked, so concurrent approvals
/// cannot each miss the crossing, and a level is recorded exactly once.
pub async fn award_stars(
    txn: &impl ConnectionTrait,
    volunteer: Uuid,
    now: DateTime<Utc>,
    ladder: &[u32],
) -> DomainResult<Vec<i32>> {
    let reached = record_star_levels(txn, volunteer, now, ladder).await?;
    // Long service and each level newly reached are automatic honours (on the wall and the
    // profile), recorded under the same lock.
    crate::domain::registry::approved_service_changed(txn, volunteer, &reached, now).await?;
    Ok(reached)
}

/// Records the star levels reached and not yet recorded, telling the volunteer of each.
async fn record_star_levels(
    txn: &impl ConnectionTrait,
    volunteer: Uuid,
    now: DateTime<Utc>,
    ladder: &[u32],
) -> DomainResult<Vec<i32>> {
    if ladder.is_empty() {
        return Ok(Vec::new());
    }
    let total = hours_totals::approved(txn, volunteer, hours_totals::ALL_TIME).await?;
    let level = stars(ladder, total).level;
    let mut reached = Vec::new();
    for l in 1..=level {
        let res = star_award::Entity::insert(star_award::ActiveModel {
            volunteer_id: Set(volunteer),
            level: Set(l),
            minutes: Set(total as i32),
            reached_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([star_award::Column::VolunteerId, star_award::Column::Level]).do_nothing().to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
        if res == 1 {
            reached.push(l);
            let m = Message::new(volunteer, Category::Honour, "star.reached", format!("star:{l}"))
                .param("level", l.to_string());
            tell(txn, m).await?;
        }
    }
    crate::domain::registry::star_levels_recorded(txn, volunteer, &reached).await?;
    Ok(reached)
}

/// A leaderboard's period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Month,
    Year,
    AllTime,
}

/// One line of a leaderboard.
#[derive(Clone, Debug)]
pub struct Standing {
    pub rank: i64,
    pub volunteer: user::Model,
    pub minutes: i64,
}

/// The leaderboard of a subtree (everyone when `under` is `None`) for a period, and the
/// caller's own standing if they have approved time in it. Ties share a rank. The top and the
/// caller's total are read now; the caller's rank is counted among the others' totals as
/// `ranks` keeps them (at most a few seconds old).
pub async fn leaderboard(
    db: &impl ConnectionTrait,
    ranks: &LeaderboardRanks,
    me: Uuid,
    under: Option<Uuid>,
    period: Period,
    now: DateTime<Utc>,
    limit: u64,
) -> DomainResult<(Vec<Standing>, Option<Standing>)> {
    let tz = match under {
        Some(u) => unit_tz(db, u).await?,
        None => time::DEFAULT_TIME_ZONE.to_string(),
    };
    let today = local_date(now, &tz);
    let since = match period {
        Period::Month => NaiveDate::from_ymd_opt(today.year(), today.month(), 1),
        Period::Year => NaiveDate::from_ymd_opt(today.year(), 1, 1),
        Period::AllTime => None,
    };
    let key = match since {
        Some(first) if period == Period::Month => hours_totals::month_key(first),
        Some(first) => hours_totals::year_key(first),
        None => hours_totals::ALL_TIME.to_string(),
    };
    // The period's totals (`hours_totals`), within the subtree when there is one: the top is the
    // head of the ranking index, a rank the entries above a total.
    use sea_orm::sea_query::ExprTrait;
    let minutes = || Expr::col((hours_total::Entity, hours_total::Column::Minutes));
    let ranked = |extra: Option<sea_orm::sea_query::SimpleExpr>| {
        let mut q = Query::select();
        q.from(hours_total::Entity)
            .and_where(Expr::col((hours_total::Entity, hours_total::Column::Period)).eq(key.clone()))
            .and_where(extra.unwrap_or_else(|| minutes().gt(0)));
        if let Some(root) = under {
            q.inner_join(
                user::Entity,
                Expr::col((user::Entity, user::Column::Id))
                    .equals((hours_total::Entity, hours_total::Column::VolunteerId)),
            )
            .and_where(Expr::col((user::Entity, user::Column::OrgUnitId)).in_subquery(org_units::subtree_ids(root)));
        }
        q
    };
    let top_q = ranked(None)
        .column((hours_total::Entity, hours_total::Column::VolunteerId))
        .column((hours_total::Entity, hours_total::Column::Minutes))
        .order_by((hours_total::Entity, hours_total::Column::Minutes), sea_orm::Order::Desc)
        .order_by((hours_total::Entity, hours_total::Column::VolunteerId), sea_orm::Order::Asc)
        .limit(limit)
        .to_owned();
    let rows = db.query_all(&top_q).await?;
    let mut lines: Vec<(Uuid, i64)> = Vec::new();
    for r in &rows {
        lines.push((r.try_get("", "volunteer_id")?, r.try_get("", "minutes")?));
    }
    // Rank = 1 + how many have strictly more, counted in the scope's distribution of totals
    // (`leaderboard_ranks`: kept a few seconds, not counted in the database each time).
    let rank_of = async |mine: i64| -> DomainResult<i64> {
        ranks
            .rank(under, &key, mine, async || {
                let all = ranked(None)
                    .column((hours_total::Entity, hours_total::Column::Minutes))
                    .order_by((hours_total::Entity, hours_total::Column::Minutes), sea_orm::Order::Desc)
                    .to_owned();
                let mut out = Vec::new();
                for r in db.query_all(&all).await? {
                    out.push(r.try_get::<i64>("", "minutes")?);
                }
                Ok(out)
            })
            .await
    };
    let ids: Vec<Uuid> = lines.iter().map(|l| l.0).chain(std::iter::once(me)).collect();
    let people = users::by_ids(db, ids).await?;
    let mut top = Vec::new();
    let mut prev: Option<(i64, i64)> = None;
    for (i, (id, minutes)) in lines.iter().enumerate() {
        let rank = match prev {
            Some((m, r)) if m == *minutes => r,
            _ => i as i64 + 1,
        };
        prev = Some((*minutes, rank));
        if let Some(u) = people.get(id) {
            top.push(Standing { rank, volunteer: u.clone(), minutes: *minutes });
        }
    }
    let my_minutes = hours_totals::approved(db, me, &key).await?;
    let in_scope = match (under, people.get(&me)) {
        (Some(root), Some(u)) => match u.org_unit_id {
            Some(unit) => org_units::is_within(db, root, unit).await?,
            None => false,
        },
        _ => true,
    };
    let my_minutes = if in_scope { my_minutes } else { 0 };
    let mine = match (my_minutes > 0, people.get(&me)) {
        (true, Some(u)) => {
            Some(Standing { rank: rank_of(my_minutes).await?, volunteer: u.clone(), minutes: my_minutes })
        }
        _ => None,
    };
    Ok((top, mine))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LADDER: [u32; 5] = [100, 300, 600, 1000, 1500];

    #[test]
    fn star_boundaries() {
        assert_eq!(stars(&LADDER, 100 * 60 - 1), Stars { level: 0, minutes_to_next: Some(1) });
        assert_eq!(stars(&LADDER, 100 * 60), Stars { level: 1, minutes_to_next: Some(200 * 60) });
        assert_eq!(stars(&LADDER, 1500 * 60), Stars { level: 5, minutes_to_next: None });
        assert_eq!(stars(&LADDER, 0).level, 0);
        assert_eq!(stars(&[50, 100, 200, 400, 800], 60 * 60).level, 1);
    }
}
