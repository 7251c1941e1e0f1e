//! A person's rights over their data (PIPL art. 45 and 47): a copy of everything held about them
//! (export) and erasure, which anonymises them while keeping service and award records
//! verifiable under a pseudonym (their volunteer number).
//!
//! Both are registries: each area that holds personal data implements [`PersonalData`] once and
//! is listed in [`crate::domain::registry::PERSONAL_DATA`]; export collects every area's section, erasure runs every area's step
//! in one transaction, in list order (the account itself comes last, so earlier steps still see
//! who the person was). A new area adds one line to that registry.

use crate::crypto::DataKey;
use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::registry::PERSONAL_DATA;
use crate::domain::{
    DomainError, DomainResult, kernel::idempotency, people::consents, people::identity, people::sessions, people::users,
};
use chrono::{DateTime, Utc};
use entity::user::{self, UserStatus};
use entity::{audit_log, session, social_worker_profile, user_skill, volunteer_profile};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

/// What export and erasure steps are given.
pub struct Context<'a> {
    /// Opens and seals sensitive data.
    pub key: &'a DataKey,
    pub now: DateTime<Utc>,
    /// The person as they were before erasure began.
    pub person: &'a user::Model,
    /// The keyed hash of their phone (what sign-in throttling counts by).
    pub phone_key: String,
    /// The name the person goes by after erasure.
    pub pseudonym: String,
}

/// One area's part of a person's data.
#[async_trait::async_trait]
pub trait PersonalData: Send + Sync {
    /// The section's name in the export, camelCase.
    fn section(&self) -> &'static str;
    /// Everything this area holds about the person.
    async fn export(&self, cx: &Context<'_>, txn: &DatabaseTransaction) -> DomainResult<Value>;
    /// Removes or replaces the person's personal data in this area; records that must stay
    /// verifiable (hours, awards) stay, tied to the pseudonymous account.
    async fn erase(&self, cx: &Context<'_>, txn: &DatabaseTransaction) -> DomainResult<()>;
}

/// An area's export section, built part by part: each part is rows (or any serializable value)
/// under a camelCase name, turned into JSON the same way in every area.
#[derive(Debug, Default)]
pub struct Export(serde_json::Map<String, Value>);

impl Export {
    /// An empty section.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds `rows` under `name`.
    pub fn part<T: serde::Serialize>(mut self, name: &str, rows: T) -> DomainResult<Self> {
        self.0.insert(name.to_string(), to_json(&rows)?);
        Ok(self)
    }
    /// The section as JSON.
    pub fn done(self) -> Value {
        Value::Object(self.0)
    }
}

/// The pseudonym of an erased person: their volunteer number, which service records and
/// certificates carry.
pub fn pseudonym(person: &user::Model) -> String {
    format!("已注销用户 {}", person.volunteer_number)
}

fn context<'a>(key: &'a DataKey, now: DateTime<Utc>, person: &'a user::Model, phone_key: String) -> Context<'a> {
    Context { key, now, person, phone_key, pseudonym: pseudonym(person) }
}

/// A copy of everything held about a person, one section per area; the export is audited.
pub async fn export(
    db: &DatabaseConnection,
    key: &DataKey,
    user_id: Uuid,
    phone_key: impl Fn(&str) -> String,
    now: DateTime<Utc>,
) -> DomainResult<BTreeMap<String, Value>> {
    write(db, async |txn| {
        let person = user::Entity::find_by_id(user_id).one(txn).await?.ok_or(DomainError::not_found("person"))?;
        let cx = context(key, now, &person, phone_key(&person.phone));
        let mut out = BTreeMap::new();
        for area in PERSONAL_DATA {
            out.insert(area.section().to_string(), area.export(&cx, txn).await?);
        }
        audit::record(txn, now, Change::new(user_id, "person.export", "user", user_id)).await?;
        Ok(out)
    })
    .await
}

/// An administrator erases a person they may manage (`reason` kept in the audit log). Out of
/// scope: 404; not manageable, or oneself (use [`erase_self`]): 403; already erased: 409
/// `already_erased`.
pub async fn erase(
    db: &DatabaseConnection,
    key: &DataKey,
    actor: &Actor,
    user_id: Uuid,
    phone_key: impl Fn(&str) -> String,
    now: DateTime<Utc>,
    reason: Option<String>,
) -> DomainResult<()> {
    actor.require_admin()?;
    if actor.user_id == user_id {
        return Err(DomainError::forbidden("erase your own account through /api/v1/me/erase"));
    }
    write(db, async |txn| {
        let person = users::get_visible(txn, actor, user_id).await?.user;
        if !users::may_manage(actor, &person) {
            return Err(DomainError::forbidden("you may not erase this account"));
        }
        erase_in(txn, key, actor.user_id, &person, &phone_key, now, reason.clone()).await
    })
    .await?;
    crate::db::flush_erased(db).await;
    Ok(())
}

async fn erase_in(
    txn: &DatabaseTransaction,
    key: &DataKey,
    actor_id: Uuid,
    person: &user::Model,
    phone_key: &impl Fn(&str) -> String,
    now: DateTime<Utc>,
    reason: Option<String>,
) -> DomainResult<()> {
    // Holding the person's row keeps a concurrent delivery (which takes the same lock and
    // re-reads the status) from writing into an inbox that erasure has already emptied.
    users::lock_person(txn, person.id).await?;
    let status = user::Entity::find_by_id(person.id).one(txn).await?.map(|u| u.status);
    if person.status == UserStatus::Erased || status == Some(UserStatus::Erased) {
        return Err(DomainError::conflict("already_erased", "this account was already erased"));
    }
    let cx = context(key, now, person, phone_key(&person.phone));
    for area in PERSONAL_DATA {
        area.erase(&cx, txn).await?;
    }
    audit::record(txn, now, Change::new(actor_id, "person.erase", "user", person.id).reason(reason)).await
}

/// A person erases themselves, confirming with their password (400 `wrong_password`), so a
/// stolen access token alone cannot erase anyone.
pub async fn erase_self(
    db: &DatabaseConnection,
    hasher: &crate::auth::password::PasswordHasher,
    key: &DataKey,
    me: &user::Model,
    password: &str,
    phone_key: impl Fn(&str) -> String,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    if !hasher.verify(password, Some(&me.password_hash)).await {
        return Err(DomainError::invalid("wrong_password", "the password is wrong"));
    }
    write(db, async |txn| {
        let person = user::Entity::find_by_id(me.id).one(txn).await?.ok_or(DomainError::not_found("person"))?;
        erase_in(txn, key, me.id, &person, &phone_key, now, None).await
    })
    .await?;
    crate::db::flush_erased(db).await;
    Ok(())
}

fn to_json<T: serde::Serialize>(v: &T) -> DomainResult<Value> {
    serde_json::to_value(v).map_err(|e| DomainError::Internal(e.to_string()))
}

/// The account and its profiles. Erasure replaces the name with the pseudonym and the phone with
/// a placeholder, makes the password unusable, and clears the volunteer profile and skills; the
/// role, home unit and volunteer number stay so records remain attributable.
pub struct Account;

#[async_trait::async_trait]
impl PersonalData for Account {
    fn section(&self) -> &'static str {
        "account"
    }
    async fn export(&self, cx: &Context<'_>, txn: &DatabaseTransaction) -> DomainResult<Value> {
        let p = users::load_profile(txn, cx.person.id).await?;
        Ok(json!({
            "user": to_json(&p.user)?,
            "volunteerProfile": to_json(&p.volunteer)?,
            "skills": p.skills,
            "socialWorkerProfile": to_json(&p.social_worker)?,
        }))
    }
    async fn erase(&self, cx: &Context<'_>, txn: &DatabaseTransaction) -> DomainResult<()> {
        let id = cx.person.id;
        crate::auth::session_cache::person_changed(id);
        let mut am = cx.person.clone().into_active_model();
        am.name = Set(cx.pseudonym.clone());
        // Unique and at most 20 characters like a phone, but never a number anyone can sign in with.
        let simple = id.simple().to_string();
        am.phone = Set(format!("~{}", &simple[simple.len() - 19..]));
        am.password_hash = Set("!erased".into());
        am.status = Set(UserStatus::Erased);
        am.token_version = Set(cx.person.token_version + 1);
        am.updated_at = Set(cx.now);
        am.update(txn).await?;
        if let Some(v) = volunteer_profile::Entity::find_by_id(id).one(txn).await? {
            let mut v = v.into_active_model();
            v.service_lat = Set(None);
            v.service_lng = Set(None);
            v.service_radius_km = Set(None);
            v.bio = Set(None);
            v.updated_at = Set(cx.now);
            v.update(txn).await?;
        }
        if let Some(s) = social_worker_profile::Entity::find_by_id(id).one(txn).await? {
            let mut s = s.into_active_model();
            s.front_line_since = Set(None);
            s.updated_at = Set(cx.now);
            s.update(txn).await?;
        }
        user_skill::Entity::delete_many().filter(user_skill::Column::UserId.eq(id)).exec(txn).await?;
        Ok(())
    }
}

/// Consent records: exported; on erasure every standing consent is withdrawn, the records stay
/// (they hold nothing but purpose, version and times).
pub struct Consents;

#[async_trait::async_trait]
impl PersonalData for Consents {
    fn section(&self) -> &'static str {
        "consents"
    }
    async fn export(&self, cx: &Context<'_>, txn: &DatabaseTransaction) -> DomainResult<Value> {
        to_json(&consents::list(txn, cx.person.id).await?)
    }
    async fn erase(&self, cx: &Context<'_>, txn: &DatabaseTransaction) -> DomainResult<()> {
        consents::withdraw_all(txn, cx.person.id, cx.now).await
    }
}

/// Identity number, real name, birth date, health notes and guardian contact: exported whole (to
/// the person themselves), deleted on erasure with any verification code of their number.
pub struct Sensitive;

#[async_trait::async_trait]
impl PersonalData for Sensitive {
    fn section(&self) -> &'static str {
        "sensitive"
    }
    async fn export(&self, cx: &Context<'_>, txn: &DatabaseTransaction) -> DomainResult<Value> {
        let s = identity::load(txn, cx.key, cx.person.id).await?;
        let given = crate::domain::people::guardians::birth_date(txn, cx.key, cx.person.id).await?;
        Ok(json!({
            "idNumber": s.id_number,
            "realName": s.real_name,
            "birthDate": given.or(s.birth_date),
            "healthNotes": s.health_notes,
            "guardian": s.guardian.map(|(c, rel)| json!({"name": c.name, "phone": c.phone, "relationship": rel})),
            "identityDisputes": crate::domain::people::disputes::of_person(txn, cx.person.id).await?,
        }))
    }
    async fn erase(&self, cx: &Context<'_>, txn: &DatabaseTransaction) -> DomainResult<()> {
        identity::delete_all(txn, cx.person.id).await?;
        crate::domain::people::disputes::forget(txn, cx.person.id, true).await?;
        crate::domain::people::guardians::forget(txn, cx.person.id).await?;
        crate::domain::people::codes::forget_user(txn, cx.key, &cx.person.phone, cx.person.id).await
    }
}

/// Sign-in sessions: exported; on erasure every session ends, its refresh tokens are deleted and
/// sign-in throttling rows of the phone go.
pub struct Sessions;

#[async_trait::async_trait]
impl PersonalData for Sessions {
    fn section(&self) -> &'static str {
        "sessions"
    }
    async fn export(&self, cx: &Context<'_>, txn: &DatabaseTransaction) -> DomainResult<Value> {
        let rows = session::Entity::find()
            .filter(session::Column::UserId.eq(cx.person.id))
            .order_by_asc(session::Column::Id)
            .all(txn)
            .await?;
        Ok(Value::Array(
            rows.into_iter()
                .map(|s| {
                    json!({"id": s.id, "createdAt": s.created_at, "lastRefreshedAt": s.last_refreshed_at,
                           "expiresAt": s.expires_at, "revokedAt": s.revoked_at, "revokedReason": s.revoked_reason})
                })
                .collect(),
        ))
    }
    async fn erase(&self, cx: &Context<'_>, txn: &DatabaseTransaction) -> DomainResult<()> {
        sessions::forget_user(txn, cx.person.id, &cx.phone_key, cx.now).await
    }
}

/// Stored answers of idempotent requests: deleted on erasure (nothing worth exporting).
pub struct IdempotentAnswers;

#[async_trait::async_trait]
impl PersonalData for IdempotentAnswers {
    fn section(&self) -> &'static str {
        "idempotentAnswers"
    }
    async fn export(&self, _cx: &Context<'_>, _txn: &DatabaseTransaction) -> DomainResult<Value> {
        Ok(json!("answers to repeated requests are kept sealed for 24 hours and then deleted"))
    }
    async fn erase(&self, cx: &Context<'_>, txn: &DatabaseTransaction) -> DomainResult<()> {
        idempotency::forget_user(txn, cx.person.id).await
    }
}

/// The audit log: the person sees which recorded actions concern them; on erasure every copy of
/// their name and phone in the entries about them (snapshots and reasons) is replaced by the
/// pseudonym. The entries themselves stay: who changed what must remain accountable.
pub struct AuditTrail;

#[async_trait::async_trait]
impl PersonalData for AuditTrail {
    fn section(&self) -> &'static str {
        "auditTrail"
    }
    async fn export(&self, cx: &Context<'_>, txn: &DatabaseTransaction) -> DomainResult<Value> {
        let rows = about(txn, cx.person.id).await?;
        Ok(Value::Array(rows.into_iter().map(|r| json!({"action": r.action, "at": r.at})).collect()))
    }
    async fn erase(&self, cx: &Context<'_>, txn: &DatabaseTransaction) -> DomainResult<()> {
        let p = cx.person;
        let national = p.phone.strip_prefix("+86").unwrap_or(&p.phone).to_string();
        let needles: Vec<String> =
            [p.name.clone(), p.phone.clone(), national, crate::domain::people::phone::mask(&p.phone)]
                .into_iter()
                .filter(|n| n.chars().count() >= 2)
                .collect();
        for row in about(txn, p.id).await? {
            let scrub_text = |s: &str| needles.iter().fold(s.to_string(), |acc, n| acc.replace(n, &cx.pseudonym));
            let before = row.before.clone().map(|v| scrub(v, &scrub_text));
            let after = row.after.clone().map(|v| scrub(v, &scrub_text));
            let reason = row.reason.as_deref().map(scrub_text);
            if before != row.before || after != row.after || reason != row.reason {
                audit_log::Entity::update_many()
                    .col_expr(audit_log::Column::Before, Expr::value(before))
                    .col_expr(audit_log::Column::After, Expr::value(after))
                    .col_expr(audit_log::Column::Reason, Expr::value(reason))
                    .filter(audit_log::Column::Id.eq(row.id))
                    .exec(txn)
                    .await?;
            }
        }
        Ok(())
    }
}

/// Audit entries about a person (they are the target).
async fn about(conn: &impl ConnectionTrait, user_id: Uuid) -> DomainResult<Vec<audit_log::Model>> {
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::TargetId.eq(user_id))
        .order_by_asc(audit_log::Column::Id)
        .all(conn)
        .await?)
}

/// Rewrites every string in a JSON value.
fn scrub(v: Value, f: &impl Fn(&str) -> String) -> Value {
    match v {
        Value::String(s) => Value::String(f(&s)),
        Value::Array(a) => Value::Array(a.into_iter().map(|x| scrub(x, f)).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, x)| (k, scrub(x, f))).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubbing_reaches_every_string() {
        let v = json!({"name": "金丝雀", "nested": [{"phone": "+86138****0000"}, 3], "n": null});
        let out = scrub(v, &|s: &str| s.replace("金丝雀", "X").replace("+86138****0000", "X"));
        assert_eq!(out, json!({"name": "X", "nested": [{"phone": "X"}, 3], "n": null}));
    }

    #[test]
    fn section_names_are_unique() {
        let mut names: Vec<&str> = PERSONAL_DATA.iter().map(|a| a.section()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), PERSONAL_DATA.len());
    }
}
