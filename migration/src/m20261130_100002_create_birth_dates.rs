//! Birth dates given at registration, sealed, apart from the real-name identity.

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
                    .table("birth_dates")
                    .col(pk_uuid("user_id"))
                    .col(blob("birth_sealed"))
                    .col(date_null("guardian_until"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("birth_dates", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("birth_dates").to_owned()).await
    }
}
