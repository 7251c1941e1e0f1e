//! `announcement.fanout`: one batch (500 people, by id) of an announcement's recipients, in one
//! transaction: their inbox rows (one per person and announcement, whatever redelivery does),
//! their push jobs, the progress count, and the job of the next batch. So 10,000 recipients are
//! 20 jobs and 20 transactions, and a crash mid-way resumes at the batch it was on.

use crate::db::write;
use crate::domain::kernel::org_units::subtree_ids;
use crate::domain::messaging::announcements::{Fanout, roles_of};
use crate::domain::messaging::notifications::{Category, preferences_of};
use crate::state::AppState;
use entity::{announcement, device, notification, user};
use jobs::{JobContext, JobError, Perform};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{BTreeMap, HashSet};

/// Recipients per batch.
pub const BATCH: usize = 500;

impl Perform<AppState> for Fanout {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        fanout(&state, self).await
    }
}

/// Runs one batch of a fan-out (idempotent: running it again changes nothing).
pub async fn fanout(state: &AppState, f: Fanout) -> Result<(), JobError> {
    let db = &state.db;
    let now = state.clock.now();
    let Some(a) = announcement::Entity::find_by_id(f.announcement_id).one(db).await? else { return Ok(()) };
    let roles = roles_of(&a);
    let mut q = user::Entity::find()
        .filter(user::Column::OrgUnitId.in_subquery(subtree_ids(a.org_unit_id)))
        .filter(user::Column::Status.eq(user::UserStatus::Active));
    if !roles.is_empty() {
        q = q.filter(user::Column::Role.is_in(roles));
    }
    if let Some(after) = f.after {
        q = q.filter(user::Column::Id.gt(after));
    }
    let people = q.order_by_asc(user::Column::Id).limit(BATCH as u64).all(db).await?;
    let dedupe_key = format!("announcement:{}", a.id);
    let data = BTreeMap::from([("announcementId".to_string(), a.id.to_string())]);
    let params = BTreeMap::from([("title".to_string(), a.title.clone()), ("body".to_string(), a.body.clone())]);
    write(db, async |txn| {
        let rows: Vec<notification::ActiveModel> = people
            .iter()
            .map(|p| {
                let (title, body) = crate::domain::messaging::templates::render("announcement", p.locale, &params)
                    .unwrap_or_else(|_| (a.title.clone(), a.body.clone()));
                super::notify::row(p.id, Category::Announcement, "announcement", title, body, &data, &dedupe_key, now)
            })
            .collect();
        let inserted = if rows.is_empty() {
            0
        } else {
            notification::Entity::insert_many(rows)
                .on_conflict(super::notify::once_per_recipient())
                .exec_without_returning(txn)
                .await?
        };
        let ids: Vec<uuid::Uuid> = people.iter().map(|p| p.id).collect();
        let with_devices: HashSet<uuid::Uuid> = device::Entity::find()
            .select_only()
            .column(device::Column::UserId)
            .filter(device::Column::UserId.is_in(ids.clone()))
            .filter(device::Column::Active.eq(true))
            .into_tuple::<uuid::Uuid>()
            .all(txn)
            .await?
            .into_iter()
            .collect();
        if !with_devices.is_empty() {
            let prefs = preferences_of(txn, &ids).await?;
            let zones: BTreeMap<uuid::Uuid, chrono_tz::Tz> =
                people.iter().map(|p| (p.id, super::notify::zone_of(p))).collect();
            let notes = notification::Entity::find()
                .filter(notification::Column::UserId.is_in(with_devices.iter().copied()))
                .filter(notification::Column::DedupeKey.eq(&dedupe_key))
                .order_by_asc(notification::Column::Id)
                .all(txn)
                .await?;
            // One push job per 100 notifications due at the same instant (quiet hours differ
            // by person).
            let mut due: BTreeMap<chrono::DateTime<chrono::Utc>, Vec<uuid::Uuid>> = BTreeMap::new();
            for n in notes {
                let p = prefs.get(&n.user_id).cloned().unwrap_or_default();
                if p.pushes(Category::Announcement) {
                    let zone = zones.get(&n.user_id).copied().unwrap_or(chrono_tz::Asia::Shanghai);
                    due.entry(p.push_at(Category::Announcement, zone, now)).or_default().push(n.id);
                }
            }
            let jobs: Vec<jobs::NewJob> = due
                .into_iter()
                .flat_map(|(at, ids)| {
                    ids.chunks(super::push::BATCH).map(|c| super::push::job(c.to_vec(), at)).collect::<Vec<_>>()
                })
                .collect();
            jobs::outbox::enqueue_many(txn, jobs).await?;
        }
        announcement::Entity::update_many()
            .col_expr(
                announcement::Column::Recipients,
                Expr::col(announcement::Column::Recipients).add(inserted as i32),
            )
            .filter(announcement::Column::Id.eq(a.id))
            .exec(txn)
            .await?;
        match people.last() {
            Some(last) if people.len() == BATCH => {
                let next = Fanout { announcement_id: a.id, after: Some(last.id) };
                jobs::outbox::enqueue(txn, &next).await?;
            }
            _ => {
                announcement::Entity::update_many()
                    .col_expr(announcement::Column::CompletedAt, Expr::val(now))
                    .filter(announcement::Column::Id.eq(a.id))
                    .filter(announcement::Column::CompletedAt.is_null())
                    .exec(txn)
                    .await?;
            }
        }
        Ok::<_, DbErr>(())
    })
    .await?;
    Ok(())
}
