//! When each volunteer first reached each star level.

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
                    .table("star_awards")
                    .col(uuid("volunteer_id"))
                    .col(integer("level"))
                    .col(integer("minutes"))
                    .col(timestamp_with_time_zone("reached_at"))
                    .primary_key(Index::create().col("volunteer_id").col("level"))
                    .foreign_key(&mut fk("star_awards", "volunteer_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("star_awards").to_owned()).await
    }
}
