//! Nomination quota used per programme and station: one row per pair, taken by a conditional
//! `UPDATE … WHERE used < quota`, so the quota holds under concurrent nominations.

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
                    .table("honour_quota_uses")
                    .col(uuid("programme_id"))
                    .col(uuid("station_id"))
                    .col(integer("used"))
                    .primary_key(Index::create().col("programme_id").col("station_id"))
                    .foreign_key(&mut fk(
                        "honour_quota_uses",
                        "programme_id",
                        "honour_programmes",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("honour_quota_uses", "station_id", "org_units", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("honour_quota_uses").to_owned()).await
    }
}
