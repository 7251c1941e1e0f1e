//! Volunteer service tasks.

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
                    .table("tasks")
                    .col(pk_uuid("id"))
                    .col(uuid("org_unit_id"))
                    .col(string_len("title", 200))
                    .col(string_len("description", 4000))
                    .col(string_len("action_line", 32))
                    .col(string_len_null("address", 500))
                    .col(double_null("lat"))
                    .col(double_null("lng"))
                    .col(integer("check_in_radius_m"))
                    .col(timestamp_with_time_zone("starts_at"))
                    .col(timestamp_with_time_zone("ends_at"))
                    .col(integer("capacity"))
                    .col(integer("filled"))
                    .col(integer("waitlist_seq"))
                    .col(integer_null("min_headcount"))
                    .col(timestamp_with_time_zone("signup_deadline"))
                    .col(integer("cancel_cutoff_hours"))
                    .col(uuid_null("leader_id"))
                    .col(boolean("requires_insurance"))
                    .col(string_len_null("insurance_policy_ref", 100))
                    .col(string_len("signup_mode", 32))
                    .col(integer("min_presence_pct"))
                    .col(string_len("status", 32))
                    .col(string_len_null("cancel_reason", 500))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone_null("published_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("tasks", "org_unit_id", "org_units", ForeignKeyAction::Restrict))
                    .foreign_key(&mut fk("tasks", "leader_id", "users", ForeignKeyAction::SetNull))
                    .foreign_key(&mut fk("tasks", "created_by", "users", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await?;
        // Browsing: published tasks by start; nearby tasks by a bounding box on lat.
        manager.create_index(index("tasks", &["status", "starts_at"])).await?;
        manager.create_index(index("tasks", &["status", "lat", "lng"])).await?;
        manager.create_index(index("tasks", &["org_unit_id", "starts_at"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("tasks").to_owned()).await
    }
}
