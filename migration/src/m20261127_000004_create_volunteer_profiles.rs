//! What a person offers as a volunteer: where they serve and a short introduction.

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
                    .table("volunteer_profiles")
                    .col(pk_uuid("user_id"))
                    .col(double_null("service_lat"))
                    .col(double_null("service_lng"))
                    .col(double_null("service_radius_km"))
                    .col(string_len_null("bio", 1000))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("volunteer_profiles", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("volunteer_profiles").to_owned()).await
    }
}
