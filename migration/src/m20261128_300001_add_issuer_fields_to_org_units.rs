//! Org units name a person in charge and a public contact, as certificates they issue must.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One option per ALTER: SQLite accepts no more.
        manager
            .alter_table(
                Table::alter().table("org_units").add_column(string_len_null("person_in_charge", 100)).to_owned(),
            )
            .await?;
        manager
            .alter_table(Table::alter().table("org_units").add_column(string_len_null("contact_phone", 32)).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("org_units").drop_column("contact_phone").to_owned()).await?;
        manager.alter_table(Table::alter().table("org_units").drop_column("person_in_charge").to_owned()).await
    }
}
