//! Sessions of a course: when, where, who trains, and the seats (a pool of `domain::seats`).

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
                    .table("training_sessions")
                    .col(pk_uuid("id"))
                    .col(uuid("course_id"))
                    .col(uuid("trainer_id"))
                    .col(timestamp_with_time_zone("starts_at"))
                    .col(timestamp_with_time_zone("ends_at"))
                    .col(string_len_null("place", 300))
                    .col(string_len_null("online_link", 500))
                    .col(integer("capacity"))
                    .col(integer("filled"))
                    .col(integer("waitlist_seq"))
                    .col(timestamp_with_time_zone("enrol_deadline"))
                    .col(string_len("status", 32))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("training_sessions", "course_id", "courses", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("training_sessions", "trainer_id", "users", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("training_sessions", &["course_id"])).await?;
        manager.create_index(index("training_sessions", &["starts_at"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("training_sessions").to_owned()).await
    }
}
