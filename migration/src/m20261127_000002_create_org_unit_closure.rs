//! Closure table of the org tree: one row per (ancestor, descendant) pair, the unit itself
//! included at depth 0, so "everything under X" is one indexed lookup on both databases.

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
                    .table("org_unit_closure")
                    .col(uuid("ancestor_id"))
                    .col(uuid("descendant_id"))
                    .col(integer("depth"))
                    .primary_key(Index::create().col("ancestor_id").col("descendant_id"))
                    .foreign_key(&mut fk("org_unit_closure", "ancestor_id", "org_units", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("org_unit_closure", "descendant_id", "org_units", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("org_unit_closure", &["descendant_id", "depth"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("org_unit_closure").to_owned()).await
    }
}
