//! Set-up through the domain (and a few direct writes to move windows), shared with the matrix.

use crate::helpers::{NowUtc, Session, TestApp};
use chrono::{Datelike, Duration, NaiveDate};
use entity::honour_programme::{self, ProgrammeKind, ProgrammeState};
use entity::user::Role;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};
use uuid::Uuid;
use wushe::domain::honours::eligibility::Rule;
use wushe::domain::honours::nominations::{self, NewNomination};
use wushe::domain::honours::notice::{self, Awardee};
use wushe::domain::honours::{self, NewProgramme};
use wushe::domain::kernel::actor::Actor;

/// A session as the domain sees it.
pub fn actor(s: &Session, role: Role, unit: Option<&str>) -> Actor {
    Actor { user_id: s.user_id.parse().unwrap(), role, org_unit_id: unit.map(|u| u.parse().unwrap()) }
}

/// A city administrator's actor.
pub fn city(s: &Session) -> Actor {
    actor(s, Role::CityAdmin, None)
}

/// A programme open for nominations from a day ago to a day ahead, review closing in two.
pub fn input(app: &TestApp, quota: i32, rules: Vec<Rule>) -> NewProgramme {
    let now = app.clock.now_utc();
    NewProgramme {
        name: "年度最美社工".into(),
        kind: ProgrammeKind::MostBeautifulSocialWorker,
        year: now.year(),
        nominee_role: None,
        nomination_opens_at: now - Duration::days(1),
        nomination_closes_at: now + Duration::days(1),
        review_closes_at: now + Duration::days(2),
        awards: 3,
        station_quota: quota,
        notice_working_days: None,
        time_zone: None,
        rules,
        criteria: None,
    }
}

/// A draft programme.
pub async fn draft(app: &TestApp, city: &Actor, quota: i32, rules: Vec<Rule>) -> Uuid {
    honours::create(app.db(), city, app.clock.now_utc(), input(app, quota, rules)).await.unwrap().row.id
}

/// Moves a programme one step on.
pub async fn advance(app: &TestApp, city: &Actor, p: Uuid, to: ProgrammeState) {
    honours::advance(app.db(), city, app.clock.now_utc(), p, to).await.unwrap();
}

/// A programme taking nominations.
pub async fn nominating(app: &TestApp, city: &Actor, quota: i32, rules: Vec<Rule>) -> Uuid {
    let p = draft(app, city, quota, rules).await;
    advance(app, city, p, ProgrammeState::Nominating).await;
    p
}

/// `by` nominates `nominee`; returns the nomination.
pub async fn nominate(app: &TestApp, by: &Actor, p: Uuid, nominee: &str) -> Uuid {
    let n = NewNomination {
        nominee_id: nominee.parse().unwrap(),
        statement: "长期扎根社区".into(),
        evidence: vec!["苏民〔2026〕1号".into()],
        override_reason: None,
    };
    nominations::nominate(app.db(), by, app.clock.now_utc(), p, n, &app.state.config.talent).await.unwrap().row.id
}

/// Makes a nomination someone else's, directly (for nominees nobody may nominate).
pub async fn renominate(app: &TestApp, nomination: Uuid, nominee: &str) {
    let row = entity::honour_nomination::Entity::find_by_id(nomination).one(app.db()).await.unwrap().unwrap();
    let mut am = row.into_active_model();
    am.nominee_id = Set(nominee.parse().unwrap());
    am.update(app.db()).await.unwrap();
}

/// Seats a person on the panel directly (whatever their qualification).
pub async fn seat(app: &TestApp, p: Uuid, reviewer: &str, by: &Actor) {
    entity::honour_reviewer::ActiveModel {
        programme_id: Set(p),
        reviewer_id: Set(reviewer.parse().unwrap()),
        appointed_by: Set(by.user_id),
        appointed_at: Set(app.clock.now_utc()),
    }
    .insert(app.db())
    .await
    .unwrap();
}

/// Moves a programme's windows so that the review has closed.
pub async fn close_review(app: &TestApp, p: Uuid) {
    let now = app.clock.now_utc();
    let row = honour_programme::Entity::find_by_id(p).one(app.db()).await.unwrap().unwrap();
    let mut am = row.into_active_model();
    am.nomination_closes_at = Set(now - Duration::minutes(2));
    am.review_closes_at = Set(now - Duration::minutes(1));
    am.update(app.db()).await.unwrap();
}

/// Ends a programme's public notice now.
pub async fn end_notice(app: &TestApp, p: Uuid) {
    let row = honour_programme::Entity::find_by_id(p).one(app.db()).await.unwrap().unwrap();
    let mut am = row.into_active_model();
    am.notice_ends_at = Set(Some(app.clock.now_utc() - Duration::minutes(1)));
    am.update(app.db()).await.unwrap();
}

/// A programme in public notice with one honour, for `nominee`; returns (programme, honour).
pub async fn in_notice(app: &TestApp, city: &Actor, nominee: &str) -> (Uuid, Uuid) {
    let p = nominating(app, city, 10, Vec::new()).await;
    let n = nominate(app, city, p, nominee).await;
    advance(app, city, p, ProgrammeState::Reviewing).await;
    close_review(app, p).await;
    let awardees = vec![Awardee { nomination_id: n, citation: "扎根社区十年".into() }];
    let d = notice::decide(app.db(), city, app.clock.now_utc(), p, awardees, None).await.unwrap();
    advance(app, city, p, ProgrammeState::PublicNotice).await;
    (p, d.honours[0].id)
}

/// A published honour of `recipient`, written directly.
pub async fn published(app: &TestApp, recipient: &str) -> Uuid {
    let now = app.clock.now_utc();
    let id = Uuid::now_v7();
    entity::honour::ActiveModel {
        id: Set(id),
        programme_id: Set(None),
        nomination_id: Set(None),
        recipient_id: Set(recipient.parse().unwrap()),
        kind: Set(ProgrammeKind::Custom),
        year: Set(now.year()),
        title: Set("优秀志愿者".into()),
        citation: Set("热心服务".into()),
        status: Set(entity::honour::HonourStatus::Published),
        auto_key: Set(None),
        reason: Set(None),
        created_at: Set(now),
        published_at: Set(Some(now)),
        ended_at: Set(None),
    }
    .insert(app.db())
    .await
    .unwrap();
    id
}

/// Approved minutes for `owner` on `date`, written to the ledger directly.
pub async fn approved(app: &TestApp, owner: &str, unit: &str, minutes: i32, date: NaiveDate) {
    use entity::hours_entry::HoursStatus;
    crate::service_fixture::ledger_line(app, owner, unit, minutes, date, HoursStatus::Approved).await;
}
