//! Mentoring (社工+志愿者, 传帮带): a social worker takes a volunteer under their wing. Pairings
//! from proposal to end, their goals, session logs with the mentee's acknowledgement, graduation,
//! mentoring records, and what station administrators oversee.
//!
//! Tables: `mentoring_pairings`, `mentor_loads`, `mentoring_sessions`. Where to look: pairings
//! and mentor loads in [`pairings`], goals, progress and graduation in [`progress`], session logs
//! in [`sessions`], records and personal data in [`records`], oversight, the overview and the cron
//! scans in [`oversight`], matching help in [`suggestions`], the pair's message thread in
//! [`threads`]. This module keeps what they share: the limits, who may mentor, and how an actor
//! stands to a pairing.
//!
//! Rules (defaults in `config::MentoringConfig`):
//! - Only a social worker may mentor, and only one holding a verified, unexpired credential of at
//!   least `mentor_level` (any certified level by default; a level declared on a profile does
//!   not count): [`may_mentor`], checked at the proposal and again when the pairing activates.
//!   Only a volunteer is mentored, both active, both in the same station subtree unless a city
//!   administrator pairs across stations.
//! - A pairing is proposed by a station administrator or by the social worker themselves; the
//!   other side (both sides, when an administrator proposed it) accepts or declines: `proposed →
//!   active → ended` (with a reason) or `proposed → declined`. Ended pairings stay as history.
//! - A mentor holds at most `max_mentees` (8) active mentees: a conditional `UPDATE mentor_loads
//!   SET active_mentees = active_mentees + 1 WHERE … AND active_mentees < cap` at activation.
//!   A volunteer has at most one active mentor: the unique `active_mentee_id` column.
//! - Session logs: by the mentor of an active pairing; 1 to 720 minutes, not in the future; the
//!   mentee acknowledges or disputes (disputes go to the station administrators); one reminder
//!   after `ack_reminder_days` (3); append-only once answered (a correction is a new log naming
//!   the one it corrects, and an acknowledged correction replaces it in totals).
//! - Graduation: `graduation_sessions` (6) acknowledged sessions and `graduation_hours` (20)
//!   approved service hours since activation, recorded once on the pairing.
//! - Notes and logs are visible to the pair and administrators in scope only.

pub mod oversight;
pub mod pairings;
pub mod progress;
pub mod records;
pub mod sessions;
pub mod suggestions;
pub mod threads;

use crate::config::MentoringConfig;
use crate::domain::kernel::actor::Actor;
use crate::domain::messaging::notifications::{Category, Message};
use crate::domain::talent::credentials;
use crate::domain::{DomainError, DomainResult, both, kernel::org_units};
use chrono::{DateTime, Utc};
use entity::mentoring_pairing as pairing;
use entity::user::{self, Role, UserStatus};
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

/// The longest session, in minutes (12 hours).
pub const MAX_SESSION_MINUTES: i32 = 12 * 60;
/// Goals per pairing.
pub const MAX_GOALS: usize = 10;
/// Characters of one goal.
pub const MAX_GOAL_LEN: usize = 100;
/// Topic tags per session.
pub const MAX_TOPICS: usize = 10;
/// Characters of one topic tag.
pub const MAX_TOPIC_LEN: usize = 32;

/// Whether `person` may mentor: an active social worker (else 400 `mentor_not_social_worker`)
/// holding a verified, unexpired credential of at least the configured level (else 422
/// `mentor_not_qualified`).
pub async fn may_mentor(
    db: &impl ConnectionTrait,
    cfg: &MentoringConfig,
    person: &user::Model,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    if person.role != Role::SocialWorker || person.status != UserStatus::Active {
        return Err(DomainError::invalid("mentor_not_social_worker", "the mentor must be an active social worker"));
    }
    if !credentials::holds_level(db, person, cfg.mentor_level, now).await? {
        return Err(DomainError::Unprocessable {
            code: "mentor_not_qualified",
            detail: both(
                "the mentor needs a verified, unexpired social-work credential of the required level",
                "督导社工须持有经核验且在有效期内的相应等级社工证书",
            ),
        });
    }
    Ok(())
}

/// How the actor stands to a pairing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Mentor,
    Mentee,
    /// An administrator whose scope holds the mentor's or the mentee's home unit.
    Admin,
}

async fn person(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<user::Model> {
    user::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("person"))
}

/// The station a unit belongs to (the unit itself when it lies under no station).
async fn home_station(db: &impl ConnectionTrait, unit: Option<Uuid>) -> DomainResult<Option<Uuid>> {
    match unit {
        Some(u) => Ok(Some(org_units::station_of(db, u).await?.unwrap_or(u))),
        None => Ok(None),
    }
}

/// How `actor` stands to `p`, if at all.
pub async fn access(db: &impl ConnectionTrait, actor: &Actor, p: &pairing::Model) -> DomainResult<Option<Access>> {
    if actor.user_id == p.mentor_id {
        return Ok(Some(Access::Mentor));
    }
    if actor.user_id == p.mentee_id {
        return Ok(Some(Access::Mentee));
    }
    if !actor.role.is_admin() {
        return Ok(None);
    }
    for id in [p.mentor_id, p.mentee_id] {
        let u = person(db, id).await?;
        if actor.covers_unit(db, u.org_unit_id).await? {
            return Ok(Some(Access::Admin));
        }
    }
    Ok(None)
}

/// A pairing the actor may see, and how they stand to it; 404 otherwise.
pub async fn visible(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<(pairing::Model, Access)> {
    let p = pairing::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("pairing"))?;
    match access(db, actor, &p).await? {
        Some(a) => Ok((p, a)),
        None => Err(DomainError::not_found("pairing")),
    }
}

fn tell_about(recipient: Uuid, p: &pairing::Model, template: &str, key: &str) -> Message {
    Message::new(recipient, Category::Mentoring, template, format!("pairing:{}:{key}", p.id)).data("pairingId", p.id)
}
