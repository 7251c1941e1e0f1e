//! `wushe seed-city --scale N`: a realistic city for measuring the service at size, written in
//! bulk (multi-row `INSERT`s in large batches, many to a transaction) with a progress bar.
//!
//! One scale unit is a Suzhou: 100 town stations and 2,200 community rooms under districts
//! under a city centre, 20,000 social workers and volunteers, 10,000 tasks over a year (two
//! thirds past, completed, with attendance and hours; the rest published, with seats taken),
//! 200,000 hours entries, 200,000 inbox messages, 500 mentoring pairs and three years of award
//! programmes with their nominations and honours. Everything lies inside Suzhou's extent, so a
//! larger scale is a denser city.
//!
//! The data keeps the domain's rules: hours only for sign-ups that checked in and out of a
//! task that ended (no-shows have none), nobody booked twice on one day, phone and volunteer
//! numbers unique, star awards (and their automatic honours) exactly the levels each approved
//! total reaches, one active mentor per volunteer with mentor loads matching, a task's `filled`
//! equal to its confirmed sign-ups. Every account shares one password, hashed once.
//!
//! The same `--seed` and the same clock give the same city. It refuses a database that already
//! has people unless forced. Tables: everything above (`org_units`, `org_unit_closure`, `users`,
//! profiles, `tasks`, `signups`, `attendance`, `hours_entries`, `star_awards`, `notifications`,
//! `mentoring_pairings`, `mentor_loads`, `honour_programmes`, `honour_nominations`,
//! `honour_quota_uses`, `honours`).

mod city;
mod extras;
mod service;
mod writer;

use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::user;
use rand::SeedableRng;
use rand::rngs::StdRng;
use sea_orm::{DbErr, EntityTrait, PaginatorTrait};
use std::time::{Duration, Instant};
use uuid::Uuid;
pub use writer::thousands;

/// The password of every seeded account.
pub const CITY_PASSWORD: &str = "wushe-city-2026";

/// What to build.
#[derive(Clone, Debug)]
pub struct Options {
    /// 1.0 is one Suzhou; fractions make a smaller city (at least one of each unit).
    pub scale: f64,
    /// Seeds the random choices: the same seed and clock give the same city.
    pub seed: u64,
    /// Add to a database that already has people.
    pub force: bool,
    /// No progress bar.
    pub quiet: bool,
}

/// How many of each thing a scale makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    pub districts: usize,
    pub stations: usize,
    pub rooms: usize,
    pub social_workers: usize,
    pub volunteers: usize,
    pub tasks: usize,
    pub hours_entries: usize,
    pub inbox: usize,
    pub pairs: usize,
}

impl Sizes {
    /// The sizes of `scale` Suzhous.
    pub fn of(scale: f64) -> Sizes {
        let n = |per_unit: f64, least: usize| ((per_unit * scale).round() as usize).max(least);
        let people = n(20_000.0, 20);
        let social_workers = (people / 10).max(2);
        Sizes {
            districts: n(10.0, 1),
            stations: n(100.0, 1),
            rooms: n(2_200.0, 2),
            social_workers,
            volunteers: people - social_workers,
            tasks: n(10_000.0, 3),
            hours_entries: n(200_000.0, 1),
            inbox: n(200_000.0, 1),
            pairs: n(500.0, 1).min(people - social_workers),
        }
    }
}

/// What was written and how long it took.
#[derive(Clone, Debug)]
pub struct Report {
    pub sizes: Sizes,
    pub rows: u64,
    pub elapsed: Duration,
    /// A city administrator's phone, to sign in with [`CITY_PASSWORD`].
    pub admin_phone: String,
}

/// Why the city was not built.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("the database already has {0} people; pass --force to add a city to it")]
    NotEmpty(u64),
    #[error("the scale must be between 0.001 and 100")]
    BadScale,
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("{0}")]
    Other(String),
}

/// Builds the city.
pub async fn run(state: &AppState, opts: &Options) -> Result<Report, SeedError> {
    if !(0.001..=100.0).contains(&opts.scale) {
        return Err(SeedError::BadScale);
    }
    let db = &state.db;
    let people = user::Entity::find().count(db).await?;
    if people > 0 && !opts.force {
        return Err(SeedError::NotEmpty(people));
    }
    let started = Instant::now();
    let sizes = Sizes::of(opts.scale);
    let hash = state.hasher.hash(CITY_PASSWORD).await.map_err(|e| SeedError::Other(e.to_string()))?;
    let mut g = Gen { rng: StdRng::seed_from_u64(opts.seed), now: state.clock.now(), salt: opts.seed };
    let mut w = writer::Writer::new(db, estimate_rows(&sizes), opts.quiet);
    let city = city::build(&mut g, &mut w, &sizes, &hash).await?;
    let served = service::build(&mut g, &mut w, &sizes, &city, &state.config.star_thresholds_hours).await?;
    extras::build(&mut g, &mut w, &sizes, &city, &served, state).await?;
    w.finish();
    // The ledger went in directly: its per-period sums and its rollups by unit are computed from
    // it once.
    crate::domain::volunteering::hours_totals::rebuild(db).await.map_err(|e| SeedError::Other(e.to_string()))?;
    crate::domain::statistics::rebuild(db).await.map_err(|e| SeedError::Other(e.to_string()))?;
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        // Visibility map and fresh statistics, as autovacuum would give a loaded city after a
        // while (index-only scans need the first).
        use sea_orm::ConnectionTrait;
        db.execute_unprepared("VACUUM (ANALYZE)").await?;
    }
    // The tasks went in behind the API: browse models (this process's, and every server's
    // through Redis) are rebuilt. A server on the embedded setup hears nothing: restart it.
    state.browse.changed_all(db).await;
    Ok(Report { sizes, rows: w.rows(), elapsed: started.elapsed(), admin_phone: city.admin_phone.clone() })
}

/// Rows the progress bar expects.
fn estimate_rows(s: &Sizes) -> u64 {
    let units = 1 + s.districts + s.stations + s.rooms;
    let people = s.social_workers + s.volunteers;
    // Closure rows, people and profiles, tasks, sign-ups with attendance and hours, inbox.
    (units * 4 + people * 2 + s.tasks + s.hours_entries * 3 + s.tasks * 5 + s.inbox + s.pairs * 2) as u64
}

/// Deterministic randomness and the clock the city is built at.
pub(crate) struct Gen {
    pub rng: StdRng,
    pub now: DateTime<Utc>,
    /// Mixes the seed into numbers that must be unique (phones, volunteer numbers).
    pub salt: u64,
}

impl Gen {
    /// A time-ordered id (UUIDv7) for something created at `at`, from the seeded randomness.
    pub fn id(&mut self, at: DateTime<Utc>) -> Uuid {
        use rand::Rng;
        let bytes: [u8; 10] = self.rng.random();
        uuid::Builder::from_unix_timestamp_millis(at.timestamp_millis().max(0) as u64, &bytes).into_uuid()
    }

    /// A uniform number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        use rand::Rng;
        self.rng.random::<f64>()
    }

    /// A uniform index below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        use rand::Rng;
        self.rng.random_range(0..n.max(1))
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}
