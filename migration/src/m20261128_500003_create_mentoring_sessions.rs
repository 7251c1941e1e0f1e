//! Mentoring session logs: what the mentor recorded and whether the mentee acknowledged it.
//! Append-only once acknowledged; a correction is a new row naming the one it corrects.

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
                    .table("mentoring_sessions")
                    .col(pk_uuid("id"))
                    .col(uuid("pairing_id"))
                    .col(uuid("mentor_id"))
                    .col(uuid("mentee_id"))
                    .col(timestamp_with_time_zone("held_at"))
                    .col(integer("minutes"))
                    .col(string_len("mode", 32))
                    .col(uuid_null("task_id"))
                    .col(text("topics"))
                    .col(text_null("notes"))
                    .col(string_len("status", 32))
                    .col(timestamp_with_time_zone_null("acknowledged_at"))
                    .col(timestamp_with_time_zone_null("disputed_at"))
                    .col(string_len_null("dispute_comment", 1000))
                    .col(uuid_null("corrects_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "mentoring_sessions",
                        "pairing_id",
                        "mentoring_pairings",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("mentoring_sessions", "task_id", "tasks", ForeignKeyAction::SetNull))
                    .foreign_key(&mut fk(
                        "mentoring_sessions",
                        "corrects_id",
                        "mentoring_sessions",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("mentoring_sessions", &["pairing_id", "held_at"])).await?;
        manager.create_index(index("mentoring_sessions", &["mentor_id", "status"])).await?;
        manager.create_index(index("mentoring_sessions", &["mentee_id", "status"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("mentoring_sessions").to_owned()).await
    }
}
