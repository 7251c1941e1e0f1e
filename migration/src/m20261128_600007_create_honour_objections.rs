//! Objections filed against an honour during its public notice (公示): one per person and
//! honour, resolved by the city administrator (upheld or dismissed, with a reason).

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
                    .table("honour_objections")
                    .col(pk_uuid("id"))
                    .col(uuid("honour_id"))
                    .col(uuid("programme_id"))
                    .col(uuid("objector_id"))
                    .col(string_len("statement", 2000))
                    .col(string_len("status", 32))
                    .col(string_len_null("resolution", 500))
                    .col(uuid_null("resolved_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("resolved_at"))
                    .foreign_key(&mut fk("honour_objections", "honour_id", "honours", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("honour_objections", "objector_id", "users", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await?;
        let mut unique = index("honour_objections", &["honour_id", "objector_id"]);
        manager.create_index(unique.unique().to_owned()).await?;
        manager.create_index(index("honour_objections", &["programme_id", "status"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("honour_objections").to_owned()).await
    }
}
