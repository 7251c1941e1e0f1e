//! Announcements: a station administrator tells everyone in their subtree, a city administrator
//! anyone, optionally only some roles. Creating one writes the announcement and the first
//! fan-out job in one transaction; the fan-out ([`fanout`], run by `worker::announce`) goes in
//! batches of [`BATCH`] people, each one transaction, so 10,000 recipients are never one
//! transaction, and gives each recipient one inbox row and pushes.
//!
//! Table: `announcements` (and the inbox rows of their recipients, in `notifications`).

use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::kernel::time;
use crate::domain::messaging::delivery::{NewNotification, once_per_recipient};
use crate::domain::messaging::notifications::{Category, preferences_of};
use crate::domain::messaging::{pushes, templates};
use crate::domain::{DomainError, DomainResult, kernel::org_units, required_text};
use chrono::{DateTime, Utc};
use entity::announcement::{self, AnnouncementRoles};
use entity::user::{self, Role};
use entity::{device, notification};
use jobs::{Job, JobOptions};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

/// Recipients per fan-out batch.
pub const BATCH: usize = 500;

/// Job: one batch of an announcement's fan-out: recipients after `after` (by id).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Fanout {
    pub announcement_id: Uuid,
    pub after: Option<Uuid>,
}

impl Job for Fanout {
    const KIND: &'static str = "announcement.fanout";
    const OPTIONS: JobOptions = JobOptions { timeout: std::time::Duration::from_secs(120), ..JobOptions::DEFAULT };
    /// One job per batch.
    fn dedupe_key(&self) -> Option<String> {
        let after = self.after.map(|a| a.to_string()).unwrap_or_default();
        Some(format!("announce:{}:{after}", self.announcement_id))
    }
}

/// An announcement to publish.
pub struct NewAnnouncement {
    /// Root of the audience; default: the author's own unit.
    pub org_unit_id: Option<Uuid>,
    /// Only these roles; empty: everyone.
    pub roles: Vec<Role>,
    pub title: String,
    pub body: String,
}

/// The roles of an announcement.
pub fn roles_of(a: &announcement::Model) -> Vec<Role> {
    a.roles.0.clone()
}

/// Publishes an announcement to a subtree in the author's scope.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    new: NewAnnouncement,
) -> DomainResult<announcement::Model> {
    let scope = actor.admin_scope_root()?;
    let title = required_text("title", &new.title)?;
    let body = required_text("body", &new.body)?;
    let unit = new.org_unit_id.or(scope).ok_or_else(|| {
        DomainError::invalid("org_unit_required", "orgUnitId is required: name the subtree to announce to")
    })?;
    org_units::get(db, unit).await?;
    if !actor.covers_unit(db, Some(unit)).await? {
        return Err(DomainError::not_found("org unit"));
    }
    let mut roles = new.roles;
    roles.sort_by_key(|r| r.rank());
    roles.dedup();
    write(db, async |txn| {
        let id = Uuid::now_v7();
        let model = announcement::ActiveModel {
            id: Set(id),
            author_id: Set(Some(actor.user_id)),
            org_unit_id: Set(unit),
            roles: Set(AnnouncementRoles(roles.clone())),
            title: Set(title.clone()),
            body: Set(body.clone()),
            created_at: Set(now),
            recipients: Set(0),
            completed_at: Set(None),
        }
        .insert(txn)
        .await?;
        jobs::outbox::enqueue(txn, &Fanout { announcement_id: id, after: None }).await?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "announcement.create", "announcement", id).after(&serde_json::json!({
                "orgUnitId": unit, "roles": roles, "title": title,
            })),
        )
        .await?;
        Ok(model)
    })
    .await
}

/// Announcements to units in the actor's scope, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    page: PageRequest,
) -> DomainResult<Page<announcement::Model>> {
    let mut q = announcement::Entity::find();
    if let Some(root) = actor.admin_scope_root()? {
        q = q.filter(announcement::Column::OrgUnitId.in_subquery(org_units::subtree_ids(root)));
    }
    Ok(page::fetch(db, q, announcement::Column::Id, Order::NewestFirst, page, |m| m.id).await?)
}

/// One announcement in the actor's scope, or 404.
pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<announcement::Model> {
    actor.admin_scope_root()?;
    let a = announcement::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("announcement"))?;
    if !actor.covers_unit(db, Some(a.org_unit_id)).await? {
        return Err(DomainError::not_found("announcement"));
    }
    Ok(a)
}

/// An announcement as one of its recipients received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub announcement: announcement::Model,
    /// The inbox row it arrived as (when, and whether it was read).
    pub notification: notification::Model,
}

/// The announcements sent to the actor, newest delivery first: what their inbox rows of the
/// announcement template point at (the fan-out records each recipient as one such row), so an
/// app can show them apart from the rest of the inbox.
pub async fn received(db: &impl ConnectionTrait, actor: &Actor, page: PageRequest) -> DomainResult<Page<Received>> {
    let q = notification::Entity::find()
        .filter(notification::Column::UserId.eq(actor.user_id))
        .filter(notification::Column::Category.eq(Category::Announcement))
        .filter(notification::Column::Template.eq("announcement"));
    let p = page::fetch(db, q, notification::Column::Id, Order::NewestFirst, page, |n| n.id).await?;
    let id_of =
        |n: &notification::Model| n.dedupe_key.strip_prefix("announcement:").and_then(|i| i.parse::<Uuid>().ok());
    let ids: Vec<Uuid> = p.items.iter().filter_map(id_of).collect();
    let by_id: BTreeMap<Uuid, announcement::Model> = announcement::Entity::find()
        .filter(announcement::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let items = p
        .items
        .into_iter()
        .filter_map(|n| Some(Received { announcement: by_id.get(&id_of(&n)?)?.clone(), notification: n }))
        .collect();
    Ok(Page { items, next_cursor: p.next_cursor })
}

/// The announcement's recipients after `after` (all when `None`), in id order.
fn recipients_after(a: &announcement::Model, after: Option<Uuid>) -> sea_orm::Select<user::Entity> {
    let roles = roles_of(a);
    let mut q = user::Entity::find()
        .filter(user::Column::OrgUnitId.in_subquery(org_units::subtree_ids(a.org_unit_id)))
        .filter(user::Column::Status.eq(user::UserStatus::Active));
    if !roles.is_empty() {
        q = q.filter(user::Column::Role.is_in(roles));
    }
    if let Some(after) = after {
        q = q.filter(user::Column::Id.gt(after));
    }
    q.order_by_asc(user::Column::Id)
}

/// The next batches of a fan-out from `f` on, up to `n` of them, to be run side by side.
pub struct Round {
    /// Where each batch starts (the first is `f`).
    pub batches: Vec<Fanout>,
    /// Whether the last of them is the fan-out's last batch (it stamps the completion, so it
    /// must run after the others).
    pub ends: bool,
}

/// Where the next `n` batches from `f` start: one query of recipients' ids.
pub async fn round(db: &impl ConnectionTrait, f: &Fanout, n: usize) -> Result<Round, DbErr> {
    let Some(a) = announcement::Entity::find_by_id(f.announcement_id).one(db).await? else {
        return Ok(Round { batches: vec![f.clone()], ends: true });
    };
    let ids: Vec<Uuid> = recipients_after(&a, f.after)
        .select_only()
        .column(user::Column::Id)
        .limit((n * BATCH + 1) as u64)
        .into_tuple()
        .all(db)
        .await?;
    let mut batches = vec![f.clone()];
    for k in 1..n {
        match ids.get(k * BATCH - 1) {
            // Only when someone comes after it: a batch ends the fan-out when it is not full.
            Some(last) if ids.len() > k * BATCH => {
                batches.push(Fanout { announcement_id: a.id, after: Some(*last) });
            }
            _ => break,
        }
    }
    Ok(Round { ends: ids.len() <= batches.len() * BATCH, batches })
}

/// One batch done by [`fanout`].
pub struct Batch {
    /// Its recipients.
    pub told: Vec<Uuid>,
    /// Where the next batch starts, if there is one.
    pub next: Option<Fanout>,
}

/// Runs one batch of a fan-out in one transaction: the inbox rows of up to [`BATCH`] recipients
/// (one per person and announcement, whatever redelivery does), their push jobs, the progress
/// count, and the completion stamp after the last batch. With `hand_on`, the job of the next
/// batch is written in the same transaction; without, the caller goes on with [`Batch::next`]
/// itself (and a crash before it does repeats the job, from its own start). Idempotent: running
/// it again changes nothing.
pub async fn fanout(db: &DatabaseConnection, now: DateTime<Utc>, f: &Fanout, hand_on: bool) -> Result<Batch, DbErr> {
    let Some(a) = announcement::Entity::find_by_id(f.announcement_id).one(db).await? else {
        return Ok(Batch { told: Vec::new(), next: None });
    };
    let people = recipients_after(&a, f.after).limit(BATCH as u64).all(db).await?;
    let next = match people.last() {
        Some(last) if people.len() == BATCH => Some(Fanout { announcement_id: a.id, after: Some(last.id) }),
        _ => None,
    };
    let dedupe_key = format!("announcement:{}", a.id);
    let data = BTreeMap::from([("announcementId".to_string(), a.id.to_string())]);
    let params = BTreeMap::from([("title".to_string(), a.title.clone()), ("body".to_string(), a.body.clone())]);
    write(db, async |txn| {
        let rows: Vec<notification::ActiveModel> = people
            .iter()
            .map(|p| {
                let (title, body) = templates::render("announcement", p.locale, &params)
                    .unwrap_or_else(|_| (a.title.clone(), a.body.clone()));
                NewNotification {
                    user_id: p.id,
                    category: Category::Announcement,
                    template: "announcement",
                    title,
                    body,
                    data: &data,
                    dedupe_key: &dedupe_key,
                    now,
                }
                .row()
            })
            .collect();
        let inserted = if rows.is_empty() {
            0
        } else {
            notification::Entity::insert_many(rows)
                .on_conflict(once_per_recipient())
                .exec_without_returning(txn)
                .await?
        };
        let ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
        let with_devices: HashSet<Uuid> = device::Entity::find()
            .select_only()
            .column(device::Column::UserId)
            .filter(device::Column::UserId.is_in(ids.clone()))
            .filter(device::Column::Active.eq(true))
            .into_tuple::<Uuid>()
            .all(txn)
            .await?
            .into_iter()
            .collect();
        if !with_devices.is_empty() {
            let prefs = preferences_of(txn, &ids).await?;
            let mut zones: BTreeMap<Uuid, time::Tz> = BTreeMap::new();
            for p in people.iter().filter(|p| with_devices.contains(&p.id)) {
                zones.insert(p.id, time::person_zone(txn, p).await?);
            }
            let notes = notification::Entity::find()
                .filter(notification::Column::UserId.is_in(with_devices.iter().copied()))
                .filter(notification::Column::DedupeKey.eq(&dedupe_key))
                .order_by_asc(notification::Column::Id)
                .all(txn)
                .await?;
            // One push job per batch of notifications due at the same instant (quiet hours
            // differ by person).
            let mut due: BTreeMap<DateTime<Utc>, Vec<Uuid>> = BTreeMap::new();
            for n in notes {
                let p = prefs.get(&n.user_id).cloned().unwrap_or_default();
                if p.pushes(Category::Announcement) {
                    let zone = zones.get(&n.user_id).copied().unwrap_or(time::DEFAULT_ZONE);
                    due.entry(p.push_at(Category::Announcement, zone, now)).or_default().push(n.id);
                }
            }
            let jobs: Vec<jobs::NewJob> = due
                .into_iter()
                .flat_map(|(at, ids)| {
                    ids.chunks(pushes::BATCH).map(|c| pushes::job(c.to_vec(), at)).collect::<Vec<_>>()
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
        match &next {
            Some(next) => {
                if hand_on {
                    jobs::outbox::enqueue(txn, next).await?;
                }
            }
            None => {
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
    Ok(Batch { told: people.into_iter().map(|p| p.id).collect(), next })
}
