//! `fund_entries`: a charity fund's ledger, append-only: donations received, grants approved and
//! disbursements paid, each with the fund's totals after it. Triggers refuse any UPDATE or DELETE
//! on both databases, so a recorded donation cannot be quietly changed or removed; a mistake is
//! answered by a further entry.

use crate::fk;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("fund_entries")
                    .col(pk_uuid("id"))
                    .col(uuid("fund_id"))
                    .col(string_len("kind", 16))
                    .col(big_integer("amount_fen"))
                    .col(uuid_null("grant_id"))
                    .col(string_len_null("donor_name", 200))
                    .col(boolean("anonymous"))
                    .col(boolean("disclose_donor"))
                    .col(string_len_null("channel", 16))
                    .col(string_len_null("reference", 100))
                    .col(date("on_date"))
                    .col(big_integer("donated_after"))
                    .col(big_integer("granted_after"))
                    .col(big_integer("disbursed_after"))
                    .col(uuid("recorded_by"))
                    .col(timestamp_with_time_zone("recorded_at"))
                    .foreign_key(&mut fk("fund_entries", "fund_id", "charity_funds", ForeignKeyAction::Restrict))
                    .foreign_key(&mut fk("fund_entries", "grant_id", "fund_grants", ForeignKeyAction::Restrict))
                    .check(Expr::col("amount_fen").gt(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("fund_entries_by_fund").table("fund_entries").col("fund_id").col("id").to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION fund_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN RAISE EXCEPTION 'fund_entries is append-only'; END $$",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER fund_entries_append_only BEFORE UPDATE OR DELETE ON fund_entries \
                     FOR EACH ROW EXECUTE FUNCTION fund_entries_append_only()",
                )
                .await?;
            }
            _ => {
                for op in ["UPDATE", "DELETE"] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER fund_entries_no_{} BEFORE {op} ON fund_entries \
                         BEGIN SELECT RAISE(ABORT, 'fund_entries is append-only'); END",
                        op.to_lowercase()
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("fund_entries").to_owned()).await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager.get_connection().execute_unprepared("DROP FUNCTION IF EXISTS fund_entries_append_only()").await?;
        }
        Ok(())
    }
}
