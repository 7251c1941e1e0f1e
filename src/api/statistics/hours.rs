//! Service hours and service count (人次) of an org unit and of each unit one level below it,
//! per action line and month (`/api/v1/stats/hours`, and the same table as CSV at
//! `/api/v1/stats/hours.csv`). Rules: `domain::statistics::hours`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::csv::{self, CsvFile};
use crate::api::error::ApiResult;
use crate::api::types::{ActionLine, OrgUnitKind};
use crate::api::xlsx::{self, Cell, XlsxFile};
use crate::domain::kernel::catalogue;
use crate::domain::statistics::hours::{self, HoursQuery, HoursTable, UnitHours};
use crate::state::AppState;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::{Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Statistics of service hours.
pub struct StatsHoursApi;

/// Minutes as hours, to the hundredth.
fn hours_of(minutes: i64) -> f64 {
    (minutes as f64 / 60.0 * 100.0).round() / 100.0
}

/// One month of one action line at one unit.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct StatsHoursRow {
    /// `YYYY-MM`, of the entries' service dates.
    pub month: String,
    pub action_line: ActionLine,
    /// Approved minutes, corrections included.
    pub minutes: i64,
    /// The same in hours, to the hundredth.
    pub hours: f64,
    /// Approved services (人次): entries, not counting corrections.
    pub service_count: i64,
}

/// One unit's figures.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct StatsHoursUnit {
    pub org_unit_id: Uuid,
    pub name: String,
    pub kind: OrgUnitKind,
    /// Over every row below.
    pub minutes: i64,
    pub hours: f64,
    pub service_count: i64,
    /// By month, then action line; months and lines without service are left out.
    pub rows: Vec<StatsHoursRow>,
}

impl From<UnitHours> for StatsHoursUnit {
    fn from(u: UnitHours) -> Self {
        let (minutes, service_count) = u.totals();
        StatsHoursUnit {
            org_unit_id: u.unit.id,
            name: u.unit.name,
            kind: u.unit.kind.into(),
            minutes,
            hours: hours_of(minutes),
            service_count,
            rows: u
                .rows
                .into_iter()
                .map(|r| StatsHoursRow {
                    month: r.month,
                    action_line: r.action_line.into(),
                    minutes: r.minutes,
                    hours: hours_of(r.minutes),
                    service_count: r.service_count,
                })
                .collect(),
        }
    }
}

/// A unit's hours and its children's, for drilling down from the city to a room.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct StatsHours {
    /// The first month, `YYYY-MM`.
    pub from: String,
    /// The last month, `YYYY-MM` (included).
    pub to: String,
    /// The one action line counted, when asked for.
    pub action_line: Option<ActionLine>,
    /// The unit itself: everything served at it and below it.
    pub unit: StatsHoursUnit,
    /// Each unit one level below, oldest first; their figures sum to the unit's less what was
    /// recorded at the unit itself.
    pub children: Vec<StatsHoursUnit>,
}

impl From<HoursTable> for StatsHours {
    fn from(t: HoursTable) -> Self {
        StatsHours {
            from: t.span.from_key(),
            to: t.span.to_key(),
            action_line: t.action_line.map(Into::into),
            unit: t.unit.into(),
            children: t.children.into_iter().map(Into::into).collect(),
        }
    }
}

#[OpenApi(tag = "Tag::Statistics")]
impl StatsHoursApi {
    /// Service hours and service count (人次) of a unit in one's scope and of each unit one level
    /// below it, per action line and month (administrators). Everything served at a room counts
    /// at its station, district and city too.
    #[oai(path = "/api/v1/stats/hours", method = "get", operation_id = "getStatsHours")]
    async fn hours(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// A unit within one's scope (default: one's scope root: one's station, district or city).
        #[oai(name = "orgUnitId")]
        org_unit_id: Query<Option<Uuid>>,
        /// The first month, `YYYY-MM` (default: eleven months before `to`).
        from: Query<Option<String>>,
        /// The last month, `YYYY-MM` (default: this month); at most 36 months from `from`.
        to: Query<Option<String>>,
        /// Count only this action line.
        #[oai(name = "actionLine")]
        action_line: Query<Option<ActionLine>>,
    ) -> ApiResult<Json<StatsHours>> {
        let q = HoursQuery { unit: org_unit_id.0, from: from.0, to: to.0, action_line: action_line.0.map(Into::into) };
        Ok(Json(hours::table(&state.db, &auth.0.actor(), state.clock.now(), q).await?.into()))
    }

    /// The same table as CSV: one line per unit, month and action line, the unit first, then its
    /// children (administrators).
    #[oai(path = "/api/v1/stats/hours.csv", method = "get", operation_id = "exportStatsHours")]
    async fn export(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// A unit within one's scope (default: one's scope root).
        #[oai(name = "orgUnitId")]
        org_unit_id: Query<Option<Uuid>>,
        /// The first month, `YYYY-MM` (default: eleven months before `to`).
        from: Query<Option<String>>,
        /// The last month, `YYYY-MM` (default: this month); at most 36 months from `from`.
        to: Query<Option<String>>,
        /// Count only this action line.
        #[oai(name = "actionLine")]
        action_line: Query<Option<ActionLine>>,
    ) -> ApiResult<CsvFile> {
        let q = HoursQuery { unit: org_unit_id.0, from: from.0, to: to.0, action_line: action_line.0.map(Into::into) };
        let rows = download_rows(hours::table(&state.db, &auth.0.actor(), state.clock.now(), q).await?);
        let rows = rows.iter().map(|r| r.iter().map(Cell::csv).collect()).collect();
        Ok(csv::whole("stats-hours.csv", &DOWNLOAD_HEADER, rows))
    }

    /// The same table as an XLSX workbook, hours and counts as numbers (administrators).
    #[oai(path = "/api/v1/stats/hours.xlsx", method = "get", operation_id = "exportStatsHoursXlsx")]
    async fn export_xlsx(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// A unit within one's scope (default: one's scope root).
        #[oai(name = "orgUnitId")]
        org_unit_id: Query<Option<Uuid>>,
        /// The first month, `YYYY-MM` (default: eleven months before `to`).
        from: Query<Option<String>>,
        /// The last month, `YYYY-MM` (default: this month); at most 36 months from `from`.
        to: Query<Option<String>>,
        /// Count only this action line.
        #[oai(name = "actionLine")]
        action_line: Query<Option<ActionLine>>,
    ) -> ApiResult<XlsxFile> {
        let q = HoursQuery { unit: org_unit_id.0, from: from.0, to: to.0, action_line: action_line.0.map(Into::into) };
        let rows = download_rows(hours::table(&state.db, &auth.0.actor(), state.clock.now(), q).await?);
        xlsx::workbook("stats-hours.xlsx", "hours", &DOWNLOAD_HEADER, &rows)
    }
}

/// The columns of the hours downloads.
const DOWNLOAD_HEADER: [&str; 8] =
    ["org_unit_id", "org_unit", "level", "month", "action_line", "minutes", "hours", "service_count"];

/// The lines of the hours downloads: per unit (the unit, then its children), month and action
/// line, the action line in the caller's language.
fn download_rows(t: HoursTable) -> Vec<Vec<Cell>> {
    let locale = crate::api::language::current();
    let mut rows = Vec::new();
    let units = std::iter::once(("unit", t.unit)).chain(t.children.into_iter().map(|c| ("child", c)));
    for (level, u) in units {
        for r in u.rows {
            rows.push(vec![
                Cell::from(u.unit.id.to_string()),
                Cell::from(u.unit.name.clone()),
                Cell::from(level),
                Cell::from(r.month),
                Cell::from(catalogue::action_line(r.action_line).get(locale)),
                Cell::int(r.minutes),
                Cell::fixed(hours_of(r.minutes), 2),
                Cell::int(r.service_count),
            ]);
        }
    }
    rows
}
