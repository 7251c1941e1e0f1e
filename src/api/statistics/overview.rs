//! The other figures of an org unit over a span of months (`/api/v1/stats/overview`):
//! volunteers, social workers, mentoring, honours and tasks. Rules:
//! `domain::statistics::overview`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::csv::{self, CsvFile};
use crate::api::error::ApiResult;
use crate::api::honours::programmes::HonourKind;
use crate::api::talent::credentials::RegistrationStatus;
use crate::api::types::{OrgUnitKind, QualificationLevel};
use crate::api::xlsx::{self, Cell, XlsxFile};
use crate::domain::statistics::overview::{self, Overview};
use crate::state::AppState;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::types::ToJSON;
use poem_openapi::{Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Statistics beyond hours.
pub struct StatsOverviewApi;

/// How many volunteers reached a star level (their highest).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct StarLevelCount {
    pub level: i32,
    pub volunteers: u64,
}

/// Volunteers of the unit's subtree.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct VolunteerFigures {
    /// With approved service recorded in the subtree in the span.
    pub active: u64,
    /// Volunteer accounts created in the span.
    pub new: u64,
    /// By the highest star level reached (volunteers without one are not listed).
    pub by_star_level: Vec<StarLevelCount>,
}

/// How many social workers hold a verified level as their highest.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct VerifiedLevelCount {
    /// Absent: no verified, unexpired national level.
    pub level: Option<QualificationLevel>,
    pub social_workers: u64,
}

/// How many holders of a level stand at one step of registration (登记).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct RegistrationCount {
    pub status: RegistrationStatus,
    pub social_workers: u64,
}

/// Social workers by continuing education (继续教育) in their current registration period.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ContinuingEducationFigures {
    /// Holding a level, its required CE hours completed.
    pub on_track: u64,
    /// Holding a level, short of its required CE hours.
    pub behind: u64,
    /// Without a verified level: nothing required.
    pub without_level: u64,
}

/// Social workers of the unit's subtree.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct SocialWorkerFigures {
    pub total: u64,
    /// By the highest verified national level unexpired today.
    pub by_verified_level: Vec<VerifiedLevelCount>,
    /// Holders of a level by the registration of that level's certificate (steps nobody is at
    /// are left out).
    pub by_registration: Vec<RegistrationCount>,
    pub continuing_education: ContinuingEducationFigures,
}

/// Mentoring pairs with the mentor or the mentee in the subtree.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct MentoringFigures {
    /// Active now.
    pub active_pairs: u64,
    /// Graduated in the span.
    pub graduated_pairs: u64,
    /// Session logs held in the span.
    pub sessions_logged: u64,
}

/// Published honours of one kind and year.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HonourCount {
    pub kind: HonourKind,
    pub year: i32,
    pub honours: u64,
}

/// Tasks of the subtree starting in the span (published or completed).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct TaskFigures {
    pub held: u64,
    pub seats: i64,
    /// Confirmed seats taken.
    pub filled: i64,
    /// `filled / seats`, 0 to 1 (0 without seats), to the thousandth.
    pub fill_rate: f64,
}

/// A unit's figures over a span of months.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct StatsOverview {
    pub org_unit_id: Uuid,
    pub name: String,
    pub kind: OrgUnitKind,
    /// The first month, `YYYY-MM`.
    pub from: String,
    /// The last month, `YYYY-MM` (included).
    pub to: String,
    pub volunteers: VolunteerFigures,
    pub social_workers: SocialWorkerFigures,
    pub mentoring: MentoringFigures,
    /// By kind, then year.
    pub honours: Vec<HonourCount>,
    pub tasks: TaskFigures,
}

impl From<Overview> for StatsOverview {
    fn from(o: Overview) -> Self {
        let t = o.tasks;
        let fill_rate = if t.seats > 0 { (t.filled as f64 / t.seats as f64 * 1000.0).round() / 1000.0 } else { 0.0 };
        StatsOverview {
            org_unit_id: o.unit.id,
            name: o.unit.name,
            kind: o.unit.kind.into(),
            from: o.span.from_key(),
            to: o.span.to_key(),
            volunteers: VolunteerFigures {
                active: o.volunteers.active,
                new: o.volunteers.new,
                by_star_level: o
                    .volunteers
                    .by_star_level
                    .into_iter()
                    .map(|(level, volunteers)| StarLevelCount { level, volunteers })
                    .collect(),
            },
            social_workers: SocialWorkerFigures {
                total: o.social_workers.total,
                by_verified_level: o
                    .social_workers
                    .by_verified_level
                    .into_iter()
                    .map(|(level, social_workers)| VerifiedLevelCount { level: level.map(Into::into), social_workers })
                    .collect(),
                by_registration: o
                    .social_workers
                    .by_registration
                    .into_iter()
                    .map(|(status, social_workers)| RegistrationCount { status: status.into(), social_workers })
                    .collect(),
                continuing_education: ContinuingEducationFigures {
                    on_track: o.social_workers.continuing_education.on_track,
                    behind: o.social_workers.continuing_education.behind,
                    without_level: o.social_workers.continuing_education.without_level,
                },
            },
            mentoring: MentoringFigures {
                active_pairs: o.mentoring.active_pairs,
                graduated_pairs: o.mentoring.graduated_pairs,
                sessions_logged: o.mentoring.sessions_logged,
            },
            honours: o
                .honours
                .into_iter()
                .map(|(kind, year, honours)| HonourCount { kind: kind.into(), year, honours })
                .collect(),
            tasks: TaskFigures { held: t.held, seats: t.seats, filled: t.filled, fill_rate },
        }
    }
}

#[OpenApi(tag = "Tag::Statistics")]
impl StatsOverviewApi {
    /// A unit's figures over a span of months (administrators, a unit in their scope): active,
    /// new and star-level volunteers; social workers by verified level, registration and
    /// continuing education; mentoring pairs active
    /// and graduated, sessions logged; published honours by kind and year; tasks held and their
    /// fill rate.
    #[oai(path = "/api/v1/stats/overview", method = "get", operation_id = "getStatsOverview")]
    async fn overview(
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
    ) -> ApiResult<Json<StatsOverview>> {
        Ok(Json(of(&state, &auth, org_unit_id.0, from.0, to.0).await?))
    }

    /// The same figures as CSV: one line per figure (section, figure, value) (administrators).
    #[oai(path = "/api/v1/stats/overview.csv", method = "get", operation_id = "exportStatsOverview")]
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
    ) -> ApiResult<CsvFile> {
        let rows = download_rows(of(&state, &auth, org_unit_id.0, from.0, to.0).await?);
        let rows = rows.iter().map(|r| r.iter().map(Cell::csv).collect()).collect();
        Ok(csv::whole("stats-overview.csv", &DOWNLOAD_HEADER, rows))
    }

    /// The same figures as an XLSX workbook (administrators).
    #[oai(path = "/api/v1/stats/overview.xlsx", method = "get", operation_id = "exportStatsOverviewXlsx")]
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
    ) -> ApiResult<XlsxFile> {
        let rows = download_rows(of(&state, &auth, org_unit_id.0, from.0, to.0).await?);
        xlsx::workbook("stats-overview.xlsx", "overview", &DOWNLOAD_HEADER, &rows)
    }
}

/// The overview the caller asked for, as the wire shows it.
async fn of(
    state: &AppState,
    auth: &BearerAuth,
    unit: Option<Uuid>,
    from: Option<String>,
    to: Option<String>,
) -> ApiResult<StatsOverview> {
    let o = overview::overview(
        &state.db,
        &state.config.talent,
        &auth.0.actor(),
        state.clock.now(),
        unit,
        from.as_deref(),
        to.as_deref(),
    )
    .await?;
    Ok(o.into())
}

/// The columns of the overview downloads.
const DOWNLOAD_HEADER: [&str; 7] = ["org_unit_id", "org_unit", "from", "to", "section", "figure", "value"];

/// One line per figure: the section and the figure as the API names them.
fn download_rows(o: StatsOverview) -> Vec<Vec<Cell>> {
    fn name(v: &impl ToJSON) -> String {
        v.to_json().and_then(|j| j.as_str().map(str::to_string)).unwrap_or_else(|| "none".into())
    }
    let mut figures: Vec<(&str, String, Cell)> = vec![
        ("volunteers", "active".into(), Cell::int(o.volunteers.active as i64)),
        ("volunteers", "new".into(), Cell::int(o.volunteers.new as i64)),
    ];
    for s in &o.volunteers.by_star_level {
        figures.push(("volunteers", format!("star_level_{}", s.level), Cell::int(s.volunteers as i64)));
    }
    let sw = &o.social_workers;
    figures.push(("social_workers", "total".into(), Cell::int(sw.total as i64)));
    for l in &sw.by_verified_level {
        let level = l.level.as_ref().map_or_else(|| "none".to_string(), name);
        figures.push(("social_workers", format!("verified_level_{level}"), Cell::int(l.social_workers as i64)));
    }
    for r in &sw.by_registration {
        figures.push((
            "social_workers",
            format!("registration_{}", name(&r.status)),
            Cell::int(r.social_workers as i64),
        ));
    }
    let ce = &sw.continuing_education;
    for (figure, n) in [("ce_on_track", ce.on_track), ("ce_behind", ce.behind), ("ce_without_level", ce.without_level)]
    {
        figures.push(("social_workers", figure.into(), Cell::int(n as i64)));
    }
    let m = &o.mentoring;
    for (figure, n) in [
        ("active_pairs", m.active_pairs),
        ("graduated_pairs", m.graduated_pairs),
        ("sessions_logged", m.sessions_logged),
    ] {
        figures.push(("mentoring", figure.into(), Cell::int(n as i64)));
    }
    for h in &o.honours {
        figures.push(("honours", format!("{}_{}", name(&h.kind), h.year), Cell::int(h.honours as i64)));
    }
    let t = &o.tasks;
    figures.push(("tasks", "held".into(), Cell::int(t.held as i64)));
    figures.push(("tasks", "seats".into(), Cell::int(t.seats)));
    figures.push(("tasks", "filled".into(), Cell::int(t.filled)));
    figures.push(("tasks", "fill_rate".into(), Cell::fixed(t.fill_rate, 3)));
    figures
        .into_iter()
        .map(|(section, figure, value)| {
            vec![
                Cell::from(o.org_unit_id.to_string()),
                Cell::from(o.name.clone()),
                Cell::from(o.from.clone()),
                Cell::from(o.to.clone()),
                Cell::from(section),
                Cell::from(figure),
                value,
            ]
        })
        .collect()
}
