//! `project_funding_lines`: the money behind a project: a government purchase contract, a charity
//! fund's grant, a venture-philanthropy award or money the project raised itself, each with its
//! amount, period and deliverables. A fund's grant funds at most one line.

use crate::fk;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("project_funding_lines")
                    .col(pk_uuid("id"))
                    .col(uuid("project_id"))
                    .col(string_len("kind", 24))
                    .col(big_integer("amount_fen"))
                    .col(date("starts_on"))
                    .col(date("ends_on"))
                    .col(text_null("deliverables"))
                    .col(uuid_null("grant_id"))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("project_funding_lines", "project_id", "projects", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk(
                        "project_funding_lines",
                        "grant_id",
                        "fund_grants",
                        ForeignKeyAction::Restrict,
                    ))
                    .check(Expr::col("amount_fen").gt(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("project_funding_lines_by_project")
                    .table("project_funding_lines")
                    .col("project_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("project_funding_lines_one_per_grant")
                    .table("project_funding_lines")
                    .col("grant_id")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("project_funding_lines").to_owned()).await
    }
}
