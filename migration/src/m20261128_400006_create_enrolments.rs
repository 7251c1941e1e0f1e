//! Enrolments in training sessions: one row per (session, person), the claims on a session's seats.

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
                    .table("enrolments")
                    .col(pk_uuid("id"))
                    .col(uuid("session_id"))
                    .col(uuid("person_id"))
                    .col(string_len("status", 32))
                    .col(integer_null("position"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("enrolments", "session_id", "training_sessions", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("enrolments", "person_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        let mut unique = index("enrolments", &["session_id", "person_id"]);
        manager.create_index(unique.unique().to_owned()).await?;
        manager.create_index(index("enrolments", &["session_id", "status", "position"])).await?;
        manager.create_index(index("enrolments", &["person_id", "status"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("enrolments").to_owned()).await
    }
}
