//! The ways into an account that a phone proves: registration with a code, sign-in by code (which
//! may register in the same step), password reset, moving an account to a new number, and the
//! reset code an administrator sends to a person in their scope.
//!
//! Tables: `users` (through `users`), `birth_dates` (through `guardians`), `consents`,
//! `verification_codes` (through `codes`), `sessions`.
//!
//! Rules:
//! - no account exists before its number is verified; the privacy policy's version and the birth
//!   date are recorded with it (a person under 14 then needs a guardian to sign up for anything);
//! - sign-in by code works while the password is locked after failed guesses: a stranger who
//!   locks a number out of passwords does not lock its owner out, and a code sign-in lifts the
//!   lock;
//! - a password reset ends every session and access token of the person, and opens a new session;
//! - a phone change is verified on the new number and told to the old one;
//! - an administrator never sees or sets a password: they can only have a reset code sent.
//!
//! Every check of a code comes before the transaction that consumes it, so a wrong code counts
//! toward its limit even though the flow fails.

use crate::auth::password::PasswordHasher;
use crate::crypto::DataKey;
use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::time;
use crate::domain::people::codes::{self, CodePurpose, Note, Verified};
use crate::domain::people::phone::Phone;
use crate::domain::people::sessions::{self, Issued, Policy};
use crate::domain::people::users::{self, NewPerson};
use crate::domain::people::{consents, guardians};
use crate::domain::{DomainError, DomainResult, required_text};
use chrono::{DateTime, NaiveDate, Utc};
use entity::consent::{GivenBy, Purpose};
use entity::user::{self, Locale, Role, UserStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, IntoActiveModel, QueryFilter,
};
use uuid::Uuid;

/// Who a new volunteer is, as they tell it.
#[derive(Clone, Debug)]
pub struct NewVolunteer {
    pub name: String,
    /// `None` when they sign in by code only (a password can be set later by a reset).
    pub password: Option<String>,
    pub birth_date: NaiveDate,
    /// Version of the privacy policy they accepted.
    pub policy_version: String,
    pub org_unit_id: Option<Uuid>,
    pub locale: Option<Locale>,
}

/// A new volunteer's details, checked and the password hashed: ready for the transaction.
struct Checked {
    name: String,
    password_hash: String,
    birth_date: NaiveDate,
    policy_version: String,
    org_unit_id: Option<Uuid>,
    locale: Locale,
}

async fn check_new(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    now: DateTime<Utc>,
    v: NewVolunteer,
) -> DomainResult<Checked> {
    let name = required_text("name", &v.name)?;
    if let Some(p) = &v.password {
        users::validate_password(p)?;
    }
    if let Some(unit) = v.org_unit_id {
        users::require_unit(db, unit, "orgUnitId").await?;
    }
    let zone = time::zone_for_new(db, None, v.org_unit_id).await?;
    guardians::validate_birth_date(v.birth_date, time::local_date(now, &zone))?;
    let version = v.policy_version.trim();
    if version.is_empty() || version.chars().count() > consents::MAX_VERSION_LEN {
        return Err(DomainError::validation("privacyPolicyVersion must be 1 to 32 characters"));
    }
    // Without a password the account still gets a hash, of a random one nobody knows, so that a
    // password sign-in takes the same time and fails.
    let password = v.password.unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    // Hash before the transaction: it is slow and must not hold a write lock.
    let password_hash = hasher.hash(&password).await.map_err(|e| DomainError::Internal(e.to_string()))?;
    Ok(Checked {
        name,
        password_hash,
        birth_date: v.birth_date,
        policy_version: version.to_string(),
        org_unit_id: v.org_unit_id,
        locale: v.locale.unwrap_or(Locale::ZhCn),
    })
}

async fn create(
    txn: &DatabaseTransaction,
    key: &DataKey,
    now: DateTime<Utc>,
    phone: Phone,
    c: Checked,
) -> DomainResult<user::Model> {
    let time_zone = time::zone_for_new(txn, None, c.org_unit_id).await?;
    let today = time::local_date(now, &time_zone);
    let person = users::insert_person(
        txn,
        now,
        NewPerson {
            phone,
            name: c.name,
            password_hash: c.password_hash,
            role: Role::Volunteer,
            org_unit_id: c.org_unit_id,
            locale: c.locale,
            time_zone,
            qualification_level: None,
            employer_org_unit_id: None,
            created_by: None,
        },
    )
    .await?;
    guardians::record_birth_date(txn, key, person.id, c.birth_date, today, now).await?;
    consents::record(txn, person.id, Purpose::Account, &c.policy_version, GivenBy::Person, now).await?;
    Ok(person)
}

/// Registers a volunteer on a number verified with a registration code. 409 `phone_taken` only
/// reaches someone who holds the number (they received the code).
pub async fn register(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    key: &DataKey,
    now: DateTime<Utc>,
    phone: &str,
    code: &str,
    v: NewVolunteer,
) -> DomainResult<user::Model> {
    let phone = Phone::parse(phone)?;
    let checked = check_new(db, hasher, now, v).await?;
    let verified = codes::check(db, key, &phone, CodePurpose::Registration, code, now).await?;
    write(db, async |txn| {
        codes::consume(txn, verified, now).await?;
        create(txn, key, now, phone, checked).await
    })
    .await
}

/// What a sign-in by code did.
pub struct SignedIn {
    pub issued: Issued,
    /// Whether the account was opened by this sign-in.
    pub registered: bool,
}

/// Signs in with a sign-in code, registering the volunteer in the same step when the number has
/// no account and `register` is given (else 422 `registration_required`, the code left usable).
/// `phone_key` is the sign-in throttle's key of the number, whose lock this lifts.
#[allow(clippy::too_many_arguments)]
pub async fn sign_in_with_code(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    key: &DataKey,
    policy: Policy,
    now: DateTime<Utc>,
    phone: &str,
    code: &str,
    register: Option<NewVolunteer>,
    phone_key: impl Fn(&str) -> String,
) -> DomainResult<SignedIn> {
    let phone = Phone::parse(phone)?;
    let lock_key = phone_key(phone.as_str());
    let checked = match register {
        Some(v) => Some(check_new(db, hasher, now, v).await?),
        None => None,
    };
    let verified = codes::check(db, key, &phone, CodePurpose::SignIn, code, now).await?;
    write(db, async |txn| {
        let existing = user::Entity::find().filter(user::Column::Phone.eq(phone.as_str())).one(txn).await?;
        let (person, registered) = match (existing, checked) {
            (Some(u), _) if u.status != UserStatus::Active => {
                return Err(DomainError::Forbidden {
                    code: "account_suspended",
                    detail: "this account is suspended".into(),
                });
            }
            (Some(u), _) => (u, false),
            (None, Some(c)) => {
                codes::consume(txn, verified, now).await?;
                (create(txn, key, now, phone.clone(), c).await?, true)
            }
            (None, None) => {
                return Err(DomainError::Unprocessable {
                    code: "registration_required",
                    detail: "this number has no account yet: send the new volunteer's details to register".into(),
                });
            }
        };
        if !registered {
            codes::consume(txn, verified, now).await?;
        }
        sessions::clear_throttle(txn, &lock_key).await?;
        let issued = sessions::open_in(txn, policy, now, person).await?;
        Ok(SignedIn { issued, registered })
    })
    .await
}

async fn holder(txn: &impl ConnectionTrait, phone: &Phone) -> DomainResult<user::Model> {
    user::Entity::find()
        .filter(user::Column::Phone.eq(phone.as_str()))
        .one(txn)
        .await?
        // Nobody was sent a code for a number without an account; whoever holds one guessed.
        .ok_or_else(|| DomainError::invalid("code_invalid", "the code is wrong or no longer valid"))
}

/// Sets a new password with a password-reset code: every session and access token of the person
/// ends, the sign-in lock lifts, and a new session opens.
#[allow(clippy::too_many_arguments)]
pub async fn reset_password(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    key: &DataKey,
    policy: Policy,
    now: DateTime<Utc>,
    phone: &str,
    code: &str,
    new_password: &str,
    phone_key: impl Fn(&str) -> String,
) -> DomainResult<Issued> {
    let phone = Phone::parse(phone)?;
    users::validate_password(new_password)?;
    let verified = codes::check(db, key, &phone, CodePurpose::PasswordReset, code, now).await?;
    let hash = hasher.hash(new_password).await.map_err(|e| DomainError::Internal(e.to_string()))?;
    let lock_key = phone_key(phone.as_str());
    write(db, async |txn| {
        let person = holder(txn, &phone).await?;
        if person.status != UserStatus::Active {
            return Err(DomainError::Forbidden {
                code: "account_suspended",
                detail: "this account is suspended".into(),
            });
        }
        codes::consume(txn, verified, now).await?;
        crate::auth::session_cache::person_changed(person.id);
        let mut am = person.clone().into_active_model();
        am.password_hash = Set(hash);
        am.token_version = Set(person.token_version + 1);
        am.updated_at = Set(now);
        let person = am.update(txn).await?;
        sessions::revoke_all(txn, person.id, now, "password_reset", None).await?;
        sessions::clear_throttle(txn, &lock_key).await?;
        audit::record(txn, now, Change::new(person.id, "person.password_reset", "user", person.id)).await?;
        sessions::open_in(txn, policy, now, person).await
    })
    .await
}

/// A signed-in person asks for a code on the number they want to move to.
pub async fn request_phone_change(
    db: &DatabaseConnection,
    key: &DataKey,
    person: Uuid,
    new_phone: &Phone,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    codes::issue_now(db, key, new_phone, CodePurpose::PhoneChange, Some(person), now).await.map(|_| ())
}

/// Moves a person's account to a new number, verified by the code sent there; the old number is
/// told. 409 `phone_taken` when the new number has an account (its holder received the code).
pub async fn change_phone(
    db: &DatabaseConnection,
    key: &DataKey,
    person: Uuid,
    new_phone: &str,
    code: &str,
    now: DateTime<Utc>,
) -> DomainResult<user::Model> {
    let phone = Phone::parse(new_phone)?;
    let verified: Verified = codes::check(db, key, &phone, CodePurpose::PhoneChange, code, now).await?;
    if verified.subject != Some(person) {
        return Err(DomainError::invalid("code_invalid", "the code is wrong or no longer valid"));
    }
    let changed = write(db, async |txn| {
        codes::consume(txn, verified, now).await?;
        let me = user::Entity::find_by_id(person).one(txn).await?.ok_or(DomainError::not_found("person"))?;
        if me.phone == phone.as_str() {
            return Ok(me);
        }
        let taken = user::Entity::find().filter(user::Column::Phone.eq(phone.as_str())).one(txn).await?.is_some();
        if taken {
            return Err(DomainError::conflict("phone_taken", "this number already has an account"));
        }
        crate::auth::session_cache::person_changed(person);
        user::Entity::update_many()
            .col_expr(user::Column::Phone, Expr::value(phone.as_str()))
            .col_expr(user::Column::UpdatedAt, Expr::value(now))
            .filter(user::Column::Id.eq(person))
            .exec(txn)
            .await?;
        codes::send_note(txn, key, &me.phone, Note::PhoneChanged).await?;
        audit::record(txn, now, Change::new(person, "person.phone_changed", "user", person)).await?;
        Ok(user::Model { phone: phone.as_str().into(), updated_at: now, ..me })
    })
    .await;
    match changed {
        Err(DomainError::Db(e)) if crate::db::is_unique_violation(&e) => {
            Err(DomainError::conflict("phone_taken", "this number already has an account"))
        }
        other => other,
    }
}

/// An administrator has a password-reset code sent to a person they manage (they never see it).
pub async fn send_reset_code(
    db: &DatabaseConnection,
    key: &DataKey,
    actor: &Actor,
    person: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let target = users::get_visible(db, actor, person).await?.user;
    if !users::may_manage(actor, &target) {
        return Err(DomainError::forbidden("you cannot manage this person"));
    }
    let phone = Phone::parse(&target.phone)?;
    write(db, async |txn| {
        codes::issue(txn, key, &phone, CodePurpose::PasswordReset, None, now).await?;
        audit::record(txn, now, Change::new(actor.user_id, "person.reset_code_sent", "user", person)).await
    })
    .await?;
    Ok(())
}
