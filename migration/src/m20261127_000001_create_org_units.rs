//! The org tree: city centre, district centres, town stations, community rooms, social
//! organisations and communities.

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
                    .table("org_units")
                    .col(pk_uuid("id"))
                    .col(uuid_null("parent_id"))
                    .col(string_len("kind", 32))
                    .col(string_len("name", 200))
                    .col(string_len_null("region_code", 32))
                    .col(string_len_null("address", 500))
                    .col(double_null("lat"))
                    .col(double_null("lng"))
                    .col(string_len("time_zone", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("org_units", "parent_id", "org_units", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("org_units", &["parent_id"])).await?;
        manager.create_index(index("org_units", &["kind"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("org_units").to_owned()).await
    }
}
