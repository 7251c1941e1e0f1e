//! Nominations: one per person per programme (unique), with the statement, evidence, the
//! eligibility evaluation made at nomination and any override reason.

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
                    .table("honour_nominations")
                    .col(pk_uuid("id"))
                    .col(uuid("programme_id"))
                    .col(uuid("nominee_id"))
                    .col(uuid_null("nominee_station_id"))
                    .col(uuid("nominator_id"))
                    .col(uuid_null("quota_station_id"))
                    .col(string_len("statement", 2000))
                    .col(json_binary("evidence"))
                    .col(json_binary("evaluation"))
                    .col(string_len_null("override_reason", 500))
                    .col(string_len("status", 32))
                    .col(string_len_null("decline_reason", 500))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "honour_nominations",
                        "programme_id",
                        "honour_programmes",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("honour_nominations", "nominee_id", "users", ForeignKeyAction::Restrict))
                    .foreign_key(&mut fk("honour_nominations", "nominator_id", "users", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await?;
        let mut unique = index("honour_nominations", &["programme_id", "nominee_id"]);
        manager.create_index(unique.unique().to_owned()).await?;
        manager.create_index(index("honour_nominations", &["nominator_id"])).await?;
        manager.create_index(index("honour_nominations", &["nominee_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("honour_nominations").to_owned()).await
    }
}
