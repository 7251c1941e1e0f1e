//! A guardian is confirmed by a code sent to their own phone, and found by a blind index of that
//! phone when they withdraw. Guardians recorded before confirmation existed count as confirmed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One change per statement: SQLite alters one column at a time.
        manager
            .alter_table(Table::alter().table("guardians").add_column(string_len_null("phone_index", 64)).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter().table("guardians").add_column(timestamp_with_time_zone_null("confirmed_at")).to_owned(),
            )
            .await?;
        manager.get_connection().execute_unprepared("UPDATE guardians SET confirmed_at = updated_at").await?;
        manager
            .create_index(
                Index::create().name("guardians_phone_index").table("guardians").col("phone_index").to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("guardians_phone_index").table("guardians").to_owned()).await?;
        manager.alter_table(Table::alter().table("guardians").drop_column("confirmed_at").to_owned()).await?;
        manager.alter_table(Table::alter().table("guardians").drop_column("phone_index").to_owned()).await
    }
}
