//! Panel scores: one per reviewer and nomination (unique), the score of each criterion and the
//! weighted score in thousandths of a point (integers: the same on both databases).

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
                    .table("honour_scores")
                    .col(pk_uuid("id"))
                    .col(uuid("programme_id"))
                    .col(uuid("nomination_id"))
                    .col(uuid("reviewer_id"))
                    .col(json_binary("scores"))
                    .col(integer("weighted_milli"))
                    .col(string_len("comment", 1000))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "honour_scores",
                        "nomination_id",
                        "honour_nominations",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("honour_scores", "reviewer_id", "users", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await?;
        let mut unique = index("honour_scores", &["nomination_id", "reviewer_id"]);
        manager.create_index(unique.unique().to_owned()).await?;
        manager.create_index(index("honour_scores", &["programme_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("honour_scores").to_owned()).await
    }
}
