//! One's own account and profile: editing it (name, time zone, service area, skills, bio, the
//! social worker's details) and changing one's password.

use crate::auth::password::PasswordHasher;
use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::geo::validate_lat_lng;
use crate::domain::kernel::time::validate_time_zone;
use crate::domain::people::sessions;
use crate::domain::people::users::{Profile, blank_volunteer_profile, load_profile, require_unit, validate_password};
use crate::domain::{DomainError, DomainResult, required_text};
use chrono::{DateTime, NaiveDate, Utc};
use entity::user::{self, Locale, Role};
use entity::user_skill;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
};
use uuid::Uuid;

/// Most skills a person may list.
pub const MAX_SKILLS: usize = 20;
/// Longest skill tag.
pub const MAX_SKILL_LEN: usize = 32;

/// Where a volunteer is willing to serve: a centre and a radius.
#[derive(Clone, Copy, Debug)]
pub struct ServiceArea {
    pub lat: f64,
    pub lng: f64,
    pub radius_km: f64,
}

/// Changes a person makes to their own profile. Role, status and (for anyone but a volunteer)
/// home unit are not among them.
#[derive(Default)]
pub struct MePatch {
    pub name: Option<String>,
    pub locale: Option<Locale>,
    pub time_zone: Option<String>,
    pub org_unit_id: Option<Option<Uuid>>,
    pub skills: Option<Vec<String>>,
    pub bio: Option<Option<String>>,
    pub service_area: Option<Option<ServiceArea>>,
    pub front_line_since: Option<Option<NaiveDate>>,
}

/// Normalises skill tags: trimmed, lower-case, unique, bounded.
pub fn normalize_skills(skills: &[String]) -> DomainResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for s in skills {
        let t = s.trim().to_lowercase();
        if t.is_empty() || t.chars().count() > MAX_SKILL_LEN {
            return Err(DomainError::validation(format!("each skill must be 1 to {MAX_SKILL_LEN} characters")));
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    if out.len() > MAX_SKILLS {
        return Err(DomainError::validation(format!("at most {MAX_SKILLS} skills")));
    }
    out.sort();
    Ok(out)
}

/// A person edits their own profile.
pub async fn update_me(
    db: &DatabaseConnection,
    me: &Actor,
    now: DateTime<Utc>,
    patch: MePatch,
) -> DomainResult<Profile> {
    let skills = patch.skills.as_deref().map(normalize_skills).transpose()?;
    if let Some(Some(area)) = patch.service_area {
        validate_lat_lng(Some(area.lat), Some(area.lng))?;
        if !(area.radius_km > 0.0 && area.radius_km <= 200.0) {
            return Err(DomainError::validation("service area radius must be above 0 and at most 200 km"));
        }
    }
    if let Some(tz) = &patch.time_zone {
        validate_time_zone(tz)?;
    }
    if patch.org_unit_id.is_some() && me.role != Role::Volunteer {
        return Err(DomainError::forbidden("only an administrator can move a social worker or administrator"));
    }
    write(db, async |txn| {
        let before = load_profile(txn, me.user_id).await?;
        crate::auth::session_cache::person_changed(me.user_id);
        let mut am = before.user.clone().into_active_model();
        if let Some(name) = &patch.name {
            am.name = Set(required_text("name", name)?);
        }
        if let Some(l) = patch.locale {
            am.locale = Set(l);
        }
        if let Some(tz) = &patch.time_zone {
            am.time_zone = Set(tz.clone());
        }
        if let Some(unit) = patch.org_unit_id {
            if let Some(u) = unit {
                require_unit(txn, u, "orgUnitId").await?;
            }
            am.org_unit_id = Set(unit);
        }
        am.updated_at = Set(now);
        let after = am.update(txn).await?;
        crate::domain::registry::person_changed(txn, &before.user, &after).await?;

        if patch.bio.is_some() || patch.service_area.is_some() {
            let mut vp = match before.volunteer.clone() {
                Some(v) => v.into_active_model(),
                None => blank_volunteer_profile(me.user_id, now),
            };
            if let Some(bio) = &patch.bio {
                vp.bio = Set(bio.as_ref().map(|b| b.trim().to_string()).filter(|b| !b.is_empty()));
            }
            if let Some(area) = patch.service_area {
                vp.service_lat = Set(area.map(|a| a.lat));
                vp.service_lng = Set(area.map(|a| a.lng));
                vp.service_radius_km = Set(area.map(|a| a.radius_km));
            }
            vp.updated_at = Set(now);
            match before.volunteer {
                Some(_) => vp.update(txn).await?,
                None => vp.insert(txn).await?,
            };
        }
        if let Some(since) = patch.front_line_since {
            let Some(sw) = before.social_worker.clone() else {
                return Err(DomainError::invalid(
                    "not_a_social_worker",
                    "only social workers have a front-line start date",
                ));
            };
            let mut s = sw.into_active_model();
            s.front_line_since = Set(since);
            s.updated_at = Set(now);
            s.update(txn).await?;
        }
        if let Some(skills) = &skills {
            user_skill::Entity::delete_many().filter(user_skill::Column::UserId.eq(me.user_id)).exec(txn).await?;
            if !skills.is_empty() {
                user_skill::Entity::insert_many(
                    skills.iter().map(|s| user_skill::ActiveModel { user_id: Set(me.user_id), skill: Set(s.clone()) }),
                )
                .exec_without_returning(txn)
                .await?;
            }
        }
        Ok::<_, DomainError>(())
    })
    .await?;
    load_profile(db, me.user_id).await
}

/// Changes a person's own password: the current one is required, every other session ends, and
/// the token version moves on so older access tokens stop working.
pub async fn change_password(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    me: &Actor,
    session_id: Uuid,
    now: DateTime<Utc>,
    current: &str,
    new: &str,
) -> DomainResult<user::Model> {
    validate_password(new)?;
    let user = user::Entity::find_by_id(me.user_id).one(db).await?.ok_or(DomainError::not_found("person"))?;
    if !hasher.verify(current, Some(&user.password_hash)).await {
        return Err(DomainError::invalid("wrong_password", "the current password is wrong"));
    }
    let hash = hasher.hash(new).await.map_err(|e| DomainError::Internal(e.to_string()))?;
    write(db, async |txn| {
        crate::auth::session_cache::person_changed(me.user_id);
        let mut am = user.clone().into_active_model();
        am.password_hash = Set(hash);
        am.token_version = Set(user.token_version + 1);
        am.updated_at = Set(now);
        let updated = am.update(txn).await?;
        sessions::revoke_all(txn, me.user_id, now, "password_changed", Some(session_id)).await?;
        Ok(updated)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skills_are_normalised() {
        let s = normalize_skills(&[" First Aid ".into(), "first aid".into(), "driving".into()]).unwrap();
        assert_eq!(s, vec!["driving", "first aid"]);
        assert!(normalize_skills(&["".into()]).is_err());
        assert!(normalize_skills(&["x".repeat(33)]).is_err());
        let many: Vec<String> = (0..21).map(|i| format!("s{i}")).collect();
        assert!(normalize_skills(&many).is_err());
    }
}
