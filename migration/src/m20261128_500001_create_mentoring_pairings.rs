//! Mentoring pairings (社工+志愿者): a social worker and a volunteer, from proposal to end.
//!
//! "A volunteer has at most one active mentor" is kept by the database: `active_mentee_id` holds
//! the mentee's id while the pairing is active and NULL otherwise, under a unique index (NULLs
//! never collide on PostgreSQL or SQLite). `open_pair` ("mentor:mentee" while proposed or
//! active) keeps one open pairing per pair of people.

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
                    .table("mentoring_pairings")
                    .col(pk_uuid("id"))
                    .col(uuid("mentor_id"))
                    .col(uuid("mentee_id"))
                    .col(string_len("status", 32))
                    .col(uuid("proposed_by"))
                    .col(timestamp_with_time_zone_null("mentor_accepted_at"))
                    .col(timestamp_with_time_zone_null("mentee_accepted_at"))
                    .col(uuid_null("active_mentee_id").unique_key())
                    .col(string_len_null("open_pair", 80).unique_key())
                    .col(text("goals"))
                    .col(integer("graduation_sessions"))
                    .col(integer("graduation_minutes"))
                    .col(timestamp_with_time_zone_null("graduated_at"))
                    .col(timestamp_with_time_zone_null("activated_at"))
                    .col(timestamp_with_time_zone_null("ended_at"))
                    .col(uuid_null("ended_by"))
                    .col(string_len_null("end_reason", 500))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("mentoring_pairings", "mentor_id", "users", ForeignKeyAction::Restrict))
                    .foreign_key(&mut fk("mentoring_pairings", "mentee_id", "users", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("mentoring_pairings", &["mentor_id", "status"])).await?;
        manager.create_index(index("mentoring_pairings", &["mentee_id", "status"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("mentoring_pairings").to_owned()).await
    }
}
