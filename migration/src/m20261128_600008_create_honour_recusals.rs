//! Recusals: a reviewer declares a conflict of interest the system cannot see (e.g. a mentoring
//! pair) with one nomination; it is hidden from them from then on.

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
                    .table("honour_recusals")
                    .col(uuid("nomination_id"))
                    .col(uuid("reviewer_id"))
                    .col(string_len("reason", 500))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("nomination_id").col("reviewer_id"))
                    .foreign_key(&mut fk(
                        "honour_recusals",
                        "nomination_id",
                        "honour_nominations",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("honour_recusals", "reviewer_id", "users", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("honour_recusals").to_owned()).await
    }
}
