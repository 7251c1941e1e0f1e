//! A project's figures: its tasks, and the approved service hours and service count (人次) of
//! them, with how many volunteers served. Counted when asked, over the project's own tasks (an
//! indexed `tasks.project_id` and each task's hours entries): a project holds tens to a few
//! hundred tasks, not the city's ledger.

use crate::domain::DomainResult;
use entity::hours_entry::{self, HoursSource, HoursStatus};
use entity::task;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

/// What a project's tasks have done.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProjectFigures {
    pub tasks: u64,
    /// Approved minutes, corrections included.
    pub minutes: i64,
    /// Approved services (one per person per service; corrections not counted again).
    pub service_count: i64,
    /// Volunteers with approved service.
    pub volunteers: i64,
}

/// The figures of project `id`.
pub async fn of(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<ProjectFigures> {
    let tasks = task::Entity::find().filter(task::Column::ProjectId.eq(id)).count(db).await?;
    let of_project = Query::select()
        .column(task::Column::Id)
        .from(task::Entity)
        .and_where(task::Column::ProjectId.eq(id))
        .to_owned();
    let (minutes, services, volunteers) = hours_entry::Entity::find()
        .select_only()
        .expr(Expr::col(hours_entry::Column::Minutes).sum().cast_as(Alias::new("BIGINT")))
        .expr(
            Expr::case(Expr::col(hours_entry::Column::Source).ne(HoursSource::Adjustment), 1)
                .finally(0)
                .sum()
                .cast_as(Alias::new("BIGINT")),
        )
        .expr(Expr::col(hours_entry::Column::VolunteerId).count_distinct())
        .filter(hours_entry::Column::Status.eq(HoursStatus::Approved))
        .filter(hours_entry::Column::TaskId.in_subquery(of_project))
        .into_tuple::<(Option<i64>, Option<i64>, i64)>()
        .one(db)
        .await?
        .unwrap_or((None, None, 0));
    Ok(ProjectFigures { tasks, minutes: minutes.unwrap_or(0), service_count: services.unwrap_or(0), volunteers })
}
