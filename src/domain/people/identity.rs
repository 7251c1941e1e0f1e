//! Sensitive personal information (PIPL art. 28): the real-name identity (resident identity
//! number, GB 11643, and real name), health notes, and the guardian contact of a person under
//! 14. Each is given with its own recorded consent (`domain::consents`), stored sealed with the
//! data key (`crate::crypto`), shown masked to the person, and whole only to a city
//! administrator, whose every such read is audited.
//!
//! Tables: `identities`, `health_notes`, `guardians`.
//!
//! Age: the birth date in the identity number counts beside the one given at registration;
//! the guardian rule and its check live in `guardians`.

use crate::crypto::DataKey;
use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::people::consents;
use crate::domain::people::phone;
use crate::domain::{DomainError, DomainResult, required_text};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::consent::{GivenBy, Purpose};
use entity::{guardian, health_note, identity, user};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Below this age a guardian must consent (PIPL art. 31).
pub const GUARDIAN_AGE: u32 = 14;
/// Longest health notes.
pub const MAX_HEALTH_NOTES: usize = 2000;

const NUMBER_INDEX: &str = "identity.number";

/// Checks a resident identity number (GB 11643-1999: 17 digits, a check character over them
/// with ISO 7064 MOD 11-2, and a valid birth date at positions 7-14); returns it normalised
/// (upper-case `X`) with the birth date.
pub fn parse_id_number(input: &str) -> DomainResult<(String, NaiveDate)> {
    let bad = || DomainError::invalid("invalid_id_number", "not a valid resident identity number");
    let n = input.trim().to_ascii_uppercase();
    let b = n.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = b[..17].iter().zip(WEIGHTS).map(|(d, w)| (d - b'0') as u32 * w).sum();
    if b[17] != CHECK[(sum % 11) as usize] {
        return Err(bad());
    }
    let birth = NaiveDate::parse_from_str(&n[6..14], "%Y%m%d").map_err(|_| bad())?;
    Ok((n, birth))
}

/// Whole years between `birth` and `today`.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> u32 {
    let mut years = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

/// An identity number with all but the first 3 and last 4 characters hidden.
pub fn mask_id_number(n: &str) -> String {
    let chars: Vec<char> = n.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{}{}{tail}", chars[..3].iter().collect::<String>(), "*".repeat(chars.len() - 7))
}

/// A name with all but its first character hidden.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count().max(1))),
        None => String::new(),
    }
}

fn aad(what: &str, user: Uuid) -> String {
    format!("{what}:{user}")
}

/// The contact of a guardian.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GuardianContact {
    pub name: String,
    /// E.164.
    pub phone: String,
}

/// A person's sensitive data, opened.
#[derive(Clone, Debug, Default)]
pub struct Sensitive {
    pub id_number: Option<String>,
    pub real_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub health_notes: Option<String>,
    pub guardian: Option<(GuardianContact, String)>,
    /// Whether the guardian confirmed with the code sent to their phone.
    pub guardian_confirmed: bool,
}

impl Sensitive {
    /// The same with every value masked, for the person's own screens.
    pub fn masked(&self) -> Sensitive {
        Sensitive {
            id_number: self.id_number.as_deref().map(mask_id_number),
            real_name: self.real_name.as_deref().map(mask_name),
            birth_date: self.birth_date,
            health_notes: self.health_notes.as_ref().map(|n| format!("({} characters recorded)", n.chars().count())),
            guardian: self.guardian.as_ref().map(|(c, rel)| {
                (GuardianContact { name: mask_name(&c.name), phone: phone::mask(&c.phone) }, rel.clone())
            }),
            guardian_confirmed: self.guardian_confirmed,
        }
    }
}

fn corrupt() -> DomainError {
    DomainError::Internal("sealed personal data does not open with the configured WUSHE_DATA_KEY".into())
}

/// Opens everything sensitive held about a person.
pub async fn load(conn: &impl ConnectionTrait, key: &DataKey, user_id: Uuid) -> DomainResult<Sensitive> {
    let mut s = Sensitive::default();
    if let Some(i) = identity::Entity::find_by_id(user_id).one(conn).await? {
        s.id_number = Some(key.open_str(&aad("identity.number", user_id), &i.number_sealed).map_err(|_| corrupt())?);
        s.real_name = Some(key.open_str(&aad("identity.name", user_id), &i.name_sealed).map_err(|_| corrupt())?);
        s.birth_date = Some(i.birth_date);
    }
    if let Some(h) = health_note::Entity::find_by_id(user_id).one(conn).await? {
        s.health_notes = Some(key.open_str(&aad("health.notes", user_id), &h.notes_sealed).map_err(|_| corrupt())?);
    }
    if let Some(g) = guardian::Entity::find_by_id(user_id).one(conn).await? {
        let json = key.open(&aad("guardian.contact", user_id), &g.contact_sealed).map_err(|_| corrupt())?;
        let contact: GuardianContact = serde_json::from_slice(&json).map_err(|_| corrupt())?;
        s.guardian = Some((contact, g.relationship));
        s.guardian_confirmed = g.confirmed_at.is_some();
    }
    Ok(s)
}

/// A real-name identity as given, checked: the normalised number, its birth date and blind index.
#[derive(Clone, Debug)]
pub struct ClaimedIdentity {
    pub number: String,
    pub real_name: String,
    pub birth: NaiveDate,
    pub index: String,
}

/// Checks an identity as given (GB 11643 number, a real name).
pub fn claim(key: &DataKey, number: &str, real_name: &str) -> DomainResult<ClaimedIdentity> {
    let (number, birth) = parse_id_number(number)?;
    let real_name = required_text("realName", real_name)?;
    let index = key.blind_index(NUMBER_INDEX, &number);
    Ok(ClaimedIdentity { number, real_name, birth, index })
}

/// Records a person's identity and its consent, in the caller's transaction (a unique violation
/// if another person holds the number: callers look first).
pub async fn store(
    txn: &impl ConnectionTrait,
    key: &DataKey,
    user_id: Uuid,
    c: &ClaimedIdentity,
    consent_version: &str,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    consents::record(txn, user_id, Purpose::Identity, consent_version, GivenBy::Person, now).await?;
    let row = identity::ActiveModel {
        user_id: Set(user_id),
        number_sealed: Set(key.seal_str(&aad("identity.number", user_id), &c.number)),
        number_index: Set(c.index.clone()),
        name_sealed: Set(key.seal_str(&aad("identity.name", user_id), &c.real_name)),
        birth_date: Set(c.birth),
        created_at: Set(now),
        updated_at: Set(now),
    };
    identity::Entity::insert(row)
        .on_conflict(
            OnConflict::column(identity::Column::UserId)
                .update_columns([
                    identity::Column::NumberSealed,
                    identity::Column::NumberIndex,
                    identity::Column::NameSealed,
                    identity::Column::BirthDate,
                    identity::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// What became of an identity a person gave.
#[derive(Clone, Debug)]
pub enum Recorded {
    /// It is theirs.
    Held,
    /// Another account holds the number: a city administrator will decide.
    UnderReview { dispute: entity::identity_dispute::Model },
}

/// A person's recorded real name, where they hold an identity and their consent to it
/// (purpose `identity`) stands; `None` otherwise (never recorded, or the consent withdrawn).
pub async fn consented_real_name(
    conn: &impl ConnectionTrait,
    key: &DataKey,
    user_id: Uuid,
) -> DomainResult<Option<String>> {
    if !consents::has_active(conn, user_id, Purpose::Identity).await? {
        return Ok(None);
    }
    let Some(i) = identity::Entity::find_by_id(user_id).one(conn).await? else { return Ok(None) };
    Ok(Some(key.open_str(&aad("identity.name", user_id), &i.name_sealed).map_err(|_| corrupt())?))
}

/// A person records their real-name identity with its consent (purpose `identity`), in the
/// caller's transaction. A number another account holds opens a dispute instead
/// (`disputes::open`) and nothing else changes.
pub async fn record_in(
    txn: &impl ConnectionTrait,
    key: &DataKey,
    user_id: Uuid,
    c: &ClaimedIdentity,
    consent_version: &str,
    now: DateTime<Utc>,
) -> DomainResult<Recorded> {
    let holder = identity::Entity::find()
        .filter(identity::Column::NumberIndex.eq(&c.index))
        .filter(identity::Column::UserId.ne(user_id))
        .one(txn)
        .await?;
    if let Some(h) = holder {
        let d = crate::domain::people::disputes::open(txn, key, user_id, h.user_id, c, consent_version, now).await?;
        return Ok(Recorded::UnderReview { dispute: d });
    }
    store(txn, key, user_id, c, consent_version, now).await?;
    Ok(Recorded::Held)
}

/// A person records (or with `None` clears) their health notes, with consent purpose `health`.
pub async fn set_health_notes(
    db: &DatabaseConnection,
    key: &DataKey,
    user_id: Uuid,
    now: DateTime<Utc>,
    notes: Option<&str>,
    consent_version: &str,
) -> DomainResult<Sensitive> {
    let notes = notes.map(str::trim).filter(|n| !n.is_empty());
    if notes.is_some_and(|n| n.chars().count() > MAX_HEALTH_NOTES) {
        return Err(DomainError::validation(format!("health notes are limited to {MAX_HEALTH_NOTES} characters")));
    }
    write(db, async |txn| {
        match notes {
            Some(n) => {
                consents::record(txn, user_id, Purpose::Health, consent_version, GivenBy::Person, now).await?;
                health_note::Entity::insert(health_note::ActiveModel {
                    user_id: Set(user_id),
                    notes_sealed: Set(key.seal_str(&aad("health.notes", user_id), n)),
                    updated_at: Set(now),
                })
                .on_conflict(
                    OnConflict::column(health_note::Column::UserId)
                        .update_columns([health_note::Column::NotesSealed, health_note::Column::UpdatedAt])
                        .to_owned(),
                )
                .exec_without_returning(txn)
                .await?;
            }
            None => {
                health_note::Entity::delete_by_id(user_id).exec(txn).await?;
            }
        }
        Ok::<_, DomainError>(())
    })
    .await?;
    load(db, key, user_id).await
}

/// A city administrator reads a person's sensitive data whole; the read is audited (without the
/// data). Anyone else: 403.
pub async fn read_whole(
    db: &DatabaseConnection,
    key: &DataKey,
    actor: &Actor,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<Sensitive> {
    actor.require_city_admin()?;
    write(db, async |txn| {
        user::Entity::find_by_id(user_id).one(txn).await?.ok_or(DomainError::not_found("person"))?;
        audit::record(txn, now, Change::new(actor.user_id, "person.sensitive_read", "user", user_id)).await?;
        load(txn, key, user_id).await
    })
    .await
}

/// A city administrator finds the person holding an identity number (exact match through the
/// blind index); audited. 404 when nobody does.
pub async fn lookup(
    db: &DatabaseConnection,
    key: &DataKey,
    actor: &Actor,
    number: &str,
    now: DateTime<Utc>,
) -> DomainResult<user::Model> {
    actor.require_city_admin()?;
    let (number, _) = parse_id_number(number)?;
    let index = key.blind_index(NUMBER_INDEX, &number);
    write(db, async |txn| {
        let found = identity::Entity::find()
            .filter(identity::Column::NumberIndex.eq(index))
            .one(txn)
            .await?
            .ok_or(DomainError::not_found("person"))?;
        let person = user::Entity::find_by_id(found.user_id).one(txn).await?.ok_or(DomainError::not_found("person"))?;
        audit::record(txn, now, Change::new(actor.user_id, "person.identity_lookup", "user", person.id)).await?;
        Ok(person)
    })
    .await
}

/// Deletes everything sensitive held about a person (erasure).
pub async fn delete_all(conn: &impl ConnectionTrait, user_id: Uuid) -> DomainResult<()> {
    identity::Entity::delete_by_id(user_id).exec(conn).await?;
    health_note::Entity::delete_by_id(user_id).exec(conn).await?;
    guardian::Entity::delete_by_id(user_id).exec(conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a valid number from 17 digits.
    fn with_check(first17: &str) -> String {
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(d, w)| (d - b'0') as u32 * w).sum();
        format!("{first17}{}", b"10X98765432"[(sum % 11) as usize] as char)
    }

    #[test]
    fn gb_11643_check_digit_and_birth_date() {
        let (n, birth) = parse_id_number("11010519491231002x").unwrap();
        assert_eq!(n, "11010519491231002X");
        assert_eq!(birth, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert!(parse_id_number("110105194912310021").is_err(), "wrong check digit");
        assert!(parse_id_number("1101051949123100").is_err(), "short");
        assert!(parse_id_number("11010519491231002A").is_err());
        assert!(parse_id_number(&with_check("11010519490231002")).is_err(), "31 February");
        assert!(parse_id_number(&with_check("32058320150615123")).is_ok());
    }

    #[test]
    fn ages_and_masks() {
        let b = NaiveDate::from_ymd_opt(2012, 6, 15).unwrap();
        assert_eq!(age_on(b, NaiveDate::from_ymd_opt(2026, 6, 14).unwrap()), 13);
        assert_eq!(age_on(b, NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()), 14);
        assert_eq!(mask_id_number("11010519491231002X"), "110***********002X");
        assert_eq!(mask_name("欧阳修"), "欧**");
        assert_eq!(mask_name("李"), "李*");
    }
}
