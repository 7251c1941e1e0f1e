//! Health notes of a volunteer profile (sensitive, PIPL art. 28): encrypted.

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
                    .table("health_notes")
                    .col(pk_uuid("user_id"))
                    .col(blob("notes_sealed"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("health_notes", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("health_notes").to_owned()).await
    }
}
