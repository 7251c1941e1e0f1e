//! What a task or a course requires of the people who sign up: a credential kind, a minimum
//! qualification level, or a completed course.

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
                    .table("prerequisites")
                    .col(pk_uuid("id"))
                    // `task` or `course`; the id is not a foreign key because it names either.
                    .col(string_len("subject_type", 16))
                    .col(uuid("subject_id"))
                    .col(string_len("kind", 32))
                    .col(string_len_null("credential_kind", 64))
                    .col(string_len_null("min_level", 32))
                    .col(uuid_null("course_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("prerequisites", "course_id", "courses", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("prerequisites", &["subject_type", "subject_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("prerequisites").to_owned()).await
    }
}
