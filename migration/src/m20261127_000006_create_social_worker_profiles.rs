//! What a social worker is professionally: qualification level, employer, front-line start.

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
                    .table("social_worker_profiles")
                    .col(pk_uuid("user_id"))
                    .col(string_len_null("qualification_level", 32))
                    .col(uuid_null("employer_org_unit_id"))
                    .col(date_null("front_line_since"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("social_worker_profiles", "user_id", "users", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk(
                        "social_worker_profiles",
                        "employer_org_unit_id",
                        "org_units",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("social_worker_profiles").to_owned()).await
    }
}
