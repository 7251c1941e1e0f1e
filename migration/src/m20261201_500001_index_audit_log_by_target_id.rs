//! Task and sign-up changes are audited whoever makes them, so the log grows with every sign-up:
//! this index keeps "every change to this record" (`?targetId=` without a type) a range read.

use crate::index;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index("audit_log", &["target_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_audit_log_target_id").table("audit_log").to_owned()).await
    }
}
