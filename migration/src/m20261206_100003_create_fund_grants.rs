//! `fund_grants`: grants from a charity fund, proposed by one administrator and decided by
//! another; an approved grant commits its amount, which is then disbursed in parts up to it.

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
                    .table("fund_grants")
                    .col(pk_uuid("id"))
                    .col(uuid("fund_id"))
                    .col(big_integer("amount_fen"))
                    .col(text("purpose"))
                    .col(uuid_null("recipient_organisation_id"))
                    .col(string_len("status", 16))
                    .col(big_integer("disbursed_fen"))
                    .col(uuid("proposed_by"))
                    .col(timestamp_with_time_zone("proposed_at"))
                    .col(uuid_null("decided_by"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(text_null("decision_reason"))
                    .foreign_key(&mut fk("fund_grants", "fund_id", "charity_funds", ForeignKeyAction::Restrict))
                    .foreign_key(&mut fk(
                        "fund_grants",
                        "recipient_organisation_id",
                        "social_organisations",
                        ForeignKeyAction::Restrict,
                    ))
                    .check(Expr::col("amount_fen").gt(0))
                    .check(Expr::col("disbursed_fen").lte(Expr::col("amount_fen")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("fund_grants_by_fund").table("fund_grants").col("fund_id").col("id").to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("fund_grants").to_owned()).await
    }
}
