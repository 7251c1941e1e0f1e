//! Who is acting, and the scope rules every area shares: a city administrator's scope is
//! everything; a district or station administrator's is the subtree of their org unit (a district
//! centre, a station); everyone else acts only on their own records.

use crate::domain::{DomainError, DomainResult, kernel::org_units};
use entity::user::Role;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// The signed-in person on whose behalf a domain operation runs.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Uuid,
    pub role: Role,
    pub org_unit_id: Option<Uuid>,
}

impl Actor {
    /// 403 unless the actor administers (station, district or city).
    pub fn require_admin(&self) -> DomainResult<()> {
        if self.role.is_admin() { Ok(()) } else { Err(DomainError::forbidden("administrators only")) }
    }

    /// 403 unless the actor is a city administrator.
    pub fn require_city_admin(&self) -> DomainResult<()> {
        if self.role == Role::CityAdmin { Ok(()) } else { Err(DomainError::forbidden("city administrators only")) }
    }

    /// Whether an org unit lies in the actor's administrative scope. `None` (a person with no
    /// home unit) is in a city administrator's scope only.
    pub async fn covers_unit(&self, db: &impl ConnectionTrait, unit: Option<Uuid>) -> DomainResult<bool> {
        match (self.role, self.org_unit_id, unit) {
            (Role::CityAdmin, _, _) => Ok(true),
            (Role::StationAdmin | Role::DistrictAdmin, Some(mine), Some(unit)) => {
                org_units::is_within(db, mine, unit).await
            }
            _ => Ok(false),
        }
    }

    /// Whether the actor works for `unit`: administrators over their scope, social workers over
    /// their own station's subtree (their home unit's, if it has no station). Volunteers never.
    pub async fn serves_unit(&self, db: &impl ConnectionTrait, unit: Uuid) -> DomainResult<bool> {
        match self.role {
            Role::CityAdmin | Role::DistrictAdmin | Role::StationAdmin => self.covers_unit(db, Some(unit)).await,
            Role::SocialWorker => match self.work_root(db).await? {
                Some(root) => org_units::is_within(db, root, unit).await,
                None => Ok(false),
            },
            Role::Volunteer => Ok(false),
        }
    }

    /// The root of the subtree a social worker works in: their station, or their home unit if
    /// it lies under no station. Administrators: their own unit.
    pub async fn work_root(&self, db: &impl ConnectionTrait) -> DomainResult<Option<Uuid>> {
        let Some(home) = self.org_unit_id else { return Ok(None) };
        if self.role == Role::SocialWorker {
            return Ok(Some(org_units::station_of(db, home).await?.unwrap_or(home)));
        }
        Ok(Some(home))
    }

    /// The root of the actor's administrative subtree: `None` for a city administrator
    /// (everything), `Some(unit)` for a district or station administrator. 403 for anyone else.
    pub fn admin_scope_root(&self) -> DomainResult<Option<Uuid>> {
        match (self.role, self.org_unit_id) {
            (Role::CityAdmin, _) => Ok(None),
            (Role::StationAdmin | Role::DistrictAdmin, Some(unit)) => Ok(Some(unit)),
            (Role::StationAdmin | Role::DistrictAdmin, None) => {
                Err(DomainError::forbidden("this administrator has no org unit"))
            }
            _ => Err(DomainError::forbidden("administrators only")),
        }
    }
}
