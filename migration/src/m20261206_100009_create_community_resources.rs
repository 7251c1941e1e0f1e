//! `community_resources`: what is on offer to answer needs (资源清单): volunteers' skills, a
//! social organisation's services, a charity fund's money, a venue, goods; where, for which kind
//! of need, until when.

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
                    .table("community_resources")
                    .col(pk_uuid("id"))
                    .col(uuid("org_unit_id"))
                    .col(string_len("kind", 24))
                    .col(string_len("title", 200))
                    .col(text_null("description"))
                    .col(string_len_null("serves", 24))
                    .col(uuid_null("organisation_id"))
                    .col(uuid_null("fund_id"))
                    .col(date_null("available_until"))
                    .col(string_len("status", 16))
                    .col(uuid("recorded_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("community_resources", "org_unit_id", "org_units", ForeignKeyAction::Restrict))
                    .foreign_key(&mut fk(
                        "community_resources",
                        "organisation_id",
                        "social_organisations",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk("community_resources", "fund_id", "charity_funds", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("community_resources_by_unit")
                    .table("community_resources")
                    .col("org_unit_id")
                    .col("id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("community_resources").to_owned()).await
    }
}
