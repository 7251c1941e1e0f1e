//! How many task invitations each person got on each local day: the per-person daily cap of the
//! dispatch is one conditional upsert of this row.

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
                    .table("dispatch_days")
                    .col(uuid("user_id"))
                    .col(string_len("day", 10))
                    .col(integer("sent"))
                    .primary_key(Index::create().col("user_id").col("day"))
                    .foreign_key(&mut fk("dispatch_days", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("dispatch_days").to_owned()).await
    }
}
