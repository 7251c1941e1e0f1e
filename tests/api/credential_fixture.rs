//! Credentials written straight to the database, for tests that need someone to hold (or not
//! quite hold) a qualification: verified or not, expired or not, of one level or another.

use crate::helpers::{NowUtc, Session, TestApp};
use chrono::{Duration, NaiveDate};
use entity::credential::{self, CredentialStatus};
use entity::social_worker_profile::{self, QualificationLevel};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, sea_query::OnConflict};
use uuid::Uuid;

/// A credential of `kind` held by `holder`, in `status`, expiring on `expires_on`; its id.
pub async fn give(
    app: &TestApp,
    holder: Uuid,
    kind: &str,
    status: CredentialStatus,
    expires_on: Option<NaiveDate>,
) -> Uuid {
    let now = app.clock.now_utc();
    let id = Uuid::now_v7();
    credential::ActiveModel {
        id: Set(id),
        holder_id: Set(holder),
        kind: Set(kind.into()),
        number: Set(id.to_string()),
        issuing_body: Set("民政部".into()),
        issued_on: Set(now.date_naive() - Duration::days(30)),
        expires_on: Set(expires_on),
        evidence_ref: Set("files/certificate.pdf".into()),
        registered_on: Set(None),
        status: Set(status),
        reason: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(app.db())
    .await
    .unwrap();
    id
}

/// A verified 社会工作师 certificate without expiry: what a mentor needs by default.
pub async fn qualify(app: &TestApp, holder: Uuid) {
    give(app, holder, "social_worker", CredentialStatus::Verified, None).await;
}

/// Social workers who fall short of a level in each way a shortcut would try, and one who holds it.
pub struct Candidates {
    /// The level is declared on the profile only.
    pub declared_only: Session,
    /// A certificate of the level awaits verification.
    pub unverified: Session,
    /// A verified certificate of the level expired ten days ago.
    pub expired: Session,
    /// A verified, current certificate of a lower level.
    pub lower_level: Session,
    /// A verified certificate of the level, valid for another year.
    pub qualified: Session,
}

impl Candidates {
    /// The four who fall short, with the name of the way they do.
    pub fn short(&self) -> [(&'static str, &Session); 4] {
        [
            ("declared only", &self.declared_only),
            ("unverified", &self.unverified),
            ("expired", &self.expired),
            ("lower level", &self.lower_level),
        ]
    }
}

/// Five social workers of `unit` (created by `admin`) measured against `level`, with `lower` a
/// level beneath it.
pub async fn candidates(
    app: &TestApp,
    admin: &Session,
    unit: &str,
    level: QualificationLevel,
    lower: QualificationLevel,
) -> Candidates {
    let kind = |l: QualificationLevel| wushe::domain::talent::credentials::kind_of(l);
    let today = wushe::domain::kernel::time::local_date(app.clock.now_utc(), "Asia/Shanghai");
    let mut people = Vec::new();
    for _ in 0..5 {
        people.push(app.create_user(admin, "social_worker", Some(unit)).await);
    }
    let id = |s: &Session| -> Uuid { s.user_id.parse().unwrap() };
    let [declared_only, unverified, expired, lower_level, qualified] = people.try_into().ok().unwrap();
    let now = app.clock.now_utc();
    let declared = social_worker_profile::ActiveModel {
        user_id: Set(id(&declared_only)),
        qualification_level: Set(Some(level)),
        employer_org_unit_id: Set(None),
        front_line_since: Set(None),
        updated_at: Set(now),
    };
    social_worker_profile::Entity::insert(declared)
        .on_conflict(
            OnConflict::column(social_worker_profile::Column::UserId)
                .update_column(social_worker_profile::Column::QualificationLevel)
                .to_owned(),
        )
        .exec_without_returning(app.db())
        .await
        .unwrap();
    give(app, id(&unverified), kind(level), CredentialStatus::Submitted, None).await;
    give(app, id(&expired), kind(level), CredentialStatus::Verified, Some(today - Duration::days(10))).await;
    give(app, id(&lower_level), kind(lower), CredentialStatus::Verified, None).await;
    give(app, id(&qualified), kind(level), CredentialStatus::Verified, Some(today + Duration::days(365))).await;
    Candidates { declared_only, unverified, expired, lower_level, qualified }
}
