//! Time zones and local calendars: which zone a person, an org unit or a place keeps, the local
//! day of an instant, the instant a local wall-clock time happens, working days, and how a time
//! is written in a message.
//!
//! Every "today", "this year", "per day" and "in N working days" goes through here so that the
//! zone is chosen the same way everywhere: a person's own zone, else their home org unit's, else
//! the city default ([`DEFAULT_TIME_ZONE`]). New org units inherit their parent's zone and new
//! people their home unit's ([`zone_for_new`]), so the chain rarely needs more than its first
//! link; the later ones keep a row whose zone is unknown to this build of the zone database from
//! silently reading as UTC.

use crate::domain::{DomainError, DomainResult};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
pub use chrono_tz::Tz;
use entity::{org_unit, user};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use uuid::Uuid;

/// The city default: the zone of units and people created without one and without a parent.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";
/// [`DEFAULT_TIME_ZONE`], parsed.
pub const DEFAULT_ZONE: Tz = chrono_tz::Asia::Shanghai;

/// Checks that an IANA time-zone name is known.
pub fn validate_time_zone(tz: &str) -> DomainResult<()> {
    tz.parse::<Tz>().map(|_| ()).map_err(|_| {
        DomainError::invalid("invalid_time_zone", "the time zone is not an IANA time zone name (e.g. Asia/Shanghai)")
    })
}

/// The first known zone among `names`, in order of preference; the city default if none is.
pub fn first_zone<'a>(names: impl IntoIterator<Item = Option<&'a str>>) -> Tz {
    names.into_iter().flatten().find_map(|n| n.parse().ok()).unwrap_or(DEFAULT_ZONE)
}

/// The zone `name` names, or the city default if it names none.
pub fn zone(name: &str) -> Tz {
    first_zone([Some(name)])
}

/// The calendar day of `at` in `zone`.
pub fn date_in(at: DateTime<Utc>, zone: Tz) -> NaiveDate {
    at.with_timezone(&zone).date_naive()
}

/// The calendar day of `at` in the zone named `tz` (the city default if the name is unknown).
pub fn local_date(at: DateTime<Utc>, tz: &str) -> NaiveDate {
    date_in(at, zone(tz))
}

/// The instant the wall clock in `zone` first reads `time` on `day`. When a daylight-saving
/// jump skips that time, the first instant after the gap (the clock never reads it, and the
/// moment it was meant for has come); when the clocks go back, the earlier of the two.
pub fn at_local(day: NaiveDate, time: NaiveTime, zone: Tz) -> DateTime<Utc> {
    let wall = day.and_time(time);
    // Gaps are at most a few hours; step through them a quarter-hour at a time.
    (0..=16)
        .find_map(|q| zone.from_local_datetime(&(wall + Duration::minutes(15 * q))).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&wall))
}

/// The instant `day` begins in `zone` (local midnight, or the end of a gap that swallows it).
pub fn start_of_day(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    at_local(day, NaiveTime::MIN, zone)
}

/// The instant the calendar year `year` begins in `zone`; `None` outside chrono's range.
pub fn start_of_year(year: i32, zone: Tz) -> Option<DateTime<Utc>> {
    NaiveDate::from_ymd_opt(year, 1, 1).map(|d| start_of_day(d, zone))
}

/// Monday to Friday. Public holidays are not known to the system.
pub fn is_working_day(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The `n`-th working day after `day` (`day` itself never counts).
pub fn add_working_days(day: NaiveDate, n: u32) -> NaiveDate {
    let mut d = day;
    let mut counted = 0;
    while counted < n {
        d += Duration::days(1);
        if is_working_day(d) {
            counted += 1;
        }
    }
    d
}

/// A time as a message shows it: `11-28 09:30` on the wall clock of `zone`.
pub fn format_local(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone).format("%m-%d %H:%M").to_string()
}

/// The zone of an org unit; the city default if there is no such unit.
pub async fn unit_zone(conn: &impl ConnectionTrait, unit: Uuid) -> Result<Tz, DbErr> {
    let u = org_unit::Entity::find_by_id(unit).one(conn).await?;
    Ok(first_zone([u.as_ref().map(|u| u.time_zone.as_str())]))
}

/// The zone a person lives by: their own, else their home unit's, else the city default.
pub async fn person_zone(conn: &impl ConnectionTrait, person: &user::Model) -> Result<Tz, DbErr> {
    if let Ok(z) = person.time_zone.parse() {
        return Ok(z);
    }
    match person.org_unit_id {
        Some(unit) => unit_zone(conn, unit).await,
        None => Ok(DEFAULT_ZONE),
    }
}

/// [`person_zone`] from names already read: the person's own zone, else their home unit's (if
/// they have one), else the city default.
pub fn person_zone_of(own: &str, home_unit: Option<&str>) -> Tz {
    own.parse().unwrap_or_else(|_| first_zone([home_unit]))
}

/// [`person_zone`] by id; the city default for nobody.
pub async fn person_zone_by_id(conn: &impl ConnectionTrait, person: Uuid) -> Result<Tz, DbErr> {
    match user::Entity::find_by_id(person).one(conn).await? {
        Some(p) => person_zone(conn, &p).await,
        None => Ok(DEFAULT_ZONE),
    }
}

/// The person's calendar day at `now`.
pub async fn person_today(conn: &impl ConnectionTrait, person: Uuid, now: DateTime<Utc>) -> Result<NaiveDate, DbErr> {
    Ok(date_in(now, person_zone_by_id(conn, person).await?))
}

/// The zone a new person or unit starts with: the one given (checked), else the zone of the unit
/// they sit in (a person's home unit, a unit's parent), else the city default.
pub async fn zone_for_new(
    conn: &impl ConnectionTrait,
    given: Option<String>,
    within: Option<Uuid>,
) -> DomainResult<String> {
    if let Some(tz) = given {
        validate_time_zone(&tz)?;
        return Ok(tz);
    }
    let zone = match within {
        Some(unit) => unit_zone(conn, unit).await?,
        None => DEFAULT_ZONE,
    };
    Ok(zone.name().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn zones_fall_back_in_order_and_then_to_the_city_default() {
        assert_eq!(zone("Europe/London"), chrono_tz::Europe::London);
        assert_eq!(zone("Mars/Olympus"), DEFAULT_ZONE);
        assert_eq!(zone(""), DEFAULT_ZONE);
        assert_eq!(first_zone([Some("nope"), Some("Pacific/Auckland")]), chrono_tz::Pacific::Auckland);
        assert_eq!(first_zone([None, Some("America/New_York")]), chrono_tz::America::New_York);
        assert_eq!(first_zone([None, None]), DEFAULT_ZONE);
        assert!(validate_time_zone("Pacific/Auckland").is_ok());
        assert!(validate_time_zone("UTC+8").is_err());
    }

    #[test]
    fn the_local_day_near_midnight_depends_on_the_zone() {
        // 23:30 in New York on 1 December is 12:30 on 2 December in Shanghai.
        let at = utc("2026-12-02T04:30:00Z");
        assert_eq!(local_date(at, "America/New_York"), day("2026-12-01"));
        assert_eq!(local_date(at, "Asia/Shanghai"), day("2026-12-02"));
        // 00:30 on 2 December in Auckland (UTC+13) is still 1 December in London and Shanghai.
        let at = utc("2026-12-01T11:30:00Z");
        assert_eq!(local_date(at, "Pacific/Auckland"), day("2026-12-02"));
        assert_eq!(local_date(at, "Europe/London"), day("2026-12-01"));
        assert_eq!(local_date(at, "Asia/Shanghai"), day("2026-12-01"));
    }

    #[test]
    fn an_unknown_zone_name_reads_as_the_city_default_not_utc() {
        // 18:00 UTC on 1 December is already 2 December in Shanghai.
        let at = utc("2026-12-01T18:00:00Z");
        assert_eq!(local_date(at, "not/a-zone"), day("2026-12-02"));
    }

    #[test]
    fn local_wall_clock_times_survive_daylight_saving_jumps() {
        let ny = chrono_tz::America::New_York;
        // 8 March 2026: 02:00 jumps to 03:00 in New York; 02:30 never happens.
        let t = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
        assert_eq!(at_local(day("2026-03-08"), t, ny), utc("2026-03-08T07:00:00Z"));
        // 1 November 2026: 01:30 happens twice; the first (EDT) counts.
        let t = NaiveTime::from_hms_opt(1, 30, 0).unwrap();
        assert_eq!(at_local(day("2026-11-01"), t, ny), utc("2026-11-01T05:30:00Z"));
        assert_eq!(start_of_day(day("2026-12-02"), chrono_tz::Pacific::Auckland), utc("2026-12-01T11:00:00Z"));
        assert_eq!(start_of_year(2027, DEFAULT_ZONE), Some(utc("2026-12-31T16:00:00Z")));
    }

    #[test]
    fn working_days_skip_weekends() {
        // Friday 4 December 2026.
        assert_eq!(add_working_days(day("2026-12-04"), 1), day("2026-12-07"));
        assert_eq!(add_working_days(day("2026-12-05"), 5), day("2026-12-11"));
        assert_eq!(add_working_days(day("2026-11-30"), 0), day("2026-11-30"));
        assert!(!is_working_day(day("2026-12-06")));
    }

    #[test]
    fn messages_show_the_wall_clock_of_the_zone() {
        let at = utc("2026-12-01T11:30:00Z");
        assert_eq!(format_local(at, DEFAULT_ZONE), "12-01 19:30");
        assert_eq!(format_local(at, chrono_tz::Pacific::Auckland), "12-02 00:30");
        assert_eq!(format_local(at, chrono_tz::Europe::London), "12-01 11:30");
    }
}
