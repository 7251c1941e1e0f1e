//! Browsing near a point reads only this index (status, position, start, id) to pick and order
//! the page, then fetches the page's rows by id: without it every candidate row in the
//! bounding box is fetched from the table just to be measured and mostly thrown away.

use crate::index;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_tasks_status_lat_lng").table("tasks").to_owned()).await?;
        manager.create_index(index("tasks", &["status", "lat", "lng", "starts_at", "id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("ix_tasks_status_lat_lng_starts_at_id").table("tasks").to_owned())
            .await?;
        manager.create_index(index("tasks", &["status", "lat", "lng"])).await
    }
}
