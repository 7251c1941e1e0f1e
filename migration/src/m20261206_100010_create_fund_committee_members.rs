//! `fund_committee_members`: a charity fund's committee (基金管理委员会), whose members alone
//! decide its grants once it has any.

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
                    .table("fund_committee_members")
                    .col(uuid("fund_id"))
                    .col(uuid("person_id"))
                    .col(uuid("appointed_by"))
                    .col(timestamp_with_time_zone("appointed_at"))
                    .primary_key(Index::create().col("fund_id").col("person_id"))
                    .foreign_key(&mut fk(
                        "fund_committee_members",
                        "fund_id",
                        "charity_funds",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("fund_committee_members", "person_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("fund_committee_members").to_owned()).await
    }
}
