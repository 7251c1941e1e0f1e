//! Volunteers active (with approved service) in a unit's subtree over a span of months, exactly
//! and in a few rows of one index however many volunteers the subtree has. A distinct count
//! over the span's ledger would read every entry of the city for the city's figure.
//!
//! Two tables, beside the ledger (the layout and why it counts each volunteer once are in
//! [`migration::m20261205_100001_create_active_volunteer_rollups`]): the months each volunteer
//! served in at each unit and every unit above (`active_volunteer_months`), and per unit and
//! month how many of them had their previous month of service there in which earlier month
//! (`active_volunteer_counts`). The volunteers active in `[a, b]` are the sum over the months of
//! the span of those whose previous month is before `a`.
//!
//! An approved entry adds its month to its volunteer's months at its unit and each unit above
//! (in the approval's transaction, after the volunteer's totals row is locked, so approvals of
//! one volunteer's service take turns); a new month `m` between the volunteer's months `p` and
//! `n` moves `n` from "previous `p`" to "previous `m`" and adds `m` under "previous `p`". A
//! moved subtree recomputes the units above it, old and new, from the ledger (rare, and the
//! move holds the tree's lock); [`rebuild`] recomputes everything.

use super::hours::MonthSpan;
use crate::domain::DomainResult;
use chrono::{Datelike, NaiveDate};
use entity::active_volunteer_count as count;
use entity::active_volunteer_month as kept_month;
use entity::hours_entry::{self, HoursStatus};
use migration::m20261205_100001_create_active_volunteer_rollups::{REACH, backfill_counts_sql, backfill_months_sql};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QuerySelect, Statement,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

// The rollup answers spans of up to REACH months exactly; the statistics API allows spans of up
// to MAX_MONTHS. The two must not drift apart.
const _: () = assert!(REACH as u32 == super::hours::MAX_MONTHS, "REACH must equal the longest span");

/// Rows per insert statement (three or four values each, well under SQLite's variable limit).
const CHUNK: usize = 4000;

/// The number of the month of `date`: `year * 12 + month - 1`.
pub fn month_number(date: NaiveDate) -> i32 {
    date.year() * 12 + date.month0() as i32
}

/// `previous` as kept for `month`: 0 when there is none, or when it lies so far back that every
/// span containing `month` starts after it.
fn previous_kept(month: i32, previous: Option<i32>) -> i32 {
    match previous {
        Some(p) if p > month - REACH => p,
        _ => 0,
    }
}

/// Adds the months of the approved entries among `entries` at their units and the units above
/// (`above`: each entry unit's ancestors, itself included). Reads the volunteers' months near the
/// new ones, then one insert of the new months and one upsert of the counts.
pub async fn add_approved(
    txn: &impl ConnectionTrait,
    entries: &[hours_entry::Model],
    above: &HashMap<Uuid, Vec<Uuid>>,
) -> DomainResult<()> {
    let mut wanted: BTreeMap<(Uuid, Uuid), BTreeSet<i32>> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.status == HoursStatus::Approved) {
        for unit in above.get(&e.org_unit_id).into_iter().flatten() {
            wanted.entry((*unit, e.volunteer_id)).or_default().insert(month_number(e.service_date));
        }
    }
    let Some(lowest) = wanted.values().filter_map(|m| m.first()).min().copied() else { return Ok(()) };
    let highest = wanted.values().filter_map(|m| m.last()).max().copied().unwrap_or(lowest);
    let volunteers: BTreeSet<Uuid> = wanted.keys().map(|(_, v)| *v).collect();
    let units: BTreeSet<Uuid> = wanted.keys().map(|(u, _)| *u).collect();
    // Only neighbours within reach change a count: one further away is kept as "none".
    let mut months: HashMap<(Uuid, Uuid), BTreeSet<i32>> = HashMap::new();
    for (unit, volunteer, month) in kept_month::Entity::find()
        .select_only()
        .column(kept_month::Column::OrgUnitId)
        .column(kept_month::Column::VolunteerId)
        .column(kept_month::Column::Month)
        .filter(kept_month::Column::VolunteerId.is_in(volunteers))
        .filter(kept_month::Column::OrgUnitId.is_in(units))
        .filter(kept_month::Column::Month.gte(lowest - REACH))
        .filter(kept_month::Column::Month.lte(highest + REACH))
        .into_tuple::<(Uuid, Uuid, i32)>()
        .all(txn)
        .await?
    {
        months.entry((unit, volunteer)).or_default().insert(month);
    }

    let mut new_months = Vec::new();
    // Keyed in the primary key's order, so that transactions sharing rows (a station's, the
    // city's) update them in the same order and none waits on the other.
    let mut deltas: BTreeMap<(Uuid, i32, i32), i64> = BTreeMap::new();
    for ((unit, volunteer), added) in wanted {
        let have = months.entry((unit, volunteer)).or_default();
        for m in added {
            if !have.insert(m) {
                continue;
            }
            let previous = have.range(..m).next_back().copied();
            if let Some(next) = have.range(m + 1..).next().copied() {
                *deltas.entry((unit, next, previous_kept(next, previous))).or_default() -= 1;
                *deltas.entry((unit, next, previous_kept(next, Some(m)))).or_default() += 1;
            }
            *deltas.entry((unit, m, previous_kept(m, previous))).or_default() += 1;
            new_months.push(kept_month::ActiveModel {
                org_unit_id: Set(unit),
                volunteer_id: Set(volunteer),
                month: Set(m),
            });
        }
    }
    deltas.retain(|_, d| *d != 0);
    let emptied = deltas.values().any(|d| *d < 0);
    for chunk in new_months.chunks(CHUNK) {
        kept_month::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    kept_month::Column::OrgUnitId,
                    kept_month::Column::VolunteerId,
                    kept_month::Column::Month,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    let rows: Vec<count::ActiveModel> = deltas
        .iter()
        .map(|((unit, month, previous), d)| count::ActiveModel {
            org_unit_id: Set(*unit),
            month: Set(*month),
            previous: Set(*previous),
            volunteers: Set(*d),
        })
        .collect();
    for chunk in rows.chunks(CHUNK) {
        count::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([count::Column::OrgUnitId, count::Column::Month, count::Column::Previous])
                    .value(
                        count::Column::Volunteers,
                        Expr::col((count::Entity, count::Column::Volunteers))
                            .add(Expr::col((Alias::new("excluded"), count::Column::Volunteers))),
                    )
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    if emptied {
        // A count that reached 0 goes, as a rebuild would not write it.
        let touched: BTreeSet<Uuid> = deltas.keys().map(|(u, _, _)| *u).collect();
        count::Entity::delete_many()
            .filter(count::Column::OrgUnitId.is_in(touched))
            .filter(count::Column::Volunteers.eq(0))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// How many volunteers served in `unit`'s subtree in `span`.
pub async fn active_in(db: &impl ConnectionTrait, unit: Uuid, span: &MonthSpan) -> DomainResult<u64> {
    let (from, to) = (month_number(span.from), month_number(span.to));
    let sum = count::Entity::find()
        .select_only()
        .expr(Expr::col(count::Column::Volunteers).sum().cast_as(Alias::new("BIGINT")))
        .filter(count::Column::OrgUnitId.eq(unit))
        .filter(count::Column::Month.gte(from))
        .filter(count::Column::Month.lte(to))
        .filter(count::Column::Previous.lt(from))
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?
        .flatten()
        .unwrap_or(0);
    Ok(u64::try_from(sum).unwrap_or(0))
}

/// Recomputes the rows of every unit from the ledger, in the caller's transaction.
pub async fn rebuild(txn: &impl ConnectionTrait) -> DomainResult<()> {
    recompute(txn, None).await
}

/// Whether a recomputation around a moving subtree counts the subtree's own service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subtree {
    /// Before the move: the units above are about to lose it.
    Leaving,
    /// After the move: the units above have it.
    Joined,
}

/// Recomputes the rows of the units strictly above `unit` from the ledger: before a move without
/// the subtree's service (the units it leaves), after it with (the units it joins).
pub async fn recompute_above(txn: &impl ConnectionTrait, unit: Uuid, subtree: Subtree) -> DomainResult<()> {
    recompute(txn, Some((unit, subtree))).await
}

/// Deletes and refills the rows of every unit, or of the units strictly above a subtree's root.
async fn recompute(txn: &impl ConnectionTrait, around: Option<(Uuid, Subtree)>) -> DomainResult<()> {
    let backend = txn.get_database_backend();
    let p = |n: usize| if backend == DatabaseBackend::Postgres { format!("${n}") } else { "?".to_string() };
    let above = |n| format!("(SELECT ancestor_id FROM org_unit_closure WHERE descendant_id = {} AND depth > 0)", p(n));
    let statements: Vec<(String, usize)> = match around {
        None => vec![
            ("DELETE FROM active_volunteer_counts".to_string(), 0),
            ("DELETE FROM active_volunteer_months".to_string(), 0),
            (backfill_months_sql(backend, "1 = 1"), 0),
            (backfill_counts_sql("1 = 1"), 0),
        ],
        Some((_, subtree)) => {
            let mut ancestors = format!("c.ancestor_id IN {}", above(1));
            let mut binds = 1;
            if subtree == Subtree::Leaving {
                let within = format!("(SELECT descendant_id FROM org_unit_closure WHERE ancestor_id = {})", p(2));
                ancestors = format!("{ancestors} AND e.org_unit_id NOT IN {within}");
                binds = 2;
            }
            vec![
                (format!("DELETE FROM active_volunteer_counts WHERE org_unit_id IN {}", above(1)), 1),
                (format!("DELETE FROM active_volunteer_months WHERE org_unit_id IN {}", above(1)), 1),
                (backfill_months_sql(backend, &ancestors), binds),
                (backfill_counts_sql(&format!("org_unit_id IN {}", above(1))), 1),
            ]
        }
    };
    for (sql, binds) in statements {
        let values: Vec<sea_orm::Value> =
            around.iter().flat_map(|(u, _)| std::iter::repeat_n(*u, binds)).map(Into::into).collect();
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    }
    Ok(())
}
