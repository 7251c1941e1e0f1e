//! `/api/v1/projects`: service projects (服务项目), their funding lines and figures. Everyone
//! signed in reads them; administrators keep the projects of their scope. Tasks join a project
//! when created (`projectId` on `POST /api/v1/tasks`). Rules: `domain::organisations::projects`;
//! figures: `domain::statistics::projects`.

use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::types::{ActionLine, page_of, patch, wire_enum};
use crate::api::{Created, Tag};
use crate::domain::kernel::page::PageRequest;
use crate::domain::organisations::projects::{self, NewFundingLine, NewProject, ProjectEdit};
use crate::domain::statistics::projects as figures;
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use entity::{project, project_funding_line};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Service projects.
pub struct ProjectsApi;

wire_enum! {
    /// Whether a project runs.
    ProjectStatus mirrors project::ProjectStatus {
        Open = "open",
        /// Closed with its evaluation (结项); final.
        Closed = "closed",
    }
}

wire_enum! {
    /// Where a funding line's money comes from.
    FundingKind mirrors project::FundingKind {
        /// 政府购买服务: a government purchase-of-service contract.
        GovernmentPurchase = "government_purchase",
        /// A community charity fund's approved grant (`grantId`).
        CharityGrant = "charity_grant",
        /// 公益创投: a venture-philanthropy award.
        VentureAward = "venture_award",
        /// Raised by the project itself.
        SelfRaised = "self_raised",
    }
}

/// A project.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Project {
    pub id: Uuid,
    pub name: String,
    pub summary: Option<String>,
    /// The org unit whose project it is; its administrators keep it.
    pub owner_unit_id: Uuid,
    /// The social organisation running it, if any.
    pub organisation_id: Option<Uuid>,
    pub action_line: ActionLine,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: ProjectStatus,
    pub closing_evaluation: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<project::Model> for Project {
    fn from(m: project::Model) -> Self {
        Project {
            id: m.id,
            name: m.name,
            summary: m.summary,
            owner_unit_id: m.owner_unit_id,
            organisation_id: m.organisation_id,
            action_line: m.action_line.into(),
            starts_on: m.starts_on,
            ends_on: m.ends_on,
            status: m.status.into(),
            closing_evaluation: m.closing_evaluation,
            closed_at: m.closed_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

page_of!(ProjectPage, Project);

/// A funding line.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct FundingLine {
    pub id: Uuid,
    pub kind: FundingKind,
    pub amount_fen: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub deliverables: Option<String>,
    pub grant_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<project_funding_line::Model> for FundingLine {
    fn from(m: project_funding_line::Model) -> Self {
        FundingLine {
            id: m.id,
            kind: m.kind.into(),
            amount_fen: m.amount_fen,
            starts_on: m.starts_on,
            ends_on: m.ends_on,
            deliverables: m.deliverables,
            grant_id: m.grant_id,
            created_at: m.created_at,
        }
    }
}

/// What a project's tasks have done.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ProjectFigures {
    pub tasks: u64,
    /// Approved service minutes.
    pub minutes: i64,
    /// Approved services (人次).
    pub service_count: i64,
    pub volunteers: i64,
}

/// A project with its funding and figures.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ProjectDetail {
    pub project: Project,
    pub funding: Vec<FundingLine>,
    /// The funding lines' total.
    pub funded_fen: i64,
    pub figures: ProjectFigures,
}

/// A project to start.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateProject {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: String,
    #[oai(validator(max_length = 2000))]
    pub summary: Option<String>,
    pub owner_unit_id: Uuid,
    pub organisation_id: Option<Uuid>,
    pub action_line: ActionLine,
    pub starts_on: NaiveDate,
    /// On or after `startsOn`, within five years.
    pub ends_on: NaiveDate,
}

/// An edit; absent fields stay. `closingEvaluation` closes the project for good.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateProject {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: Option<String>,
    #[oai(validator(max_length = 2000))]
    pub summary: MaybeUndefined<String>,
    /// Not before any funding line's end.
    pub ends_on: Option<NaiveDate>,
    #[oai(validator(min_length = 1, max_length = 4000))]
    pub closing_evaluation: Option<String>,
}

/// A funding line to add.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddFundingLine {
    pub kind: FundingKind,
    #[oai(validator(minimum(value = "1"), maximum(value = "10000000000")))]
    pub amount_fen: i64,
    /// Within the project's dates (400 `funding_outside_project`).
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[oai(validator(max_length = 4000))]
    pub deliverables: Option<String>,
    /// For `charity_grant`: an approved grant funding no other line, at least this amount.
    pub grant_id: Option<Uuid>,
}

async fn detail(state: &AppState, p: project::Model) -> ApiResult<ProjectDetail> {
    let funding = projects::funding(&state.db, p.id).await?;
    let f = figures::of(&state.db, p.id).await?;
    Ok(ProjectDetail {
        funded_fen: funding.iter().map(|l| l.amount_fen).sum(),
        funding: funding.into_iter().map(Into::into).collect(),
        figures: ProjectFigures {
            tasks: f.tasks,
            minutes: f.minutes,
            service_count: f.service_count,
            volunteers: f.volunteers,
        },
        project: p.into(),
    })
}

#[OpenApi(prefix_path = "/api/v1/projects", tag = "Tag::Projects")]
impl ProjectsApi {
    /// Start a project of a unit in one's scope (administrators), optionally run by a social
    /// organisation (400 `recipient_not_found` when it is not an active registered one).
    #[oai(path = "/", method = "post", operation_id = "createProject")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<CreateProject>,
    ) -> ApiResult<Created<Project>> {
        let b = body.0;
        let new = NewProject {
            name: b.name,
            summary: b.summary,
            owner_unit_id: b.owner_unit_id,
            organisation_id: b.organisation_id,
            action_line: b.action_line.into(),
            starts_on: b.starts_on,
            ends_on: b.ends_on,
        };
        let p = projects::create(&state.db, &auth.0.actor(), state.clock.now(), new).await?;
        Ok(Created::Created(Json(p.into())))
    }

    /// Projects, oldest first: of a unit's subtree (`under`) or run by an organisation.
    #[oai(path = "/", method = "get", operation_id = "listProjects")]
    async fn list(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        under: Query<Option<Uuid>>,
        #[oai(name = "organisationId")] organisation_id: Query<Option<Uuid>>,
        cursor: Query<Option<String>>,
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<ProjectPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(projects::list(&state.db, under.0, organisation_id.0, page).await?.into()))
    }

    /// A project with its funding lines and what its tasks have done (approved hours, service
    /// count, volunteers).
    #[oai(path = "/:id", method = "get", operation_id = "getProject")]
    async fn get(&self, state: Data<&AppState>, _auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<ProjectDetail>> {
        let p = projects::get(&state.db, id.0).await?;
        Ok(Json(detail(&state, p).await?))
    }

    /// Edit a project of one's scope, or close it with its evaluation (final: 409
    /// `project_closed` after).
    #[oai(path = "/:id", method = "patch", operation_id = "updateProject")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<UpdateProject>,
    ) -> ApiResult<Json<Project>> {
        let b = body.0;
        let edit =
            ProjectEdit { name: b.name, summary: patch(b.summary), ends_on: b.ends_on, close: b.closing_evaluation };
        Ok(Json(projects::edit(&state.db, &auth.0.actor(), state.clock.now(), id.0, edit).await?.into()))
    }

    /// Add a funding line to a project of one's scope: a government purchase contract, a
    /// charity-fund grant, a venture-philanthropy award or money raised.
    #[oai(path = "/:id/funding", method = "post", operation_id = "addProjectFunding")]
    async fn add_funding(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<AddFundingLine>,
    ) -> ApiResult<Created<FundingLine>> {
        let b = body.0;
        let new = NewFundingLine {
            kind: b.kind.into(),
            amount_fen: b.amount_fen,
            starts_on: b.starts_on,
            ends_on: b.ends_on,
            deliverables: b.deliverables,
            grant_id: b.grant_id,
        };
        let l = projects::add_funding(&state.db, &auth.0.actor(), state.clock.now(), id.0, new).await?;
        Ok(Created::Created(Json(l.into())))
    }
}
