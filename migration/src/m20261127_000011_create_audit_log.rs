//! Who changed what, when, with the state before and after: every administrator's change.

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
                    .table("audit_log")
                    .col(pk_uuid("id"))
                    .col(uuid_null("actor_id"))
                    .col(string_len("action", 64))
                    .col(string_len("target_type", 32))
                    .col(uuid_null("target_id"))
                    .col(json_binary_null("before"))
                    .col(json_binary_null("after"))
                    .col(string_len_null("reason", 500))
                    .col(timestamp_with_time_zone("at"))
                    .foreign_key(&mut fk("audit_log", "actor_id", "users", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("audit_log", &["target_type", "target_id"])).await?;
        manager.create_index(index("audit_log", &["actor_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("audit_log").to_owned()).await
    }
}
