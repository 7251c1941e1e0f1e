//! How many active mentees each mentor holds: the counter the mentor cap is enforced on with a
//! conditional `UPDATE … WHERE active_mentees < cap`.

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
                    .table("mentor_loads")
                    .col(pk_uuid("mentor_id"))
                    .col(integer("active_mentees"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("mentor_loads", "mentor_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("mentor_loads").to_owned()).await
    }
}
