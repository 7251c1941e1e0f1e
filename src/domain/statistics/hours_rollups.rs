//! Approved service per org unit × month × action line (`hours_rollups`): minutes and service
//! count (人次). An approved entry counts at the unit that recorded it and at every unit above
//! (room → station → district → city), under its task's action line (`other` for service without
//! a task: a volunteer's claim of offline service) and the month of its service date. A
//! correction's adjusting entry changes the minutes (either way) but is not another service.
//!
//! The ledger (`hours_entries`) is the record; these rows are its sums, added to in the same
//! transaction as every entry that becomes approved (volunteering calls
//! [`crate::domain::registry::hours_approved`] from its per-volunteer totals), and shifted when a
//! subtree moves to another parent. [`rebuild`] recomputes them from the ledger (after a bulk
//! load; `wushe stats rebuild`, through [`super::rebuild`]), and `tests/api/statistics/rollups.rs` checks they equal a fresh
//! aggregation of the ledger.

use crate::domain::DomainResult;
use chrono::{Datelike, NaiveDate};
use entity::hours_entry::{self, HoursSource, HoursStatus};
use entity::task::{self, ActionLine};
use entity::{hours_rollup, task::Entity as Task};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QuerySelect, Statement,
};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// The key of the month of `date`: `2026-12`.
pub fn month_key(date: NaiveDate) -> String {
    format!("{:04}-{:02}", date.year(), date.month())
}

/// Adds the approved entries among `entries` to their units' and ancestors' rows (`above`, from
/// `kernel::org_units::ancestors_of_many`): one read (the tasks' action lines) and one upsert statement.
pub async fn add_approved(
    txn: &impl ConnectionTrait,
    entries: &[hours_entry::Model],
    above: &HashMap<Uuid, Vec<Uuid>>,
) -> DomainResult<()> {
    let approved: Vec<&hours_entry::Model> = entries.iter().filter(|e| e.status == HoursStatus::Approved).collect();
    if approved.is_empty() {
        return Ok(());
    }
    let task_ids: Vec<Uuid> = approved.iter().filter_map(|e| e.task_id).collect();
    let lines: HashMap<Uuid, ActionLine> = if task_ids.is_empty() {
        HashMap::new()
    } else {
        Task::find()
            .select_only()
            .column(task::Column::Id)
            .column(task::Column::ActionLine)
            .filter(task::Column::Id.is_in(task_ids))
            .into_tuple::<(Uuid, ActionLine)>()
            .all(txn)
            .await?
            .into_iter()
            .collect()
    };
    // Keyed in the primary key's order, so that every transaction updates the rows it shares
    // with another (a station's, the city's) in the same order and none waits on the other.
    let mut sums: BTreeMap<(Uuid, String, String), (ActionLine, i64, i64)> = BTreeMap::new();
    for e in approved {
        let line = e.task_id.and_then(|t| lines.get(&t).copied()).unwrap_or(ActionLine::Other);
        let services = i64::from(e.source != HoursSource::Adjustment);
        let month = month_key(e.service_date);
        for unit in above.get(&e.org_unit_id).into_iter().flatten() {
            let key = (*unit, month.clone(), line_key(line));
            let sum = sums.entry(key).or_insert((line, 0, 0));
            sum.1 += i64::from(e.minutes);
            sum.2 += services;
        }
    }
    if sums.is_empty() {
        return Ok(());
    }
    let rows = sums.into_iter().map(|((unit, month, _), (line, minutes, services))| hours_rollup::ActiveModel {
        org_unit_id: Set(unit),
        month: Set(month),
        action_line: Set(line),
        minutes: Set(minutes),
        service_count: Set(services),
    });
    let excluded = |c: hours_rollup::Column| Expr::col((Alias::new("excluded"), c));
    let current = |c: hours_rollup::Column| Expr::col((hours_rollup::Entity, c));
    hours_rollup::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                hours_rollup::Column::OrgUnitId,
                hours_rollup::Column::Month,
                hours_rollup::Column::ActionLine,
            ])
            .value(
                hours_rollup::Column::Minutes,
                current(hours_rollup::Column::Minutes).add(excluded(hours_rollup::Column::Minutes)),
            )
            .value(
                hours_rollup::Column::ServiceCount,
                current(hours_rollup::Column::ServiceCount).add(excluded(hours_rollup::Column::ServiceCount)),
            )
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// The stored form of an action line, for ordering.
fn line_key(line: ActionLine) -> String {
    use sea_orm::ActiveEnum;
    line.to_value()
}

/// Recomputes every row from the ledger (after a bulk load that wrote the ledger directly, or
/// to repair them), in the caller's transaction: one statement besides the delete.
pub async fn rebuild(txn: &impl ConnectionTrait) -> DomainResult<()> {
    hours_rollup::Entity::delete_many().exec(txn).await?;
    let backend = txn.get_database_backend();
    txn.execute_unprepared(&migration::m20261204_100001_create_hours_rollups::backfill_sql(backend)).await?;
    Ok(())
}

/// `unit`'s subtree is about to move: its sums leave every unit above it. Runs in the move's
/// transaction, before the tree changes; [`subtree_moved`] adds them under the new parent.
pub async fn subtree_moving(txn: &impl ConnectionTrait, unit: Uuid) -> DomainResult<()> {
    shift_to_ancestors(txn, unit, "-").await?;
    // Units above that kept nothing of this month and line (everything they had came from the
    // subtree) lose their row, as a rebuild would not write it.
    txn.execute_unprepared("DELETE FROM hours_rollups WHERE minutes = 0 AND service_count = 0").await?;
    Ok(())
}

/// `unit`'s subtree has moved: its sums join every unit above it now.
pub async fn subtree_moved(txn: &impl ConnectionTrait, unit: Uuid) -> DomainResult<()> {
    shift_to_ancestors(txn, unit, "").await
}

/// Adds (`sign` empty) or takes away (`-`) `unit`'s rows to or from each unit strictly above it.
async fn shift_to_ancestors(txn: &impl ConnectionTrait, unit: Uuid, sign: &str) -> DomainResult<()> {
    let backend = txn.get_database_backend();
    let placeholder = if backend == DatabaseBackend::Postgres { "$1" } else { "?" };
    let sql = format!(
        "INSERT INTO hours_rollups (org_unit_id, month, action_line, minutes, service_count) \
         SELECT c.ancestor_id, r.month, r.action_line, {sign}r.minutes, {sign}r.service_count \
         FROM hours_rollups r JOIN org_unit_closure c ON c.descendant_id = r.org_unit_id \
         WHERE r.org_unit_id = {placeholder} AND c.depth > 0 \
         ON CONFLICT (org_unit_id, month, action_line) DO UPDATE SET \
         minutes = hours_rollups.minutes + excluded.minutes, \
         service_count = hours_rollups.service_count + excluded.service_count"
    );
    txn.execute_raw(Statement::from_sql_and_values(backend, sql, [unit.into()])).await?;
    Ok(())
}
