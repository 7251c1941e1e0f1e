//! `community_needs`: residents' needs a community room records (the first of the "three lists",
//! 需求清单): what kind, how many households or people, how urgent, where; a resident's contact
//! only with their consent. Answered by a project.

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
                    .table("community_needs")
                    .col(pk_uuid("id"))
                    .col(uuid("org_unit_id"))
                    .col(string_len("kind", 24))
                    .col(string_len("title", 200))
                    .col(text_null("description"))
                    .col(integer_null("households"))
                    .col(integer_null("people"))
                    .col(string_len("urgency", 16))
                    .col(text_null("place"))
                    .col(boolean("contact_consented"))
                    .col(string_len_null("contact", 200))
                    .col(string_len("status", 16))
                    .col(uuid_null("project_id"))
                    .col(uuid_null("answered_by"))
                    .col(timestamp_with_time_zone_null("answered_at"))
                    .col(uuid("recorded_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("community_needs", "org_unit_id", "org_units", ForeignKeyAction::Restrict))
                    .foreign_key(&mut fk("community_needs", "project_id", "projects", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("community_needs_by_unit")
                    .table("community_needs")
                    .col("org_unit_id")
                    .col("id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("community_needs").to_owned()).await
    }
}
