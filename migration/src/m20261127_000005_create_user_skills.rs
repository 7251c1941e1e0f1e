//! Skills a person offers, as tags: one row per (person, skill) so dispatch can match them
//! with an index rather than by scanning JSON.

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
                    .table("user_skills")
                    .col(uuid("user_id"))
                    .col(string_len("skill", 32))
                    .primary_key(Index::create().col("user_id").col("skill"))
                    .foreign_key(&mut fk("user_skills", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("user_skills", &["skill"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("user_skills").to_owned()).await
    }
}
