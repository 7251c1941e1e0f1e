//! The push sweep looks for claims stuck in `sending` past their lease every minute: this index
//! keeps that a range read instead of a scan of every delivery ever made.

use crate::index;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index("push_deliveries", &["status", "claimed_until"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop().name("ix_push_deliveries_status_claimed_until").table("push_deliveries").to_owned(),
            )
            .await
    }
}
