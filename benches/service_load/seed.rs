//! The benchmark's city: 10,000 published tasks spread over a Suzhou-sized area and 60 days,
//! one 100-seat task that every volunteer races for, and 20,000 volunteers each with a session and
//! an access token, written straight to the database (the API's own rules are what is measured,
//! not how fast they can seed).

use chrono::{Duration, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;
use wushe::state::AppState;

pub const TASKS: usize = 10_000;
pub const VOLUNTEERS: usize = 20_000;
pub const CENTRE: (f64, f64) = (31.30, 120.60);

pub struct Seed {
    pub tokens: Vec<String>,
    pub tasks: Vec<String>,
    pub race_task: String,
}

pub async fn seed(state: &AppState, postgres: bool) -> anyhow::Result<Seed> {
    use entity::{org_unit, session, task, user};
    let db = &state.db;
    let now = Utc::now();
    let city = Uuid::now_v7();
    let unit = |id: Uuid, parent: Option<Uuid>, kind: org_unit::OrgUnitKind, name: String| org_unit::ActiveModel {
        id: Set(id),
        parent_id: Set(parent),
        kind: Set(kind),
        name: Set(name),
        region_code: Set(None),
        address: Set(None),
        lat: Set(None),
        lng: Set(None),
        time_zone: Set("Asia/Shanghai".into()),
        person_in_charge: Set(None),
        contact_phone: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    org_unit::Entity::insert(unit(city, None, org_unit::OrgUnitKind::CityCenter, "市".into())).exec(db).await?;
    // Through the entity, not raw SQL: SQLite keeps ids as blobs, and a text id would not match.
    entity::org_unit_closure::Entity::insert(entity::org_unit_closure::ActiveModel {
        ancestor_id: Set(city),
        descendant_id: Set(city),
        depth: Set(0),
    })
    .exec(db)
    .await?;
    let hash = state.hasher.hash("benchmark-password").await?;
    let person = |i: usize, role: user::Role| user::ActiveModel {
        id: Set(Uuid::now_v7()),
        phone: Set(format!("+86139{i:08}")),
        name: Set(format!("压测{i}")),
        password_hash: Set(hash.clone()),
        role: Set(role),
        org_unit_id: Set(Some(city)),
        status: Set(user::UserStatus::Active),
        locale: Set(user::Locale::ZhCn),
        time_zone: Set("Asia/Shanghai".into()),
        volunteer_number: Set(format!("B{i:011}")),
        token_version: Set(0),
        created_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let organiser = person(VOLUNTEERS + 1, user::Role::CityAdmin);
    let organiser_id = *organiser.id.as_ref();
    user::Entity::insert(organiser).exec(db).await?;
    let mut tokens = Vec::with_capacity(VOLUNTEERS);
    for chunk in (0..VOLUNTEERS).collect::<Vec<_>>().chunks(500) {
        let people: Vec<user::ActiveModel> = chunk.iter().map(|i| person(*i, user::Role::Volunteer)).collect();
        let ids: Vec<Uuid> = people.iter().map(|p| *p.id.as_ref()).collect();
        user::Entity::insert_many(people).exec(db).await?;
        let sessions: Vec<session::ActiveModel> = ids
            .iter()
            .map(|id| session::ActiveModel {
                id: Set(Uuid::now_v7()),
                user_id: Set(*id),
                created_at: Set(now),
                last_refreshed_at: Set(now),
                expires_at: Set(now + Duration::days(2)),
                revoked_at: Set(None),
                revoked_reason: Set(None),
            })
            .collect();
        for s in &sessions {
            tokens.push(state.tokens.issue(*s.user_id.as_ref(), *s.id.as_ref(), 0, now));
        }
        session::Entity::insert_many(sessions).exec(db).await?;
    }
    let mut tasks = Vec::with_capacity(TASKS);
    let mut rng_state: u64 = 0x2545F4914F6CDD1D;
    let mut rnd = move || {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        (rng_state % 1_000_000) as f64 / 1_000_000.0
    };
    let mut race_task = String::new();
    for chunk in (0..=TASKS).collect::<Vec<_>>().chunks(500) {
        let rows: Vec<task::ActiveModel> = chunk
            .iter()
            .map(|i| {
                let id = Uuid::now_v7();
                // Spread over a city the size of Suzhou (about 90 km × 95 km) and 60 days, 2 hours
                // each: some 1.2 tasks per km², so a 3 km circle holds about 30.
                let starts = now + Duration::hours(2) + Duration::minutes((rnd() * 60.0 * 24.0 * 60.0) as i64);
                let race = *i == TASKS;
                if race {
                    race_task = id.to_string();
                } else {
                    tasks.push(id.to_string());
                }
                task::ActiveModel {
                    project_id: Set(None),
                    id: Set(id),
                    org_unit_id: Set(city),
                    title: Set(format!("任务{i}")),
                    description: Set(String::new()),
                    action_line: Set(task::ActionLine::Help),
                    address: Set(None),
                    lat: Set(Some(CENTRE.0 + (rnd() - 0.5) * 0.8)),
                    lng: Set(Some(CENTRE.1 + (rnd() - 0.5) * 1.0)),
                    check_in_radius_m: Set(300),
                    starts_at: Set(starts),
                    ends_at: Set(starts + Duration::hours(2)),
                    capacity: Set(if race { 100 } else { 20 }),
                    filled: Set(0),
                    waitlist_seq: Set(0),
                    min_headcount: Set(None),
                    signup_deadline: Set(starts),
                    cancel_cutoff_hours: Set(2),
                    leader_id: Set(None),
                    requires_insurance: Set(false),
                    insurance_policy_ref: Set(None),
                    signup_mode: Set(task::SignupMode::Open),
                    min_presence_pct: Set(60),
                    skills_required_for_signup: Set(false),
                    check_in_mode: Set(task::CheckInMode::Code),
                    status: Set(task::TaskStatus::Published),
                    cancel_reason: Set(None),
                    created_by: Set(organiser_id),
                    published_at: Set(Some(now)),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
            })
            .collect();
        task::Entity::insert_many(rows).exec(db).await?;
    }
    // As autovacuum would after a while: statistics and the visibility map that index-only
    // scans rely on.
    if postgres {
        db.execute_unprepared("VACUUM ANALYZE tasks").await?;
        db.execute_unprepared("ANALYZE users, sessions, org_units, org_unit_closure").await?;
    } else {
        db.execute_unprepared("ANALYZE").await?;
    }
    Ok(Seed { tokens, tasks, race_task })
}
