//! A city administrator may cancel an honour programme before its decision; the reason is kept
//! on the programme (and in the audit log) so that everyone who sees it knows why.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table("honour_programmes").add_column(string_len_null("cancel_reason", 500)).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("honour_programmes").drop_column("cancel_reason").to_owned()).await
    }
}
