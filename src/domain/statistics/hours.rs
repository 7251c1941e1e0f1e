//! Service hours and service count (人次) of a unit and of each unit one level below it (for
//! drilling down from the city to a room), per action line and month, read from the rollups
//! ([`super::hours_rollups`]): a few rows of one index per unit, whatever the subtree's size.

use super::scope;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::time;
use crate::domain::{DomainError, DomainResult, both};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use entity::hours_rollup;
use entity::org_unit;
use entity::task::ActionLine;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use uuid::Uuid;

/// The longest span of months one table covers (three years).
pub const MAX_MONTHS: u32 = 36;

/// What a table is asked for; `None` takes the default (the viewer's scope root; the twelve
/// months up to the current one; every action line).
#[derive(Clone, Debug, Default)]
pub struct HoursQuery {
    pub unit: Option<Uuid>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub action_line: Option<ActionLine>,
}

/// A span of whole months, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonthSpan {
    /// The first day of the first month.
    pub from: NaiveDate,
    /// The first day of the last month.
    pub to: NaiveDate,
}

impl MonthSpan {
    /// `2026-01`, the first month's key.
    pub fn from_key(&self) -> String {
        super::hours_rollups::month_key(self.from)
    }
    /// `2026-12`, the last month's key.
    pub fn to_key(&self) -> String {
        super::hours_rollups::month_key(self.to)
    }
    /// How many months the span covers.
    pub fn months(&self) -> u32 {
        let months = |d: NaiveDate| d.year() * 12 + d.month0() as i32;
        (months(self.to) - months(self.from) + 1).max(0) as u32
    }
}

/// A month written `YYYY-MM`, or 400 `invalid_month`.
pub fn parse_month(field: &str, value: &str) -> DomainResult<NaiveDate> {
    let b = value.as_bytes();
    let shaped = b.len() == 7 && b[4] == b'-' && b.iter().enumerate().all(|(i, c)| i == 4 || c.is_ascii_digit());
    shaped.then(|| NaiveDate::parse_from_str(&format!("{value}-01"), "%Y-%m-%d").ok()).flatten().ok_or_else(|| {
        DomainError::invalid(
            "invalid_month",
            both(format!("{field} must be a month written YYYY-MM"), format!("{field} 应为 YYYY-MM 格式的月份")),
        )
    })
}

/// The span asked for, checked: each end a month, `from` not after `to`, at most
/// [`MAX_MONTHS`]. Without `to`, the month of `today`; without `from`, the twelve months up to `to`.
pub fn month_span(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> DomainResult<MonthSpan> {
    let to = match to {
        Some(t) => parse_month("to", t)?,
        None => today.with_day(1).unwrap_or(today),
    };
    let from = match from {
        Some(f) => parse_month("from", f)?,
        None => to - Months::new(11),
    };
    if from > to {
        return Err(DomainError::invalid(
            "invalid_month_range",
            both("from must not be after to", "起始月份不能晚于结束月份"),
        ));
    }
    let span = MonthSpan { from, to };
    if span.months() > MAX_MONTHS {
        return Err(DomainError::invalid(
            "month_range_too_long",
            both(format!("a table covers at most {MAX_MONTHS} months"), format!("一次最多统计 {MAX_MONTHS} 个月")),
        ));
    }
    Ok(span)
}

/// One unit's rows, by month then action line.
#[derive(Clone, Debug)]
pub struct UnitHours {
    pub unit: org_unit::Model,
    pub rows: Vec<hours_rollup::Model>,
}

impl UnitHours {
    /// Minutes and service count over all the unit's rows.
    pub fn totals(&self) -> (i64, i64) {
        self.rows.iter().fold((0, 0), |(m, s), r| (m + r.minutes, s + r.service_count))
    }
}

/// The table of a unit and its children.
#[derive(Clone, Debug)]
pub struct HoursTable {
    pub span: MonthSpan,
    pub action_line: Option<ActionLine>,
    pub unit: UnitHours,
    pub children: Vec<UnitHours>,
}

/// The hours table of a unit in the viewer's scope and of its children.
pub async fn table(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
    q: HoursQuery,
) -> DomainResult<HoursTable> {
    let unit = scope::unit_in_scope(db, actor, q.unit).await?;
    // "This month" is the unit's: at 01:00 on the 1st in Shanghai it is already the new month.
    let span = month_span(q.from.as_deref(), q.to.as_deref(), time::local_date(now, &unit.time_zone))?;
    let children = scope::children(db, unit.id).await?;
    let ids: Vec<Uuid> = std::iter::once(unit.id).chain(children.iter().map(|c| c.id)).collect();
    let mut find = hours_rollup::Entity::find()
        .filter(hours_rollup::Column::OrgUnitId.is_in(ids))
        .filter(hours_rollup::Column::Month.between(span.from_key(), span.to_key()));
    if let Some(line) = q.action_line {
        find = find.filter(hours_rollup::Column::ActionLine.eq(line));
    }
    let rows =
        find.order_by_asc(hours_rollup::Column::Month).order_by_asc(hours_rollup::Column::ActionLine).all(db).await?;
    let mut by_unit: HashMap<Uuid, Vec<hours_rollup::Model>> = HashMap::new();
    for r in rows {
        by_unit.entry(r.org_unit_id).or_default().push(r);
    }
    let mut of = |u: org_unit::Model| UnitHours { rows: by_unit.remove(&u.id).unwrap_or_default(), unit: u };
    let children = children.into_iter().map(&mut of).collect();
    Ok(HoursTable { span, action_line: q.action_line, unit: of(unit), children })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn months_are_read_strictly() {
        assert_eq!(parse_month("from", "2026-03").unwrap(), day("2026-03-01"));
        for bad in ["2026-3", "2026-13", "2026-00", "26-03", "2026/03", "2026-03-01", "+026-03", ""] {
            assert!(parse_month("from", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn spans_default_to_the_last_twelve_months_and_are_bounded() {
        let today = day("2026-12-15");
        let s = month_span(None, None, today).unwrap();
        assert_eq!((s.from_key(), s.to_key(), s.months()), ("2026-01".into(), "2026-12".into(), 12));
        assert_eq!(month_span(Some("2024-01"), Some("2026-12"), today).unwrap().months(), 36);
        let code = |r: DomainResult<MonthSpan>| match r {
            Err(DomainError::Invalid { code, .. }) => code,
            other => panic!("{other:?}"),
        };
        assert_eq!(code(month_span(Some("2023-12"), Some("2026-12"), today)), "month_range_too_long");
        assert_eq!(code(month_span(Some("2026-02"), Some("2026-01"), today)), "invalid_month_range");
    }
}
