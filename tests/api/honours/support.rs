//! What the honours tests share: request bodies and checks.

use super::setup::*;
use crate::helpers::{NowUtc, TestApp, TwoStations};
use chrono::{Datelike, Duration};
use entity::honour_programme::ProgrammeState;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

pub(super) fn programme_body(app: &TestApp) -> Value {
    let now = app.clock.now_utc();
    json!({
        "name": "2026年度最美社工", "kind": "most_beautiful_social_worker", "year": now.year(),
        "nominationOpensAt": now - Duration::hours(1), "nominationClosesAt": now + Duration::days(10),
        "reviewClosesAt": now + Duration::days(20), "awards": 2, "stationQuota": 3,
        "rules": [{"rule": "min_volunteer_hours", "value": 100, "period": "all_time"},
                  {"rule": "ce_requirement_met"}],
        "criteria": [{"name": "事迹", "weight": 50}, {"name": "能力", "weight": 30}, {"name": "影响", "weight": 20}],
    })
}

pub(super) async fn audit_count(app: &TestApp, action: &str) -> u64 {
    entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq(action))
        .count(app.db())
        .await
        .unwrap()
}

pub(super) async fn told(app: &TestApp, who: &str, template: &str) -> bool {
    let id: Uuid = who.parse().unwrap();
    let rows = jobs::entity::outbox::Entity::find().all(app.db()).await.unwrap();
    rows.iter().any(|r| r.payload.contains(&id.to_string()) && r.payload.contains(&format!("\"{template}\"")))
}

/// A reviewing programme with nominations of `nominees` (by `by`), and `reviewer` on its panel.
pub(super) async fn reviewing_with(
    app: &TestApp,
    f: &TwoStations,
    by: &wushe::domain::kernel::actor::Actor,
    nominees: &[&str],
) -> (Uuid, Vec<Uuid>) {
    let c = city(&f.city_admin);
    let p = nominating(app, &c, 10, Vec::new()).await;
    let mut ids = Vec::new();
    for n in nominees {
        ids.push(nominate(app, by, p, n).await);
    }
    advance(app, &c, p, ProgrammeState::Reviewing).await;
    (p, ids)
}

pub(super) fn score_body(s: [i32; 3]) -> Value {
    json!({"scores": s, "comment": "事迹突出"})
}
