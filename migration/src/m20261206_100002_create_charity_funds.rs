//! `charity_funds`: community charity funds (社区慈善基金), one per org unit, with their running
//! totals: money donated, granted (committed to approved grants) and disbursed. What may still be
//! granted is `donated_fen - granted_fen`, never below zero.

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
                    .table("charity_funds")
                    .col(pk_uuid("id"))
                    .col(uuid_uniq("org_unit_id"))
                    .col(string_len("name", 200))
                    .col(big_integer("donated_fen"))
                    .col(big_integer("granted_fen"))
                    .col(big_integer("disbursed_fen"))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("charity_funds", "org_unit_id", "org_units", ForeignKeyAction::Restrict))
                    .check(Expr::col("granted_fen").lte(Expr::col("donated_fen")))
                    .check(Expr::col("disbursed_fen").lte(Expr::col("granted_fen")))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("charity_funds").to_owned()).await
    }
}
