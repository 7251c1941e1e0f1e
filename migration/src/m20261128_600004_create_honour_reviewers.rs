//! The review panel of each programme: one row per appointed reviewer.

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
                    .table("honour_reviewers")
                    .col(uuid("programme_id"))
                    .col(uuid("reviewer_id"))
                    .col(uuid("appointed_by"))
                    .col(timestamp_with_time_zone("appointed_at"))
                    .primary_key(Index::create().col("programme_id").col("reviewer_id"))
                    .foreign_key(&mut fk(
                        "honour_reviewers",
                        "programme_id",
                        "honour_programmes",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("honour_reviewers", "reviewer_id", "users", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("honour_reviewers").to_owned()).await
    }
}
