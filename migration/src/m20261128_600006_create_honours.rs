//! Honours: awards decided by a programme (in public notice, then published, or withdrawn or
//! revoked) and automatic ones (star levels), the latter unique by `auto_key`.

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
                    .table("honours")
                    .col(pk_uuid("id"))
                    .col(uuid_null("programme_id"))
                    .col(uuid_null("nomination_id"))
                    .col(uuid("recipient_id"))
                    .col(string_len("kind", 32))
                    .col(integer("year"))
                    .col(string_len("title", 200))
                    .col(string_len("citation", 1000))
                    .col(string_len("status", 32))
                    .col(string_len_null("auto_key", 100))
                    .col(string_len_null("reason", 500))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("published_at"))
                    .col(timestamp_with_time_zone_null("ended_at"))
                    .foreign_key(&mut fk("honours", "programme_id", "honour_programmes", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("honours", "recipient_id", "users", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await?;
        let mut unique = index("honours", &["auto_key"]);
        manager.create_index(unique.unique().to_owned()).await?;
        manager.create_index(index("honours", &["status", "year"])).await?;
        manager.create_index(index("honours", &["recipient_id"])).await?;
        manager.create_index(index("honours", &["programme_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("honours").to_owned()).await
    }
}
