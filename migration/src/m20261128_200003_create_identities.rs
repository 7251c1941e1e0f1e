//! Real-name identities (实名): the resident identity number and real name, encrypted, with a
//! blind index that keeps numbers unique and findable without holding them.

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
                    .table("identities")
                    .col(pk_uuid("user_id"))
                    .col(blob("number_sealed"))
                    .col(string_len_uniq("number_index", 64))
                    .col(blob("name_sealed"))
                    .col(date("birth_date"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("identities", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("identities").to_owned()).await
    }
}
