//! People counted per org unit (`people_rollups`), so a unit's overview reads a few rows of one
//! index instead of counting the people of its whole subtree: each person counts at their home
//! unit and at every unit above it, under
//!
//! - `volunteers_joined`, bucket the month (`year * 12 + month - 1`, in the home unit's time
//!   zone) their volunteer account was created;
//! - `social_workers`, bucket 0, for a social worker's account;
//! - `star_level`, bucket the highest star level recorded for them (anyone with a star award);
//! - `honour:<kind>` (the programme kind, e.g. `honour:star_volunteer`), bucket the year, once
//!   for each published honour they hold.
//!
//! [`refill`] computes them from the people as they are (here, and for `wushe stats rebuild`).

use crate::fk;
use chrono_tz::Tz;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::prelude::{DateTimeUtc, Uuid};
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};
use std::collections::{BTreeMap, HashMap};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A volunteer's account created, by month.
pub const VOLUNTEERS_JOINED: &str = "volunteers_joined";
/// A social worker's account.
pub const SOCIAL_WORKERS: &str = "social_workers";
/// The highest star level recorded for someone, by level.
pub const STAR_LEVEL: &str = "star_level";
/// Published honours of a kind, by year: the figure is this prefix and the kind.
pub const HONOUR_PREFIX: &str = "honour:";

/// The figure of published honours of `kind` (as stored, e.g. `star_volunteer`).
pub fn honour_figure(kind: &str) -> String {
    format!("{HONOUR_PREFIX}{kind}")
}

/// The time zone a unit names, or the city's default (Asia/Shanghai) if it names none.
pub fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::Asia::Shanghai)
}

/// The number of the month `at` falls in, in `zone`.
pub fn month_in(at: DateTimeUtc, zone: Tz) -> i32 {
    use chrono::Datelike as _;
    let local = at.with_timezone(&zone);
    local.year() * 12 + local.month0() as i32
}

/// What a person holds besides their account: their highest star level (0 for none) and their
/// published honours as (kind as stored, year), one entry per honour.
#[derive(Clone, Debug, Default)]
pub struct Held {
    pub star_level: i32,
    pub honours: Vec<(String, i32)>,
}

/// The (figure, bucket) pairs a person counts under, once per pair listed: by role, account
/// creation, star level and honours.
pub fn figures_of(role: &str, created_at: DateTimeUtc, home_zone: Tz, held: &Held) -> Vec<(String, i32)> {
    let mut out = Vec::new();
    match role {
        "volunteer" => out.push((VOLUNTEERS_JOINED.to_string(), month_in(created_at, home_zone))),
        "social_worker" => out.push((SOCIAL_WORKERS.to_string(), 0)),
        _ => {}
    }
    if held.star_level > 0 {
        out.push((STAR_LEVEL.to_string(), held.star_level));
    }
    for (kind, year) in &held.honours {
        out.push((honour_figure(kind), *year));
    }
    out
}

/// Deletes every row and counts everyone again: reads the units, the tree, the people with a
/// home unit and their highest star levels, and writes the sums in large inserts.
pub async fn refill(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let all = |sql: &str| db.query_all_raw(Statement::from_string(backend, sql.to_string()));
    db.execute_unprepared("DELETE FROM people_rollups").await?;
    let mut zones: HashMap<Uuid, Tz> = HashMap::new();
    for r in all("SELECT id, time_zone FROM org_units").await? {
        zones.insert(r.try_get("", "id")?, zone(&r.try_get::<String>("", "time_zone")?));
    }
    let mut above: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for r in all("SELECT ancestor_id, descendant_id FROM org_unit_closure").await? {
        above.entry(r.try_get("", "descendant_id")?).or_default().push(r.try_get("", "ancestor_id")?);
    }
    let mut held: HashMap<Uuid, Held> = HashMap::new();
    for r in all("SELECT volunteer_id, MAX(level) AS level FROM star_awards GROUP BY volunteer_id").await? {
        held.entry(r.try_get("", "volunteer_id")?).or_default().star_level = r.try_get("", "level")?;
    }
    for r in all("SELECT recipient_id, kind, year FROM honours WHERE status = 'published'").await? {
        let h = held.entry(r.try_get("", "recipient_id")?).or_default();
        h.honours.push((r.try_get("", "kind")?, r.try_get("", "year")?));
    }
    let none = Held::default();
    let mut sums: BTreeMap<(Uuid, String, i32), i64> = BTreeMap::new();
    for r in all("SELECT id, role, org_unit_id, created_at FROM users WHERE org_unit_id IS NOT NULL").await? {
        let (id, unit): (Uuid, Uuid) = (r.try_get("", "id")?, r.try_get("", "org_unit_id")?);
        let role: String = r.try_get("", "role")?;
        let created_at: DateTimeUtc = r.try_get("", "created_at")?;
        let home_zone = zones.get(&unit).copied().unwrap_or(chrono_tz::Asia::Shanghai);
        for (figure, bucket) in figures_of(&role, created_at, home_zone, held.get(&id).unwrap_or(&none)) {
            for a in above.get(&unit).into_iter().flatten() {
                *sums.entry((*a, figure.clone(), bucket)).or_default() += 1;
            }
        }
    }
    let rows: Vec<_> = sums.into_iter().collect();
    for chunk in rows.chunks(4000) {
        let mut insert = Query::insert();
        insert.into_table("people_rollups").columns(["org_unit_id", "figure", "bucket", "people"]);
        for ((unit, figure, bucket), people) in chunk {
            insert.values_panic([(*unit).into(), figure.clone().into(), (*bucket).into(), (*people).into()]);
        }
        db.execute(&insert).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("people_rollups")
                    .col(uuid("org_unit_id"))
                    .col(string_len("figure", 64))
                    .col(integer("bucket"))
                    .col(big_integer("people"))
                    // A unit's figures together, buckets in order (a span of months is a range).
                    .primary_key(Index::create().col("org_unit_id").col("figure").col("bucket"))
                    .foreign_key(&mut fk("people_rollups", "org_unit_id", "org_units", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        refill(manager.get_connection()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("people_rollups").to_owned()).await
    }
}
