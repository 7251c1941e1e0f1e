//! Matching help: social workers who could take a volunteer, ranked by station, shared skills and
//! free places, and why.

use crate::config::MentoringConfig;
use crate::domain::kernel::actor::Actor;
use crate::domain::mentoring::{home_station, may_mentor};
use crate::domain::{DomainError, DomainResult, kernel::org_units, people::users};
use chrono::{DateTime, Utc};
use entity::mentor_load;
use entity::mentoring_pairing::{self as pairing};
use entity::user::{self, Role, UserStatus};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::HashMap;
use uuid::Uuid;

/// A social worker who could take a volunteer, and why.
#[derive(Clone, Debug)]
pub struct Suggestion {
    pub mentor: user::Model,
    pub active_mentees: i32,
    pub free_places: i32,
    /// Skills the mentor and the volunteer share, sorted.
    pub shared_skills: Vec<String>,
    /// Why, in order: station, shared skills, load.
    pub reasons: Vec<String>,
}

/// Ranks the social workers who could mentor `volunteer_id` (an administrator in scope): active
/// social workers of the volunteer's station subtree who may mentor (a verified credential of
/// the configured level) with a free place, most shared skills first, then fewest current
/// mentees. 409 `not_a_volunteer` for anyone else.
pub async fn suggestions(
    db: &impl ConnectionTrait,
    cfg: &MentoringConfig,
    actor: &Actor,
    now: DateTime<Utc>,
    volunteer_id: Uuid,
    limit: usize,
) -> DomainResult<Vec<Suggestion>> {
    actor.require_admin()?;
    let volunteer = users::get_visible(db, actor, volunteer_id).await?.user;
    if volunteer.role != Role::Volunteer {
        return Err(DomainError::invalid("mentee_not_volunteer", "suggestions are for volunteers"));
    }
    let Some(station) = home_station(db, volunteer.org_unit_id).await? else { return Ok(Vec::new()) };
    let candidates = user::Entity::find()
        .filter(user::Column::Role.eq(Role::SocialWorker))
        .filter(user::Column::Status.eq(UserStatus::Active))
        .filter(user::Column::OrgUnitId.in_subquery(org_units::subtree_ids(station)))
        .all(db)
        .await?;
    let mut qualified = Vec::with_capacity(candidates.len());
    for c in candidates {
        match may_mentor(db, cfg, &c, now).await {
            Ok(()) => qualified.push(c),
            Err(DomainError::Unprocessable { .. } | DomainError::Invalid { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    let candidates = qualified;
    let ids: Vec<Uuid> = candidates.iter().map(|c| c.id).collect();
    let loads: HashMap<Uuid, i32> = mentor_load::Entity::find()
        .filter(mentor_load::Column::MentorId.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.mentor_id, l.active_mentees))
        .collect();
    let skills_of = |who: Vec<Uuid>| async move {
        let rows =
            entity::user_skill::Entity::find().filter(entity::user_skill::Column::UserId.is_in(who)).all(db).await?;
        let mut map: HashMap<Uuid, Vec<String>> = HashMap::new();
        for r in rows {
            map.entry(r.user_id).or_default().push(r.skill);
        }
        Ok::<_, DomainError>(map)
    };
    let wanted = skills_of(vec![volunteer.id]).await?.remove(&volunteer.id).unwrap_or_default();
    let offered = skills_of(ids).await?;
    let current = pairing::Entity::find()
        .filter(pairing::Column::ActiveMenteeId.eq(volunteer.id))
        .one(db)
        .await?
        .map(|p| p.mentor_id);
    let cap = cfg.max_mentees as i32;
    let mut out: Vec<Suggestion> = candidates
        .into_iter()
        .filter(|c| Some(c.id) != current)
        .filter_map(|mentor| {
            let active = loads.get(&mentor.id).copied().unwrap_or(0);
            if active >= cap {
                return None;
            }
            let mut shared: Vec<String> = offered
                .get(&mentor.id)
                .map(|s| s.iter().filter(|k| wanted.contains(k)).cloned().collect())
                .unwrap_or_default();
            shared.sort();
            let mut reasons = vec!["same station as the volunteer".to_string()];
            if !shared.is_empty() {
                reasons.push(format!("shares skills: {}", shared.join(", ")));
            }
            reasons.push(format!("{active} active mentees, {} places free", cap - active));
            Some(Suggestion {
                mentor,
                active_mentees: active,
                free_places: cap - active,
                shared_skills: shared,
                reasons,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.shared_skills
            .len()
            .cmp(&a.shared_skills.len())
            .then(a.active_mentees.cmp(&b.active_mentees))
            .then(a.mentor.id.cmp(&b.mentor.id))
    });
    out.truncate(limit);
    Ok(out)
}
