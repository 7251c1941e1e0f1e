//! A push delivery's claim names the job that holds it, so the job's next run (after its worker
//! died) takes the claim over at once instead of finding it held and sending nothing.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("push_deliveries").add_column(uuid_null("claim_job_id")).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("push_deliveries").drop_column("claim_job_id").to_owned()).await
    }
}
