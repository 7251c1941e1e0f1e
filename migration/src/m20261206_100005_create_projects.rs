//! `projects`: service projects (服务项目) answering a community's needs, owned by an org unit and
//! optionally run by a social organisation, over a span of days, closed with an evaluation.

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
                    .table("projects")
                    .col(pk_uuid("id"))
                    .col(string_len("name", 200))
                    .col(text_null("summary"))
                    .col(uuid("owner_unit_id"))
                    .col(uuid_null("organisation_id"))
                    .col(string_len("action_line", 16))
                    .col(date("starts_on"))
                    .col(date("ends_on"))
                    .col(string_len("status", 16))
                    .col(text_null("closing_evaluation"))
                    .col(timestamp_with_time_zone_null("closed_at"))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("projects", "owner_unit_id", "org_units", ForeignKeyAction::Restrict))
                    .foreign_key(&mut fk(
                        "projects",
                        "organisation_id",
                        "social_organisations",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("projects_by_owner").table("projects").col("owner_unit_id").col("id").to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("projects").to_owned()).await
    }
}
