//! Social workers a station administrator allows to create courses and schedule sessions.

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
                    .table("course_organisers")
                    .col(pk_uuid("user_id"))
                    .col(uuid("granted_by"))
                    .col(timestamp_with_time_zone("granted_at"))
                    .foreign_key(&mut fk("course_organisers", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("course_organisers").to_owned()).await
    }
}
