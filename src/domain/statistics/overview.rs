//! The other figures of a unit over a span of months, besides hours: volunteers active (served
//! in the span), new and by star level; social workers by verified qualification level, by the
//! registration of its certificate and by continuing-education standing;
//! mentoring pairs active and graduated, sessions logged; honours by kind and year; tasks held
//! and their fill rate.
//!
//! Active volunteers are read from their rollups ([`super::active_volunteers`]), new volunteers
//! (by the month joined, in their home unit's time zone), social workers and star levels from
//! the people's ([`super::people_rollups`]), as are published honours: a few rows, whatever the
//! subtree. The rest are aggregate queries, not rollups: each is one grouped or
//! counting statement over indexed columns (the unit's subtree through the closure table, people
//! by home unit, tasks by unit), or reads a few small rows per person (star awards, verified
//! level credentials, approved CE entries) and groups them here.

use super::active_volunteers::month_number;
use super::hours::{MonthSpan, month_span};
use super::{people_rollups, scope};
use crate::config::TalentConfig;
use crate::domain::DomainResult;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::org_units::subtree_ids;
use crate::domain::kernel::time;
use crate::domain::talent::credentials::{LEVEL_KINDS, level_of};
use crate::domain::talent::learning;
use crate::domain::talent::registration::{self, RegistrationState};
use chrono::{DateTime, Months, NaiveDate, Utc};
use entity::credential::{self, CredentialStatus};
use entity::honour_programme::ProgrammeKind;
use entity::learning_entry::{self, LearningSource, LearningStatus};
use entity::mentoring_pairing::{self as pairing, PairingStatus};
use entity::mentoring_session as session;
use entity::org_unit;
use entity::social_worker_profile::QualificationLevel;
use entity::task::{self, TaskStatus};
use entity::user::{self, Role};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, QueryTrait,
};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Volunteers of a unit.
#[derive(Clone, Debug, Default)]
pub struct Volunteers {
    /// Volunteers with approved service recorded in the subtree in the span.
    pub active: u64,
    /// Volunteer accounts of the subtree created in the span.
    pub new: u64,
    /// Volunteers of the subtree by the highest star level reached, level ascending.
    pub by_star_level: Vec<(i32, u64)>,
}

/// Social workers of a unit.
#[derive(Clone, Debug, Default)]
pub struct SocialWorkers {
    pub total: u64,
    /// By the highest verified, unexpired national level held today (`None`: none held).
    pub by_verified_level: Vec<(Option<QualificationLevel>, u64)>,
    /// Holders of a level by the registration (登记) of its certificate; states nobody is in are
    /// left out.
    pub by_registration: Vec<(RegistrationState, u64)>,
    pub continuing_education: ContinuingEducation,
}

/// Social workers by continuing education in their current registration period.
#[derive(Clone, Debug, Default)]
pub struct ContinuingEducation {
    /// Holding a level, and its required CE hours completed.
    pub on_track: u64,
    /// Holding a level, and short of its required CE hours.
    pub behind: u64,
    /// No verified level: nothing required.
    pub without_level: u64,
}

/// Mentoring pairs with the mentor or the mentee in the subtree.
#[derive(Clone, Debug, Default)]
pub struct Mentoring {
    /// Active now.
    pub active_pairs: u64,
    /// Graduated in the span.
    pub graduated_pairs: u64,
    /// Session logs of such pairs held in the span.
    pub sessions_logged: u64,
}

/// Tasks of the subtree starting in the span (published or completed; drafts and cancelled
/// tasks were not held).
#[derive(Clone, Debug, Default)]
pub struct Tasks {
    pub held: u64,
    pub seats: i64,
    pub filled: i64,
}

/// The figures of one unit.
#[derive(Clone, Debug)]
pub struct Overview {
    pub unit: org_unit::Model,
    pub span: MonthSpan,
    pub volunteers: Volunteers,
    pub social_workers: SocialWorkers,
    pub mentoring: Mentoring,
    /// Published honours of people of the subtree: (kind, year, count), by kind then year.
    pub honours: Vec<(ProgrammeKind, i32, u64)>,
    pub tasks: Tasks,
}

/// People whose home unit lies in `root`'s subtree.
fn people_under(root: Uuid, role: Option<Role>) -> SelectStatement {
    let mut q = Query::select();
    q.column(user::Column::Id).from(user::Entity).and_where(user::Column::OrgUnitId.in_subquery(subtree_ids(root)));
    if let Some(r) = role {
        q.and_where(user::Column::Role.eq(r));
    }
    q.to_owned()
}

/// The figures of a unit in the viewer's scope over a span of months (defaults as for hours).
pub async fn overview(
    db: &impl ConnectionTrait,
    cfg: &TalentConfig,
    actor: &Actor,
    now: DateTime<Utc>,
    unit: Option<Uuid>,
    from: Option<&str>,
    to: Option<&str>,
) -> DomainResult<Overview> {
    let unit = scope::unit_in_scope(db, actor, unit).await?;
    let today = time::local_date(now, &unit.time_zone);
    let span = month_span(from, to, today)?;
    let (first_day, after_last) = (span.from, span.to + Months::new(1));
    let zone = time::zone(&unit.time_zone);
    let (start, end) = (time::start_of_day(first_day, zone), time::start_of_day(after_last, zone));
    let root = unit.id;

    let active = super::active_volunteers::active_in(db, root, &span).await?;
    let (first_month, last_month) = (month_number(span.from), month_number(span.to));
    let new: i64 = people_rollups::of(db, root, people_rollups::VOLUNTEERS_JOINED)
        .await?
        .into_iter()
        .filter(|(month, _)| (first_month..=last_month).contains(month))
        .map(|(_, n)| n)
        .sum();
    let mut by_star: Vec<(i32, u64)> = people_rollups::of(db, root, people_rollups::STAR_LEVEL)
        .await?
        .into_iter()
        .map(|(level, n)| (level, u64::try_from(n).unwrap_or(0)))
        .collect();
    by_star.sort_unstable();

    let social_workers = social_workers(db, cfg, root, today).await?;

    let in_scope = Condition::any()
        .add(pairing::Column::MentorId.in_subquery(people_under(root, None)))
        .add(pairing::Column::MenteeId.in_subquery(people_under(root, None)));
    let active_pairs = pairing::Entity::find()
        .filter(in_scope.clone())
        .filter(pairing::Column::Status.eq(PairingStatus::Active))
        .count(db)
        .await?;
    let graduated_pairs = pairing::Entity::find()
        .filter(in_scope.clone())
        .filter(pairing::Column::GraduatedAt.gte(start))
        .filter(pairing::Column::GraduatedAt.lt(end))
        .count(db)
        .await?;
    let pairs = pairing::Entity::find().select_only().column(pairing::Column::Id).filter(in_scope).into_query();
    let sessions_logged = session::Entity::find()
        .filter(session::Column::PairingId.in_subquery(pairs))
        .filter(session::Column::HeldAt.gte(start))
        .filter(session::Column::HeldAt.lt(end))
        .count(db)
        .await?;

    let mut honours: Vec<(ProgrammeKind, i32, u64)> = people_rollups::honours_of(db, root)
        .await?
        .into_iter()
        .filter_map(|(kind, year, n)| {
            Some((<ProgrammeKind as sea_orm::ActiveEnum>::try_from_value(&kind).ok()?, year, u64::try_from(n).ok()?))
        })
        .collect();
    honours.sort_by_key(|(k, y, _)| (format!("{k:?}"), *y));

    let (held, seats, filled) = task::Entity::find()
        .select_only()
        .expr(Expr::col(task::Column::Id).count())
        .expr(Expr::col(task::Column::Capacity).sum())
        .expr(Expr::col(task::Column::Filled).sum())
        .filter(task::Column::OrgUnitId.in_subquery(subtree_ids(root)))
        .filter(task::Column::Status.is_in([TaskStatus::Published, TaskStatus::Completed]))
        .filter(task::Column::StartsAt.gte(start))
        .filter(task::Column::StartsAt.lt(end))
        .into_tuple::<(i64, Option<i64>, Option<i64>)>()
        .one(db)
        .await?
        .unwrap_or((0, None, None));

    Ok(Overview {
        unit,
        span,
        volunteers: Volunteers { active, new: u64::try_from(new).unwrap_or(0), by_star_level: by_star },
        social_workers,
        mentoring: Mentoring { active_pairs, graduated_pairs, sessions_logged },
        honours,
        tasks: Tasks { held: u64::try_from(held).unwrap_or(0), seats: seats.unwrap_or(0), filled: filled.unwrap_or(0) },
    })
}

/// Social workers of the subtree by the highest verified national level unexpired on `today`
/// (the level panels and mentoring rely on; the level a profile states is not counted), by the
/// registration of that level's certificate (the latest issued), and by continuing education in
/// its registration period. `today` is the unit's: registrations are counted in days.
async fn social_workers(
    db: &impl ConnectionTrait,
    cfg: &TalentConfig,
    root: Uuid,
    today: NaiveDate,
) -> DomainResult<SocialWorkers> {
    let total: i64 =
        people_rollups::of(db, root, people_rollups::SOCIAL_WORKERS).await?.into_iter().map(|(_, n)| n).sum();
    let total = u64::try_from(total).unwrap_or(0);
    let held = credential::Entity::find()
        .filter(credential::Column::HolderId.in_subquery(people_under(root, Some(Role::SocialWorker))))
        .filter(credential::Column::Status.eq(CredentialStatus::Verified))
        .filter(credential::Column::Kind.is_in(LEVEL_KINDS.iter().map(|(k, _)| *k)))
        .filter(
            Condition::any().add(credential::Column::ExpiresOn.is_null()).add(credential::Column::ExpiresOn.gte(today)),
        )
        .all(db)
        .await?;
    // Each holder's highest level, and of that level the certificate issued last.
    let mut best: HashMap<Uuid, (QualificationLevel, credential::Model)> = HashMap::new();
    for c in held {
        let Some(level) = level_of(&c.kind) else { continue };
        let better = best.get(&c.holder_id).is_none_or(|(l, b)| (level, c.issued_on) > (*l, b.issued_on));
        if better {
            best.insert(c.holder_id, (level, c));
        }
    }
    let mut by_level = vec![(None, total.saturating_sub(best.len() as u64))];
    for (_, level) in LEVEL_KINDS {
        by_level.push((Some(level), best.values().filter(|(l, _)| *l == level).count() as u64));
    }

    // Approved CE entries of the holders, for their periods.
    let entries = learning_entry::Entity::find()
        .filter(learning_entry::Column::PersonId.in_subquery(people_under(root, Some(Role::SocialWorker))))
        .filter(learning_entry::Column::CountsAsCe.eq(true))
        .filter(learning_entry::Column::Status.eq(LearningStatus::Approved))
        .all(db)
        .await?;
    let mut learned: HashMap<Uuid, Vec<learning_entry::Model>> = HashMap::new();
    for e in entries {
        learned.entry(e.person_id).or_default().push(e);
    }
    let mut by_registration: BTreeMap<u8, (RegistrationState, u64)> = BTreeMap::new();
    let mut ce = ContinuingEducation::default();
    for (holder, (level, c)) in &best {
        let Some(r) = registration::registration(cfg, c, today) else { continue };
        by_registration.entry(registration_order(r.state)).or_insert((r.state, 0)).1 += 1;
        let mut completed = 0i64;
        let mut degree_counted = false;
        for e in learned.get(holder).into_iter().flatten() {
            if e.completed_on < r.period_start || e.completed_on >= r.period_end {
                continue;
            }
            // A degree counts once per period, as a fixed number of hours (as in `learning`).
            if e.source == LearningSource::Degree {
                if !degree_counted {
                    completed += i64::from(cfg.degree_hours) * 60;
                    degree_counted = true;
                }
            } else {
                completed += i64::from(e.minutes);
            }
        }
        if completed >= learning::required_minutes(cfg, Some(*level)) {
            ce.on_track += 1;
        } else {
            ce.behind += 1;
        }
    }
    ce.without_level = total.saturating_sub(ce.on_track + ce.behind);
    Ok(SocialWorkers {
        total,
        by_verified_level: by_level,
        by_registration: by_registration.into_values().collect(),
        continuing_education: ce,
    })
}

/// The order registration states are listed in, from the first step to the last.
fn registration_order(s: RegistrationState) -> u8 {
    match s {
        RegistrationState::Unregistered => 0,
        RegistrationState::Overdue => 1,
        RegistrationState::Registered => 2,
        RegistrationState::RenewalOpen => 3,
        RegistrationState::Lapsed => 4,
    }
}
