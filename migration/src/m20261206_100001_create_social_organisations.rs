//! `social_organisations`: the registry of social organisations (社会组织) serving the city, each
//! with its unified social credit code, kind, registration authority, evaluation grade and the org
//! unit whose area it serves.

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
                    .table("social_organisations")
                    .col(pk_uuid("id"))
                    .col(string_len_uniq("credit_code", 18))
                    .col(string_len("name", 200))
                    .col(string_len("kind", 24))
                    .col(string_len("registration_authority", 200))
                    .col(integer_null("evaluation_grade"))
                    .col(date_null("evaluated_on"))
                    .col(uuid("service_unit_id"))
                    .col(string_len_null("contact_name", 100))
                    .col(string_len_null("service_phone", 32))
                    .col(text_null("address"))
                    .col(text_null("summary"))
                    .col(string_len("status", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "social_organisations",
                        "service_unit_id",
                        "org_units",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("social_organisations_by_unit")
                    .table("social_organisations")
                    .col("service_unit_id")
                    .col("name")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("social_organisations").to_owned()).await
    }
}
