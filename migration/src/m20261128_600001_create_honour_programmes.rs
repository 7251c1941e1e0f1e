//! Award programmes (评选): what is awarded, to whom, the windows, the quota per station, the
//! eligibility rules and scoring criteria (JSON), and where the programme stands.

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
                    .table("honour_programmes")
                    .col(pk_uuid("id"))
                    .col(string_len("name", 200))
                    .col(string_len("kind", 32))
                    .col(integer("year"))
                    .col(string_len_null("nominee_role", 32))
                    .col(timestamp_with_time_zone("nomination_opens_at"))
                    .col(timestamp_with_time_zone("nomination_closes_at"))
                    .col(timestamp_with_time_zone("review_closes_at"))
                    .col(integer("awards"))
                    .col(integer("station_quota"))
                    .col(integer("notice_working_days"))
                    .col(string_len("time_zone", 64))
                    .col(json_binary("rules"))
                    .col(json_binary("criteria"))
                    .col(string_len("state", 32))
                    .col(timestamp_with_time_zone_null("notice_starts_at"))
                    .col(timestamp_with_time_zone_null("notice_ends_at"))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("honour_programmes", "created_by", "users", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("honour_programmes", &["state"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("honour_programmes").to_owned()).await
    }
}
