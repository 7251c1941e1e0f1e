//! The limits of the hours ledger that no source may pass: at most 24 hours of service per
//! person per local day across every entry (task stays, leader entries, claims, make-ups,
//! corrections), claims that do not overlap a recorded stay, and corrections that stay inside
//! the entry's own window.
//!
//! Table: `hours_windows` (when a claim's service took place, when it says so).
//!
//! Each entry's service took place in a window: its own row in `hours_windows` (a claim that says
//! when it started, and the corrections of such a claim), else its task's schedule, else the whole
//! local day of its service date. An entry counts to each local day the part of its minutes that
//! its window spends in that day, so a stay across midnight counts to both days.
//!
//! The limit is checked when time is claimed (pending and approved entries count) and again when
//! it is approved (approved entries count), after the change and inside its transaction, with
//! the person's ledger locked (`users::lock_person`; SQLite's write transaction serialises
//! anyway), so two requests cannot both pass on the same room.

use crate::domain::kernel::time::{Tz, date_in, start_of_day, zone};
use crate::domain::people::users;
use crate::domain::{DomainError, DomainResult, both};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::hours_entry::{self, HoursStatus};
use entity::{attendance, hours_window, task};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::HashMap;
use uuid::Uuid;

/// Minutes in a day: the most anyone serves in one.
pub const DAY_MINUTES: i64 = 24 * 60;

/// When an entry's service took place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl Window {
    /// The whole local day `day` in `zone`.
    pub fn day(day: NaiveDate, zone: Tz) -> Window {
        Window { starts_at: start_of_day(day, zone), ends_at: start_of_day(day + Duration::days(1), zone) }
    }

    /// How long the window lasts, in minutes.
    pub fn minutes(&self) -> i64 {
        (self.ends_at - self.starts_at).num_minutes()
    }

    /// The local days the window touches, first to last.
    fn days(&self, zone: Tz) -> Vec<NaiveDate> {
        let first = date_in(self.starts_at, zone);
        let last = date_in(self.ends_at.max(self.starts_at + Duration::seconds(1)) - Duration::seconds(1), zone);
        first.iter_days().take_while(|d| *d <= last).collect()
    }

    /// The seconds this window shares with `other`.
    fn shared_seconds(&self, other: &Window) -> i64 {
        (self.ends_at.min(other.ends_at) - self.starts_at.max(other.starts_at)).num_seconds().max(0)
    }
}

/// Which entries count against the limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counting {
    /// When time is claimed: pending and approved entries.
    Claimed,
    /// When time is approved (or entered already approved): approved entries.
    Approved,
}

impl Counting {
    fn statuses(self) -> Vec<HoursStatus> {
        match self {
            Counting::Claimed => vec![HoursStatus::Pending, HoursStatus::Approved],
            Counting::Approved => vec![HoursStatus::Approved],
        }
    }
}

/// Records when a claim's service took place.
pub(super) async fn record_window(txn: &impl ConnectionTrait, entry: Uuid, w: Window) -> DomainResult<()> {
    hours_window::ActiveModel { entry_id: Set(entry), starts_at: Set(w.starts_at), ends_at: Set(w.ends_at) }
        .insert(txn)
        .await?;
    Ok(())
}

/// The window of each entry (see the module header).
async fn windows(
    db: &impl ConnectionTrait,
    entries: &[hours_entry::Model],
    zone: Tz,
) -> DomainResult<HashMap<Uuid, Window>> {
    let own_ids = entries.iter().flat_map(|e| [Some(e.id), e.adjusts_id]).flatten();
    let own: HashMap<Uuid, Window> = hours_window::Entity::find()
        .filter(hours_window::Column::EntryId.is_in(own_ids.collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|w| (w.entry_id, Window { starts_at: w.starts_at, ends_at: w.ends_at }))
        .collect();
    let task_ids: Vec<Uuid> = entries.iter().filter_map(|e| e.task_id).collect();
    let schedules: HashMap<Uuid, Window> = task::Entity::find()
        .filter(task::Column::Id.is_in(task_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, Window { starts_at: t.starts_at, ends_at: t.ends_at }))
        .collect();
    Ok(entries
        .iter()
        .map(|e| {
            let w = own
                .get(&e.id)
                .or_else(|| e.adjusts_id.and_then(|a| own.get(&a)))
                .or_else(|| e.task_id.and_then(|t| schedules.get(&t)))
                .copied()
                .unwrap_or_else(|| Window::day(e.service_date, zone));
            (e.id, w)
        })
        .collect())
}

/// The window of one entry.
pub(super) async fn window_of(db: &impl ConnectionTrait, e: &hours_entry::Model, zone: Tz) -> DomainResult<Window> {
    let w = windows(db, std::slice::from_ref(e), zone).await?;
    Ok(w.get(&e.id).copied().unwrap_or_else(|| Window::day(e.service_date, zone)))
}

/// The part of an entry's minutes that falls in `day` (its window's share of it).
fn part_in(e: &hours_entry::Model, w: &Window, day: &Window) -> f64 {
    let len = (w.ends_at - w.starts_at).num_seconds();
    if len <= 0 {
        return if day.starts_at <= w.starts_at && w.starts_at < day.ends_at { f64::from(e.minutes) } else { 0.0 };
    }
    f64::from(e.minutes) * w.shared_seconds(day) as f64 / len as f64
}

/// Ensures that the entries just written (`changed`, already in the transaction) leave every
/// local day they touch within 24 hours of each person's entries that count, with each person's
/// ledger locked first. On failure the caller's transaction rolls back, so nothing changes.
pub(super) async fn ensure_within(
    txn: &impl ConnectionTrait,
    changed: &[hours_entry::Model],
    counting: Counting,
) -> DomainResult<()> {
    let mut people: Vec<Uuid> = changed.iter().map(|e| e.volunteer_id).collect();
    people.sort();
    people.dedup();
    for person in people {
        let theirs: Vec<hours_entry::Model> = changed.iter().filter(|e| e.volunteer_id == person).cloned().collect();
        users::lock_person(txn, person).await?;
        let zone = zone(&super::hours::unit_tz(txn, theirs[0].org_unit_id).await?);
        ensure_day_totals(txn, person, &theirs, zone, counting).await?;
    }
    Ok(())
}

/// [`ensure_within`] for one person's entries, in the zone of the unit that recorded them.
async fn ensure_day_totals(
    txn: &impl ConnectionTrait,
    volunteer: Uuid,
    changed: &[hours_entry::Model],
    zone: Tz,
    counting: Counting,
) -> DomainResult<()> {
    let mine = windows(txn, changed, zone).await?;
    let mut days: Vec<NaiveDate> = mine.values().flat_map(|w| w.days(zone)).collect();
    days.sort();
    days.dedup();
    let (Some(&from), Some(&to)) = (days.first(), days.last()) else { return Ok(()) };
    // A window may start days before the day it reaches (a multi-day task is dated by its start).
    let others = hours_entry::Entity::find()
        .filter(hours_entry::Column::VolunteerId.eq(volunteer))
        .filter(hours_entry::Column::Status.is_in(counting.statuses()))
        .filter(hours_entry::Column::ServiceDate.between(from - Duration::days(15), to + Duration::days(1)))
        .all(txn)
        .await?;
    let all = windows(txn, &others, zone).await?;
    for day in days {
        let bounds = Window::day(day, zone);
        let (mut total, mut new) = (0.0, 0.0);
        for e in &others {
            let part = all.get(&e.id).map(|w| part_in(e, w, &bounds)).unwrap_or(0.0);
            total += part;
            if changed.iter().any(|c| c.id == e.id) {
                new += part;
            }
        }
        // Shares of a window are fractions of a minute; a hair over the day is rounding.
        if total > DAY_MINUTES as f64 + 0.5 {
            let remaining = (DAY_MINUTES as f64 - (total - new)).floor().max(0.0) as i64;
            return Err(DomainError::conflict(
                "day_limit_exceeded",
                both(
                    format!("nobody serves more than 24 hours in a day: {remaining} minutes remain on that day"),
                    format!("每人每天服务时长不超过 24 小时：当天还剩 {remaining} 分钟"),
                ),
            ));
        }
    }
    Ok(())
}

/// Refuses a claim whose window overlaps a stay the person checked in for (the stay is already
/// their time, recorded by the task; a stay still open runs on).
pub(super) async fn ensure_no_stay_overlap(txn: &impl ConnectionTrait, volunteer: Uuid, w: Window) -> DomainResult<()> {
    let overlapping = attendance::Entity::find()
        .filter(attendance::Column::VolunteerId.eq(volunteer))
        .filter(attendance::Column::CheckedInAt.lt(w.ends_at))
        .filter(
            Condition::any()
                .add(attendance::Column::CheckedOutAt.is_null())
                .add(attendance::Column::CheckedOutAt.gt(w.starts_at)),
        )
        .one(txn)
        .await?;
    if overlapping.is_some() {
        return Err(DomainError::conflict(
            "overlaps_recorded_stay",
            both(
                "the claimed time overlaps a stay already recorded by a task; a claim without a start time covers its whole day",
                "申报的时间与已记录的活动签到时段重叠；未填写开始时间的申报视为覆盖当天全天",
            ),
        ));
    }
    Ok(())
}

/// Ensures a correction leaves the entry within its own window: no more minutes than the window
/// lasts.
pub(super) fn ensure_inside_window(after: i64, w: &Window) -> DomainResult<()> {
    if after > w.minutes() {
        return Err(DomainError::conflict(
            "exceeds_entry_window",
            both(
                format!("a correction cannot give an entry more than its window of {} minutes", w.minutes()),
                format!("更正后的时长不能超过该记录的时段（{} 分钟）", w.minutes()),
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kernel::time::DEFAULT_ZONE;

    #[test]
    fn a_window_across_midnight_touches_both_days_and_a_day_only_itself() {
        let d = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let day = Window::day(d, DEFAULT_ZONE);
        assert_eq!(day.minutes(), DAY_MINUTES);
        assert_eq!(day.days(DEFAULT_ZONE), vec![d]);
        let late = Window { starts_at: day.ends_at - Duration::hours(1), ends_at: day.ends_at + Duration::hours(1) };
        assert_eq!(late.days(DEFAULT_ZONE), vec![d, d + Duration::days(1)]);
        assert_eq!(late.shared_seconds(&day), 3600);
    }
}
