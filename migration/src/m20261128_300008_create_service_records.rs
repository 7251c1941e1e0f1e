//! Volunteer service record certificates, verifiable by a public code.

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
                    .table("service_records")
                    .col(pk_uuid("id"))
                    .col(string_len_uniq("code", 64))
                    .col(string_len_uniq("certificate_number", 40))
                    .col(uuid("volunteer_id"))
                    .col(string_len("volunteer_name", 100))
                    .col(string_len("volunteer_number", 20))
                    .col(uuid("issuer_org_unit_id"))
                    .col(string_len("issuer_name", 200))
                    .col(string_len_null("issuer_person_in_charge", 100))
                    .col(string_len_null("issuer_contact", 32))
                    .col(date("period_from"))
                    .col(date("period_to"))
                    .col(integer("total_minutes"))
                    .col(string_len("content", 2000))
                    .col(timestamp_with_time_zone("issued_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .col(string_len_null("revoke_reason", 500))
                    .col(uuid_null("revoked_by"))
                    .foreign_key(&mut fk("service_records", "volunteer_id", "users", ForeignKeyAction::Restrict))
                    .foreign_key(&mut fk(
                        "service_records",
                        "issuer_org_unit_id",
                        "org_units",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("service_records", &["volunteer_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("service_records").to_owned()).await
    }
}
