//! Registration (登记) of the national social-work certificates: the window for the first
//! registration, the validity of one, the renewal window before it lapses, and recording a
//! registration or renewal (which needs the period's continuing education; see
//! `talent::learning::progress`). Rules follow `config::TalentConfig`, whose defaults are
//! 民发〔2009〕44号: first registration within 12 months of the certificate, valid 36 months,
//! renewal in the 3 months before it lapses.

use crate::config::TalentConfig;
use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::time::local_date;
use crate::domain::talent::credentials::{self, level_of};
use crate::domain::{DomainError, DomainResult};
use chrono::{DateTime, Months, NaiveDate, Utc};
use entity::credential::{self, CredentialStatus};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait, IntoActiveModel};
use uuid::Uuid;

/// Where a registration stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationState {
    /// Never registered; the first registration is still possible.
    Unregistered,
    /// Never registered, and the first-registration deadline has passed.
    Overdue,
    /// Registered, renewal not yet due.
    Registered,
    /// Within the renewal window.
    RenewalOpen,
    /// The registration has lapsed without renewal.
    Lapsed,
}

/// The registration of a social-work certificate: the window to (re)register in, and its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Registration {
    pub state: RegistrationState,
    /// When the current window to register or renew opens.
    pub window_opens: NaiveDate,
    /// The deadline: the last day to register first, or the day the registration lapses.
    pub deadline: NaiveDate,
    /// Until when the current registration is valid (none before the first one).
    pub valid_until: Option<NaiveDate>,
    /// The registration period continuing education counts in.
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
}

fn plus_months(d: NaiveDate, m: u32) -> NaiveDate {
    d.checked_add_months(Months::new(m)).unwrap_or(NaiveDate::MAX)
}

fn minus_months(d: NaiveDate, m: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(m)).unwrap_or(NaiveDate::MIN)
}

/// The registration of a national-level credential on `today` (none for other kinds).
pub fn registration(cfg: &TalentConfig, c: &credential::Model, today: NaiveDate) -> Option<Registration> {
    level_of(&c.kind)?;
    Some(match c.registered_on {
        None => {
            let deadline = plus_months(c.issued_on, cfg.first_registration_months);
            Registration {
                state: if today > deadline { RegistrationState::Overdue } else { RegistrationState::Unregistered },
                window_opens: c.issued_on,
                deadline,
                valid_until: None,
                period_start: c.issued_on,
                period_end: plus_months(c.issued_on, cfg.registration_valid_months),
            }
        }
        Some(registered) => {
            let valid_until = plus_months(registered, cfg.registration_valid_months);
            let window_opens = minus_months(valid_until, cfg.renewal_window_months);
            let state = if today > valid_until {
                RegistrationState::Lapsed
            } else if today >= window_opens {
                RegistrationState::RenewalOpen
            } else {
                RegistrationState::Registered
            };
            Registration {
                state,
                window_opens,
                deadline: valid_until,
                valid_until: Some(valid_until),
                period_start: registered,
                period_end: valid_until,
            }
        }
    })
}

/// What recording a registration moves: the continuing-education period before and after, and
/// the approved CE minutes that count in each (a new registration starts a new period, and what
/// was completed before it no longer counts towards the next renewal).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodChange {
    /// The period CE counts in now (`[start, end)`).
    pub before: (NaiveDate, NaiveDate),
    /// The period it would count in once recorded.
    pub after: (NaiveDate, NaiveDate),
    pub completed_minutes_before: i64,
    pub completed_minutes_after: i64,
    /// Approved CE minutes that count now and would no longer count.
    pub minutes_no_longer_counting: i64,
}

/// A registration recorded (or, for a preview, what recording it would do).
#[derive(Clone, Debug)]
pub struct Recorded {
    pub credential: credential::Model,
    pub change: PeriodChange,
    /// False for a preview (`dry_run`): nothing was written.
    pub recorded: bool,
}

/// The holder records a registration or renewal (登记) of a verified social-work certificate. A
/// renewal is only taken in its window and with the period's continuing education complete (409
/// `ce_incomplete`). The answer says how the CE period moves and which approved hours stop
/// counting; with `dry_run` the same checks run and the same answer comes back, but nothing is
/// recorded, so an app can show it before the holder confirms.
pub async fn record_registration(
    db: &DatabaseConnection,
    cfg: &TalentConfig,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    registered_on: NaiveDate,
    dry_run: bool,
) -> DomainResult<Recorded> {
    write(db, async |txn| {
        let c = credential::Entity::find_by_id(id).one(txn).await?.ok_or(DomainError::not_found("credential"))?;
        if c.holder_id != actor.user_id {
            return Err(DomainError::not_found("credential"));
        }
        let Some(level) = level_of(&c.kind) else {
            return Err(DomainError::invalid("not_registrable", "only social-work certificates are registered"));
        };
        if c.status != CredentialStatus::Verified {
            return Err(DomainError::conflict("not_verified", "register a certificate once it is verified"));
        }
        let me = credentials::person(txn, actor.user_id).await?;
        let today = local_date(now, &me.time_zone);
        if registered_on < c.issued_on || registered_on > today {
            return Err(DomainError::invalid("invalid_dates", "registeredOn lies between issuedOn and today"));
        }
        let progress = |(start, end): (NaiveDate, NaiveDate)| {
            crate::domain::talent::learning::progress(txn, cfg, me.id, Some(level), start, end)
        };
        let Some(current) = registration(cfg, &c, today) else {
            return Err(DomainError::invalid("not_registrable", "only social-work certificates are registered"));
        };
        let before = (current.period_start, current.period_end);
        let completed_before = progress(before).await?.completed_minutes;
        if c.registered_on.is_some() {
            if registered_on <= c.registered_on.unwrap_or(registered_on) {
                return Err(DomainError::invalid("invalid_dates", "a renewal comes after the current registration"));
            }
            if current.state == RegistrationState::Registered {
                return Err(DomainError::conflict("renewal_not_open", "the renewal window has not opened yet"));
            }
            let required = crate::domain::talent::learning::required_minutes(cfg, Some(level));
            if completed_before < required {
                return Err(DomainError::conflict(
                    "ce_incomplete",
                    format!(
                        "renewal needs {} hours of continuing education in the period; {} are recorded",
                        required / 60,
                        completed_before / 60
                    ),
                ));
            }
        }
        let mut moved = c.clone();
        moved.registered_on = Some(registered_on);
        let after = registration(cfg, &moved, today).map_or(before, |r| (r.period_start, r.period_end));
        let completed_after = progress(after).await?.completed_minutes;
        let overlap = (before.0.max(after.0), before.1.min(after.1));
        let kept = if overlap.0 < overlap.1 { progress(overlap).await?.completed_minutes } else { 0 };
        let change = PeriodChange {
            before,
            after,
            completed_minutes_before: completed_before,
            completed_minutes_after: completed_after,
            minutes_no_longer_counting: (completed_before - kept).max(0),
        };
        if dry_run {
            return Ok(Recorded { credential: c, change, recorded: false });
        }
        let mut am = c.into_active_model();
        am.registered_on = Set(Some(registered_on));
        am.updated_at = Set(now);
        Ok(Recorded { credential: am.update(txn).await?, change, recorded: true })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cred(kind: &str, issued: NaiveDate, registered: Option<NaiveDate>) -> credential::Model {
        let t = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        credential::Model {
            id: Uuid::nil(),
            holder_id: Uuid::nil(),
            kind: kind.into(),
            number: "1".into(),
            issuing_body: "x".into(),
            issued_on: issued,
            expires_on: None,
            evidence_ref: "f".into(),
            registered_on: registered,
            status: CredentialStatus::Verified,
            reason: None,
            decided_by: None,
            decided_at: None,
            created_at: t,
            updated_at: t,
        }
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn registration_windows_follow_the_national_defaults() {
        let cfg = TalentConfig::default();
        assert!(registration(&cfg, &cred("first_aid", d("2024-01-10"), None), d("2024-02-01")).is_none());
        let first = registration(&cfg, &cred("social_worker", d("2024-01-10"), None), d("2024-02-01")).unwrap();
        assert_eq!((first.state, first.deadline), (RegistrationState::Unregistered, d("2025-01-10")));
        let late = registration(&cfg, &cred("social_worker", d("2024-01-10"), None), d("2025-01-11")).unwrap();
        assert_eq!(late.state, RegistrationState::Overdue);
        let c = cred("social_worker", d("2024-01-10"), Some(d("2024-03-01")));
        let r = registration(&cfg, &c, d("2026-11-30")).unwrap();
        assert_eq!(
            (r.state, r.valid_until, r.window_opens),
            (RegistrationState::Registered, Some(d("2027-03-01")), d("2026-12-01"))
        );
        assert_eq!(registration(&cfg, &c, d("2026-12-01")).unwrap().state, RegistrationState::RenewalOpen);
        assert_eq!(registration(&cfg, &c, d("2027-03-01")).unwrap().state, RegistrationState::RenewalOpen);
        assert_eq!(registration(&cfg, &c, d("2027-03-02")).unwrap().state, RegistrationState::Lapsed);
    }
}
