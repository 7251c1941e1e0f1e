//! Reminders about credentials, registration and training already sent: one row per reminder key, so each is sent once however many workers run the daily scan.

use crate::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("talent_reminders")
                    .col(string_len("key", 200).primary_key())
                    .col(uuid("user_id"))
                    .col(timestamp_with_time_zone("sent_at"))
                    .foreign_key(&mut fk("talent_reminders", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("talent_reminders", &["user_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("talent_reminders").to_owned()).await
    }
}
