//! Recipients written straight into the database ([`recipients`]: people with one phone each, as
//! `benches/service_load.rs` seeds, without hashing a password per person), and the accounts of
//! what reached them ([`Delivery`]: inbox rows from the database, pushes from the fakes) and of
//! whether any work is left ([`idle`]).

use crate::fake_fcm::FakeFcm;
use crate::fake_push::{self, AllFakes};
use chrono::Utc;
use entity::{announcement, device, notification, notification_preference, push_delivery, user};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// What the fake push servers accepted: (device token, the request as JSON).
pub trait Pushes {
    fn sent(&self) -> Vec<(String, Value)>;
}

impl Pushes for FakeFcm {
    fn sent(&self) -> Vec<(String, Value)> {
        self.delivered()
    }
}

impl Pushes for AllFakes {
    fn sent(&self) -> Vec<(String, Value)> {
        self.delivered().into_iter().map(|(_, token, message)| (token, message)).collect()
    }
}

/// People who should hear of announcements to their unit, each with one active phone.
pub struct Recipients {
    pub users: Vec<Uuid>,
    /// Each person's device token, in the order of `users`.
    pub tokens: Vec<String>,
}

/// Inserts `n` active volunteers under `unit`, each with one active phone of the provider
/// `provider_of(i)` (`fake_push::provider_of` for a mainland mix, `|_| "fcm"`) with a distinct
/// token, and quiet hours off, so that pushes go out at once whatever the hour in Shanghai.
pub async fn recipients(
    db: &DatabaseConnection,
    unit: Uuid,
    n: usize,
    provider_of: fn(usize) -> &'static str,
) -> Recipients {
    let now = Utc::now();
    let users: Vec<Uuid> = (0..n).map(|_| Uuid::now_v7()).collect();
    let tag = &Uuid::new_v4().simple().to_string()[..8];
    let tokens: Vec<String> = (0..n).map(|i| fake_push::token(provider_of(i), tag, i)).collect();
    let ids: Vec<usize> = (0..n).collect();
    for chunk in ids.chunks(500) {
        let people = chunk.iter().map(|&i| user::ActiveModel {
            id: Set(users[i]),
            phone: Set(format!("+86159{i:08}")),
            name: Set(format!("演练志愿者{i}")),
            password_hash: Set("not-a-hash: never signs in".into()),
            role: Set(user::Role::Volunteer),
            org_unit_id: Set(Some(unit)),
            status: Set(user::UserStatus::Active),
            locale: Set(user::Locale::ZhCn),
            time_zone: Set("Asia/Shanghai".into()),
            volunteer_number: Set(format!("F{i:011}")),
            token_version: Set(0),
            created_by: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        });
        user::Entity::insert_many(people).exec_without_returning(db).await.unwrap();
        let devices = chunk.iter().map(|&i| device::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(users[i]),
            provider: Set(provider_of(i).into()),
            platform: Set(match fake_push::platform_of(provider_of(i)) {
                "ios" => device::Platform::Ios,
                _ => device::Platform::Android,
            }),
            token: Set(tokens[i].clone()),
            token_hash: Set(format!("h{i:05}")),
            app_version: Set(Some("1.0.0".into())),
            locale: Set(Some("zh-CN".into())),
            active: Set(true),
            last_seen_at: Set(now),
            created_at: Set(now),
            deactivated_at: Set(None),
            deactivated_reason: Set(None),
            installation_id: Set(None),
            app_id: Set(None),
            session_id: Set(None),
        });
        device::Entity::insert_many(devices).exec_without_returning(db).await.unwrap();
        let preferences = chunk.iter().map(|&i| notification_preference::ActiveModel {
            user_id: Set(users[i]),
            quiet_hours_enabled: Set(false),
            quiet_start_minute: Set(22 * 60),
            quiet_end_minute: Set(8 * 60),
            muted_categories: Set(Default::default()),
            updated_at: Set(now),
        });
        notification_preference::Entity::insert_many(preferences).exec_without_returning(db).await.unwrap();
    }
    Recipients { users, tokens }
}

/// What reached the recipients of one announcement.
#[derive(Debug, Default)]
pub struct Delivery {
    /// Inbox rows of the announcement.
    pub inbox_rows: usize,
    /// Recipients with at least one inbox row.
    pub inbox_people: usize,
    /// Inbox rows of people who are not recipients.
    pub strangers: usize,
    /// Pushes of the announcement the fakes accepted, in all.
    pub sends: usize,
    /// Pushes per recipient token (recipients the push reached).
    pub per_token: HashMap<String, usize>,
    /// Recipient tokens it never reached.
    pub missing: Vec<String>,
}

impl Delivery {
    /// Pushes beyond the first to a token.
    pub fn duplicates(&self) -> usize {
        self.per_token.values().map(|n| n - 1).sum()
    }

    /// Tokens pushed more than once.
    pub fn duplicated_tokens(&self) -> Vec<String> {
        self.per_token.iter().filter(|(_, n)| **n > 1).map(|(t, _)| t.clone()).collect()
    }

    /// Every recipient has its inbox row and got the push.
    pub fn complete(&self, recipients: &Recipients) -> bool {
        self.inbox_people == recipients.users.len() && self.missing.is_empty()
    }
}

/// The accounts of several announcements at once, by announcement id.
pub async fn deliveries(
    db: &DatabaseConnection,
    fake: &impl Pushes,
    recipients: &Recipients,
    announcements: &[Uuid],
) -> BTreeMap<Uuid, Delivery> {
    let keys: Vec<String> = announcements.iter().map(|a| format!("announcement:{a}")).collect();
    let rows: Vec<(Uuid, String)> = notification::Entity::find()
        .select_only()
        .column(notification::Column::UserId)
        .column(notification::Column::DedupeKey)
        .filter(notification::Column::DedupeKey.is_in(keys))
        .into_tuple()
        .all(db)
        .await
        .unwrap();
    let people: HashSet<Uuid> = recipients.users.iter().copied().collect();
    let mut out: BTreeMap<Uuid, Delivery> = announcements.iter().map(|a| (*a, Delivery::default())).collect();
    let mut seen: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
    for (user_id, key) in rows {
        let Some(a) = key.strip_prefix("announcement:").and_then(|a| a.parse::<Uuid>().ok()) else { continue };
        let Some(d) = out.get_mut(&a) else { continue };
        d.inbox_rows += 1;
        if people.contains(&user_id) {
            seen.entry(a).or_default().insert(user_id);
        } else {
            d.strangers += 1;
        }
    }
    for (a, who) in &seen {
        if let Some(d) = out.get_mut(a) {
            d.inbox_people = who.len();
        }
    }
    // Each vendor puts the announcement's id somewhere else in its request (FCM's `data`,
    // Huawei's JSON string, Xiaomi's form fields): look for it anywhere.
    let ids: Vec<(Uuid, String)> = announcements.iter().map(|a| (*a, a.to_string())).collect();
    for (token, message) in fake.sent() {
        let text = message.to_string();
        let Some((a, _)) = ids.iter().find(|(_, s)| text.contains(s.as_str())) else { continue };
        if let Some(d) = out.get_mut(a) {
            d.sends += 1;
            *d.per_token.entry(token).or_default() += 1;
        }
    }
    for d in out.values_mut() {
        d.missing = recipients.tokens.iter().filter(|t| !d.per_token.contains_key(*t)).cloned().collect();
    }
    out
}

/// The account of one announcement.
pub async fn delivery(db: &DatabaseConnection, fake: &impl Pushes, recipients: &Recipients, id: Uuid) -> Delivery {
    deliveries(db, fake, recipients, &[id]).await.remove(&id).unwrap()
}

/// The `push_deliveries` rows (status, attempts) of an announcement's pushes to `tokens`.
pub async fn push_rows(db: &DatabaseConnection, id: Uuid, tokens: &[String]) -> HashMap<String, (String, i32)> {
    if tokens.is_empty() {
        return HashMap::new();
    }
    let devices: HashMap<Uuid, String> = device::Entity::find()
        .filter(device::Column::Token.is_in(tokens.iter().cloned()))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.id, d.token))
        .collect();
    let notes: Vec<Uuid> = notification::Entity::find()
        .select_only()
        .column(notification::Column::Id)
        .filter(notification::Column::DedupeKey.eq(format!("announcement:{id}")))
        .into_tuple()
        .all(db)
        .await
        .unwrap();
    let mut out = HashMap::new();
    for chunk in notes.chunks(1000) {
        let rows = push_delivery::Entity::find()
            .filter(push_delivery::Column::NotificationId.is_in(chunk.iter().copied()))
            .filter(push_delivery::Column::DeviceId.is_in(devices.keys().copied()))
            .all(db)
            .await
            .unwrap();
        for r in rows {
            if let Some(token) = devices.get(&r.device_id) {
                out.insert(token.clone(), (r.status.as_str().to_string(), r.attempts));
            }
        }
    }
    out
}

/// How many `push_deliveries` rows of an announcement are in each status.
pub async fn push_statuses(db: &DatabaseConnection, id: Uuid) -> BTreeMap<String, usize> {
    let notes: Vec<Uuid> = notification::Entity::find()
        .select_only()
        .column(notification::Column::Id)
        .filter(notification::Column::DedupeKey.eq(format!("announcement:{id}")))
        .into_tuple()
        .all(db)
        .await
        .unwrap();
    let mut out = BTreeMap::new();
    for chunk in notes.chunks(1000) {
        let statuses: Vec<String> = push_delivery::Entity::find()
            .select_only()
            .column(push_delivery::Column::Status)
            .filter(push_delivery::Column::NotificationId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await
            .unwrap();
        for s in statuses {
            *out.entry(s).or_default() += 1;
        }
    }
    out
}

/// Whether an announcement's work is done as far as the system can tell: its fan-out finished,
/// no job waits in the outbox, and neither queue holds any ready, running (including jobs of a
/// killed worker not yet taken over) or waiting to retry. Errors (a server down) read as busy.
pub async fn idle(db: &DatabaseConnection, queues: &crate::harness::Queues, id: Uuid) -> bool {
    let completed =
        announcement::Entity::find_by_id(id).one(db).await.ok().flatten().is_some_and(|a| a.completed_at.is_some());
    if !completed || jobs::outbox::pending(db).await.unwrap_or(1) > 0 {
        return false;
    }
    matches!(queues.stats().await, Some(s) if s.ready == 0 && s.running == 0 && s.delayed == 0)
}
