//! People counted per org unit (`people_rollups`; the figures and buckets are described in
//! [`migration::m20261205_100002_create_people_rollups`]): volunteers joined by month, social
//! workers, and people by their highest star level, each at their home unit and every unit
//! above it, so the overview reads a few rows whatever the size of the subtree.
//!
//! Published honours by kind and year are counted the same way, at the recipient's home unit.
//!
//! Kept in the transactions that change what they count: an account created, a person's role or
//! home unit changed (they leave the old units' counts and join the new ones'), a higher star
//! level recorded, honours published or revoked (all through [`crate::domain::registry`]), and a subtree moved to another
//! parent (its root's counts leave the units above it and join the new ones). [`rebuild`]
//! counts everyone again.

use crate::domain::DomainResult;
use entity::honour::{self, HonourStatus};
use entity::honour_programme::ProgrammeKind;
use entity::org_unit;
use entity::people_rollup as rollup;
use entity::star_award;
use entity::user;
use migration::m20261205_100002_create_people_rollups::{Held, figures_of, honour_figure, refill, zone};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveEnum, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QuerySelect,
    Statement,
};
use std::collections::BTreeMap;
use uuid::Uuid;

pub use migration::m20261205_100002_create_people_rollups::{
    HONOUR_PREFIX, SOCIAL_WORKERS, STAR_LEVEL, VOLUNTEERS_JOINED,
};

/// The advisory lock every transaction changing `people_rollups` on PostgreSQL holds (an
/// arbitrary constant: "people" in ASCII).
const PEOPLE_ROLLUPS_LOCK: i64 = 0x7065_6f70_6c65;

/// The highest star level recorded for `person` (0 for none).
async fn star_level(txn: &impl ConnectionTrait, person: Uuid) -> DomainResult<i32> {
    Ok(star_award::Entity::find()
        .select_only()
        .expr(Expr::col(star_award::Column::Level).max())
        .filter(star_award::Column::VolunteerId.eq(person))
        .into_tuple::<Option<i32>>()
        .one(txn)
        .await?
        .flatten()
        .unwrap_or(0))
}

/// What `person` holds that is counted: their highest star level and published honours.
async fn held(txn: &impl ConnectionTrait, person: Uuid) -> DomainResult<Held> {
    let honours = honour::Entity::find()
        .select_only()
        .column(honour::Column::Kind)
        .column(honour::Column::Year)
        .filter(honour::Column::RecipientId.eq(person))
        .filter(honour::Column::Status.eq(HonourStatus::Published))
        .into_tuple::<(ProgrammeKind, i32)>()
        .all(txn)
        .await?;
    Ok(Held {
        star_level: star_level(txn, person).await?,
        honours: honours.into_iter().map(|(k, y)| (k.to_value(), y)).collect(),
    })
}

/// What `person` counts under at their home unit, with `sign` (+1 joining, -1 leaving).
async fn counted(
    txn: &impl ConnectionTrait,
    person: &user::Model,
    held: &Held,
    sign: i64,
    into: &mut BTreeMap<(Uuid, String, i32), i64>,
) -> DomainResult<()> {
    let Some(unit) = person.org_unit_id else { return Ok(()) };
    let home = org_unit::Entity::find_by_id(unit).one(txn).await?;
    let home_zone = zone(home.as_ref().map_or("", |u| u.time_zone.as_str()));
    for (figure, bucket) in figures_of(&person.role.to_value(), person.created_at, home_zone, held) {
        *into.entry((unit, figure, bucket)).or_default() += sign;
    }
    Ok(())
}

/// An account was created (in its transaction).
pub async fn person_created(txn: &impl ConnectionTrait, person: &user::Model) -> DomainResult<()> {
    let mut deltas = BTreeMap::new();
    counted(txn, person, &Held::default(), 1, &mut deltas).await?;
    apply(txn, deltas).await
}

/// A person's role or home unit may have changed (in the changing transaction): they leave the
/// counts `before` put them in and join those `after` does.
pub async fn person_changed(txn: &impl ConnectionTrait, before: &user::Model, after: &user::Model) -> DomainResult<()> {
    if before.role == after.role && before.org_unit_id == after.org_unit_id {
        return Ok(());
    }
    let held = held(txn, after.id).await?;
    let mut deltas = BTreeMap::new();
    counted(txn, before, &held, -1, &mut deltas).await?;
    counted(txn, after, &held, 1, &mut deltas).await?;
    apply(txn, deltas).await
}

/// Star levels were recorded for `person` (in the recording transaction, after the inserts):
/// they move from the highest level they held before to the highest they hold now.
pub async fn star_levels_recorded(txn: &impl ConnectionTrait, person: Uuid, new_levels: &[i32]) -> DomainResult<()> {
    if new_levels.is_empty() {
        return Ok(());
    }
    let Some(p) = user::Entity::find_by_id(person).one(txn).await? else { return Ok(()) };
    let Some(unit) = p.org_unit_id else { return Ok(()) };
    let held: Vec<i32> = star_award::Entity::find()
        .select_only()
        .column(star_award::Column::Level)
        .filter(star_award::Column::VolunteerId.eq(person))
        .into_tuple::<i32>()
        .all(txn)
        .await?;
    let now = held.iter().copied().max().unwrap_or(0);
    let before = held.iter().copied().filter(|l| !new_levels.contains(l)).max().unwrap_or(0);
    if now == before {
        return Ok(());
    }
    let mut deltas = BTreeMap::new();
    if before > 0 {
        *deltas.entry((unit, STAR_LEVEL.to_string(), before)).or_default() -= 1;
    }
    *deltas.entry((unit, STAR_LEVEL.to_string(), now)).or_default() += 1;
    apply(txn, deltas).await
}

/// Honours were published (`delta` 1) or a published one revoked (-1), each given as (recipient,
/// kind, year): they count at the recipients' home units (in the changing transaction).
pub async fn honours_changed(
    txn: &impl ConnectionTrait,
    changes: &[(Uuid, ProgrammeKind, i32, i64)],
) -> DomainResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let people: Vec<Uuid> = changes.iter().map(|(p, _, _, _)| *p).collect();
    let homes: std::collections::HashMap<Uuid, Option<Uuid>> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::OrgUnitId)
        .filter(user::Column::Id.is_in(people))
        .into_tuple::<(Uuid, Option<Uuid>)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let mut deltas = BTreeMap::new();
    for (person, kind, year, delta) in changes {
        if let Some(Some(unit)) = homes.get(person) {
            *deltas.entry((*unit, honour_figure(&kind.to_value()), *year)).or_default() += delta;
        }
    }
    apply(txn, deltas).await
}

/// The published honours of `unit`'s people as (kind as stored, year, honours).
pub async fn honours_of(db: &impl ConnectionTrait, unit: Uuid) -> DomainResult<Vec<(String, i32, i64)>> {
    let rows = rollup::Entity::find()
        .filter(rollup::Column::OrgUnitId.eq(unit))
        .filter(rollup::Column::Figure.starts_with(HONOUR_PREFIX))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((r.figure.strip_prefix(HONOUR_PREFIX)?.to_string(), r.bucket, r.people)))
        .collect())
}

/// Adds each (home unit, figure, bucket) delta to that unit's row and the rows of every unit
/// above it, in the primary key's order (so transactions sharing a city's rows take them in the
/// same order), and drops rows that reach 0, as a rebuild would not write them.
async fn apply(txn: &impl ConnectionTrait, deltas: BTreeMap<(Uuid, String, i32), i64>) -> DomainResult<()> {
    let units: Vec<Uuid> = deltas.keys().map(|(u, _, _)| *u).collect();
    if units.is_empty() {
        return Ok(());
    }
    let above = crate::domain::kernel::org_units::ancestors_of_many(txn, units).await?;
    let mut rows: BTreeMap<(Uuid, String, i32), i64> = BTreeMap::new();
    for ((unit, figure, bucket), d) in deltas {
        for a in above.get(&unit).into_iter().flatten() {
            *rows.entry((*a, figure.clone(), bucket)).or_default() += d;
        }
    }
    rows.retain(|_, d| *d != 0);
    if rows.is_empty() {
        return Ok(());
    }
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        // One transaction may add here several times (a batch approval records each volunteer's
        // star level and automatic honour in turn), each time taking a few rows in key order,
        // so two such transactions could each hold a row the other wants next. This lock, held
        // to the end of the transaction and taken before any of the rows, makes them take turns
        // instead. (SQLite's write transactions already run one at a time.)
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({PEOPLE_ROLLUPS_LOCK})")).await?;
    }
    let emptied = rows.values().any(|d| *d < 0);
    let touched: Vec<Uuid> = rows.keys().map(|(u, _, _)| *u).collect();
    let models = rows.into_iter().map(|((unit, figure, bucket), people)| rollup::ActiveModel {
        org_unit_id: Set(unit),
        figure: Set(figure),
        bucket: Set(bucket),
        people: Set(people),
    });
    rollup::Entity::insert_many(models)
        .on_conflict(
            OnConflict::columns([rollup::Column::OrgUnitId, rollup::Column::Figure, rollup::Column::Bucket])
                .value(
                    rollup::Column::People,
                    Expr::col((rollup::Entity, rollup::Column::People))
                        .add(Expr::col((Alias::new("excluded"), rollup::Column::People))),
                )
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    if emptied {
        rollup::Entity::delete_many()
            .filter(rollup::Column::OrgUnitId.is_in(touched))
            .filter(rollup::Column::People.eq(0))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// The rows of `unit` under `figure`, by bucket.
pub async fn of(db: &impl ConnectionTrait, unit: Uuid, figure: &str) -> DomainResult<Vec<(i32, i64)>> {
    Ok(rollup::Entity::find()
        .select_only()
        .column(rollup::Column::Bucket)
        .column(rollup::Column::People)
        .filter(rollup::Column::OrgUnitId.eq(unit))
        .filter(rollup::Column::Figure.eq(figure))
        .into_tuple::<(i32, i64)>()
        .all(db)
        .await?)
}

/// Counts everyone again, in the caller's transaction.
pub async fn rebuild(txn: &impl ConnectionTrait) -> DomainResult<()> {
    Ok(refill(txn).await?)
}

/// Adds (`sign` empty) or takes away (`-`) the counts of `unit` (its subtree's) to or from each
/// unit strictly above it: before a move of the subtree with `-`, after it without.
pub async fn shift_to_ancestors(txn: &impl ConnectionTrait, unit: Uuid, sign: &str) -> DomainResult<()> {
    let backend = txn.get_database_backend();
    let placeholder = if backend == DatabaseBackend::Postgres { "$1" } else { "?" };
    let sql = format!(
        "INSERT INTO people_rollups (org_unit_id, figure, bucket, people) \
         SELECT c.ancestor_id, r.figure, r.bucket, {sign}r.people \
         FROM people_rollups r JOIN org_unit_closure c ON c.descendant_id = r.org_unit_id \
         WHERE r.org_unit_id = {placeholder} AND c.depth > 0 \
         ON CONFLICT (org_unit_id, figure, bucket) DO UPDATE SET people = people_rollups.people + excluded.people"
    );
    if backend == DatabaseBackend::Postgres {
        // The same turn as every other change here (see `apply`).
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({PEOPLE_ROLLUPS_LOCK})")).await?;
    }
    txn.execute_raw(Statement::from_sql_and_values(backend, sql, [unit.into()])).await?;
    if sign == "-" {
        txn.execute_unprepared("DELETE FROM people_rollups WHERE people = 0").await?;
    }
    Ok(())
}
