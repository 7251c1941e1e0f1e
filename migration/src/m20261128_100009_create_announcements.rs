//! Announcements from administrators to an org subtree.

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
                    .table("announcements")
                    .col(pk_uuid("id"))
                    .col(uuid_null("author_id"))
                    .col(uuid("org_unit_id"))
                    .col(text("roles"))
                    .col(string_len("title", 200))
                    .col(text("body"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(integer("recipients"))
                    .col(timestamp_with_time_zone_null("completed_at"))
                    .foreign_key(&mut fk("announcements", "author_id", "users", ForeignKeyAction::SetNull))
                    .foreign_key(&mut fk("announcements", "org_unit_id", "org_units", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("announcements", &["org_unit_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("announcements").to_owned()).await
    }
}
