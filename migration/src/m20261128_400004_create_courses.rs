//! Training courses: what is taught, to which levels, for how many credit hours, and whether it counts as continuing education.

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
                    .table("courses")
                    .col(pk_uuid("id"))
                    .col(uuid("org_unit_id"))
                    .col(string_len("title", 200))
                    .col(string_len("description", 4000))
                    .col(string_len("category", 64))
                    .col(string_len("target_levels", 200))
                    .col(integer("credit_minutes"))
                    .col(boolean("counts_as_ce"))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("courses", "org_unit_id", "org_units", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("courses", &["org_unit_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("courses").to_owned()).await
    }
}
