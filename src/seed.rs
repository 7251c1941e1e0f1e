//! The demo city of `wushe seed-demo`: a city centre, a district centre, two town stations (one in
//! the district) with two community rooms each, a city, a district and a station administrator,
//! three social workers and ten volunteers, all with one printed password. For trying the app,
//! never for production.

use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::org_units::{self, NewOrgUnit};
use crate::domain::people::users::{self, NewAccount};
use crate::domain::{DomainError, DomainResult};
use crate::state::AppState;
use entity::org_unit::OrgUnitKind;
use entity::social_worker_profile::QualificationLevel;
use entity::user::Role;
use uuid::Uuid;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "wushe-demo-2026";

/// One demo login.
pub struct Login {
    pub role: Role,
    pub name: String,
    pub phone: String,
}

fn unit(parent: Option<Uuid>, kind: OrgUnitKind, name: &str, lat: f64, lng: f64) -> NewOrgUnit {
    NewOrgUnit {
        parent_id: parent,
        kind,
        name: name.into(),
        region_code: None,
        address: None,
        lat: Some(lat),
        lng: Some(lng),
        time_zone: None,
        person_in_charge: None,
        contact_phone: None,
    }
}

/// Loads the demo city and returns its logins. Refuses (409) if it is already loaded.
pub async fn load(state: &AppState) -> DomainResult<Vec<Login>> {
    let db = &state.db;
    let now = state.clock.now();
    let mut logins = Vec::new();
    let admin = users::create_city_admin(
        db,
        &state.hasher,
        now,
        "13900000000".into(),
        "演示市管理员".into(),
        DEMO_PASSWORD.into(),
    )
    .await
    .map_err(|e| match e {
        DomainError::Conflict { .. } => DomainError::conflict("already_seeded", "the demo city is already loaded"),
        other => other,
    })?;
    logins.push(Login { role: Role::CityAdmin, name: admin.user.name.clone(), phone: admin.user.phone.clone() });
    let actor = Actor { user_id: admin.user.id, role: Role::CityAdmin, org_unit_id: None };

    let city = org_units::create(
        db,
        &actor,
        now,
        unit(None, OrgUnitKind::CityCenter, "演示市社会工作指导中心", 31.30, 120.58),
    )
    .await?;
    // The east station sits in a district (the spine's full depth); the west one hangs off the
    // city directly, as in cities that run city → town.
    let district = org_units::create(
        db,
        &actor,
        now,
        unit(Some(city.id), OrgUnitKind::DistrictCenter, "湖滨区社会工作总站", 31.31, 120.62),
    )
    .await?;
    let east = org_units::create(
        db,
        &actor,
        now,
        unit(Some(district.id), OrgUnitKind::TownStation, "东湖街道社工站", 31.31, 120.64),
    )
    .await?;
    let west = org_units::create(
        db,
        &actor,
        now,
        unit(Some(city.id), OrgUnitKind::TownStation, "西山镇社工站", 31.15, 120.30),
    )
    .await?;
    let mut rooms = Vec::new();
    for (station, names, (lat, lng)) in [
        (&east, ["湖东社区社工室", "湖西社区社工室"], (31.31, 120.64)),
        (&west, ["山前村社工室", "山后村社工室"], (31.15, 120.30)),
    ] {
        for (i, name) in names.iter().enumerate() {
            let offset = i as f64 * 0.01;
            rooms.push(
                org_units::create(
                    db,
                    &actor,
                    now,
                    unit(Some(station.id), OrgUnitKind::CommunityRoom, name, lat + offset, lng + offset),
                )
                .await?,
            );
        }
    }

    let mut create = async |role: Role, phone: String, name: String, unit: Uuid, level: Option<QualificationLevel>| {
        let p = users::create_by_admin(
            db,
            &state.hasher,
            &actor,
            now,
            NewAccount {
                phone,
                name,
                password: DEMO_PASSWORD.into(),
                role,
                org_unit_id: Some(unit),
                locale: None,
                time_zone: None,
                qualification_level: level,
                employer_org_unit_id: if role == Role::SocialWorker { Some(unit) } else { None },
            },
        )
        .await?;
        logins.push(Login { role, name: p.user.name, phone: p.user.phone });
        Ok::<_, DomainError>(())
    };
    create(Role::DistrictAdmin, "13900000002".into(), "湖滨区管理员".into(), district.id, None).await?;
    create(Role::StationAdmin, "13900000001".into(), "东湖站管理员".into(), east.id, None).await?;
    let sw = [
        ("13900000011", "王社工", rooms[0].id, QualificationLevel::SocialWorker),
        ("13900000012", "李社工", rooms[1].id, QualificationLevel::AssistantSocialWorker),
        ("13900000013", "张社工", rooms[2].id, QualificationLevel::SeniorSocialWorker),
    ];
    for (phone, name, unit, level) in sw {
        create(Role::SocialWorker, phone.into(), name.into(), unit, Some(level)).await?;
    }
    for i in 0..10 {
        let room = rooms[i % rooms.len()].id;
        create(Role::Volunteer, format!("139000001{i:02}"), format!("志愿者{}", i + 1), room, None).await?;
    }
    Ok(logins)
}
