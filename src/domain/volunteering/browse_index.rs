//! The browse read model: every published task's browse keys (start, place, action line, unit,
//! skills) held in memory per instance, so that a browse finds its page without asking the
//! database, which is then asked once for the page's rows (seats change with every sign-up and
//! are read fresh).
//!
//! Rules: it answers exactly as the reference query in `browse` does — the same filters, the
//! same squared-distance arithmetic in the same order of operations, the same `(key, id)` order
//! and cursor — which a test checks on random data. It is kept current by [`TaskIndex::apply`]
//! after every change of a task's status or browse keys (see `crate::browse_sync`, which also
//! rebuilds it at start and carries changes between instances); while it is not ready, browsing
//! takes the reference query. Reads table `tasks` and `task_skills`; writes none.

use crate::domain::DomainResult;
use crate::domain::volunteering::browse::Plan;
use crate::domain::volunteering::browse::Sort;
use chrono::{DateTime, Utc};
use entity::task::{self, ActionLine, TaskStatus};
use entity::task_skill;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::{Arc, RwLock};
use uuid::Uuid;

/// Side of a grid cell in degrees (about 2 km north-south).
const CELL: f64 = 0.02;

/// What browsing needs to know of one published task.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub action_line: ActionLine,
    pub org_unit_id: Uuid,
    /// Sorted, as the reference query returns them.
    pub skills: Vec<String>,
}

#[derive(Default)]
struct Inner {
    by_id: HashMap<Uuid, Arc<Entry>>,
    by_start: BTreeMap<(DateTime<Utc>, Uuid), Arc<Entry>>,
    grid: HashMap<(i64, i64), Vec<Arc<Entry>>>,
    /// The `updated_at` of the row each entry (or absence) was read from, so that a late,
    /// older read never overwrites a newer one.
    seen: HashMap<Uuid, DateTime<Utc>>,
}

fn cell(lat: f64, lng: f64) -> (i64, i64) {
    ((lat / CELL).floor() as i64, (lng / CELL).floor() as i64)
}

impl Inner {
    fn insert(&mut self, e: Arc<Entry>) {
        self.remove(e.id);
        if let (Some(lat), Some(lng)) = (e.lat, e.lng) {
            self.grid.entry(cell(lat, lng)).or_default().push(e.clone());
        }
        self.by_start.insert((e.starts_at, e.id), e.clone());
        self.by_id.insert(e.id, e);
    }

    fn remove(&mut self, id: Uuid) {
        if let Some(old) = self.by_id.remove(&id) {
            self.by_start.remove(&(old.starts_at, id));
            if let (Some(lat), Some(lng)) = (old.lat, old.lng) {
                let c = cell(lat, lng);
                if let Some(v) = self.grid.get_mut(&c) {
                    v.retain(|x| x.id != id);
                    if v.is_empty() {
                        self.grid.remove(&c);
                    }
                }
            }
        }
    }
}

/// The per-instance read model.
pub struct TaskIndex {
    inner: RwLock<Inner>,
    ready: tokio::sync::watch::Sender<bool>,
}

impl Default for TaskIndex {
    fn default() -> Self {
        TaskIndex { inner: RwLock::default(), ready: tokio::sync::watch::Sender::new(false) }
    }
}

/// Squared distance exactly as the reference query computes it.
pub(crate) fn distance2(lat: f64, lng: f64, tl: f64, tg: f64) -> f64 {
    let k = lat.to_radians().cos();
    let a = tl - lat;
    let b = (tg - lng) * k;
    a * a + b * b
}

impl TaskIndex {
    /// Whether browsing may use it (built, and receiving every change).
    pub fn is_ready(&self) -> bool {
        *self.ready.borrow()
    }

    pub fn set_ready(&self, ready: bool) {
        self.ready.send_replace(ready);
    }

    /// Waits until the model is ready.
    pub async fn wait_ready(&self) {
        let mut rx = self.ready.subscribe();
        let _ = rx.wait_for(|r| *r).await;
    }

    /// How many published tasks it holds.
    pub fn len(&self) -> usize {
        self.inner.read().unwrap_or_else(|e| e.into_inner()).by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Replaces the whole content (a rebuild).
    pub fn replace(&self, entries: Vec<(Entry, DateTime<Utc>)>) {
        let mut inner = Inner::default();
        for (e, version) in entries {
            inner.seen.insert(e.id, version);
            inner.insert(Arc::new(e));
        }
        *self.inner.write().unwrap_or_else(|e| e.into_inner()) = inner;
    }

    /// Applies one task's current state read from the database: `Some` while it is published,
    /// `None` otherwise; ignored when an newer read was applied already.
    pub fn apply(&self, id: Uuid, entry: Option<Entry>, version: DateTime<Utc>) {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        if inner.seen.get(&id).is_some_and(|v| *v > version) {
            return;
        }
        inner.seen.insert(id, version);
        match entry {
            Some(e) => inner.insert(Arc::new(e)),
            None => inner.remove(id),
        }
    }

    /// The page's entries (up to `limit + 1`, to tell whether more follow) in browse order.
    /// `under` is the unit subtree when the plan filters by one.
    pub(crate) fn search(
        &self,
        p: &Plan,
        under: Option<&std::collections::HashSet<Uuid>>,
        limit: usize,
    ) -> Vec<Arc<Entry>> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let keep = |e: &Entry| -> bool {
            e.starts_at > p.floor
                && p.to.is_none_or(|to| e.starts_at < to)
                && p.action_line.is_none_or(|a| e.action_line == a)
                && under.is_none_or(|u| u.contains(&e.org_unit_id))
                && p.skill.as_ref().is_none_or(|s| e.skills.iter().any(|x| x == s))
        };
        let after_start = |e: &Entry| match p.after_start {
            Some((t, id)) => e.starts_at > t || (e.starts_at == t && e.id > id),
            None => true,
        };
        let Some((lat, lng, radius_km)) = p.near else {
            // By start: walk the start order from the later of the floor and the cursor.
            let mut from = (p.floor, Uuid::max());
            if let Some(at) = p.after_start {
                from = from.max(at);
            }
            let mut out = Vec::with_capacity(limit + 1);
            for (_, e) in inner.by_start.range((Bound::Excluded(from), Bound::Unbounded)) {
                if p.to.is_some_and(|to| e.starts_at >= to) || out.len() > limit {
                    break;
                }
                if keep(e) && after_start(e) {
                    out.push(e.clone());
                }
            }
            return out;
        };
        let (dlat, dlng) = crate::domain::volunteering::browse::box_of(lat, radius_km);
        let (lo, hi) = (cell(lat - dlat, lng - dlng), cell(lat + dlat, lng + dlng));
        let cells = (hi.0 - lo.0 + 1).saturating_mul(hi.1 - lo.1 + 1);
        let near = |e: &Entry| -> Option<f64> {
            let (tl, tg) = (e.lat?, e.lng?);
            let inside = tl >= lat - dlat && tl <= lat + dlat && tg >= lng - dlng && tg <= lng + dlng;
            let d2 = distance2(lat, lng, tl, tg);
            (inside && d2 <= dlat * dlat).then_some(d2)
        };
        let mut found: Vec<(f64, Arc<Entry>)> = Vec::new();
        let mut consider = |e: &Arc<Entry>| {
            if let Some(d2) = near(e)
                && keep(e)
            {
                let after = match (p.sort, p.after_key) {
                    (Sort::Distance, Some((k, id))) => d2 > k || (d2 == k && e.id > id),
                    (Sort::Distance, None) => true,
                    (Sort::Start, _) => after_start(e),
                };
                if after {
                    found.push((d2, e.clone()));
                }
            }
        };
        if cells as usize > inner.by_id.len() {
            inner.by_id.values().for_each(&mut consider);
        } else {
            for a in lo.0..=hi.0 {
                for b in lo.1..=hi.1 {
                    if let Some(v) = inner.grid.get(&(a, b)) {
                        v.iter().for_each(&mut consider);
                    }
                }
            }
        }
        match p.sort {
            Sort::Distance => found.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.id.cmp(&y.1.id))),
            Sort::Start => found.sort_by_key(|x| (x.1.starts_at, x.1.id)),
        }
        found.truncate(limit + 1);
        found.into_iter().map(|(_, e)| e).collect()
    }
}

fn entry_of(t: &task::Model, skills: Vec<String>) -> Entry {
    Entry {
        id: t.id,
        starts_at: t.starts_at,
        lat: t.lat,
        lng: t.lng,
        action_line: t.action_line,
        org_unit_id: t.org_unit_id,
        skills,
    }
}

/// Every published task, for a rebuild: two queries whatever the size.
pub async fn load_all(db: &impl ConnectionTrait) -> DomainResult<Vec<(Entry, DateTime<Utc>)>> {
    let tasks = task::Entity::find().filter(task::Column::Status.eq(TaskStatus::Published)).all(db).await?;
    let mut skills: HashMap<Uuid, Vec<String>> = HashMap::new();
    for s in task_skill::Entity::find()
        .filter(
            task_skill::Column::TaskId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(task::Column::Id)
                    .from(task::Entity)
                    .and_where(task::Column::Status.eq(TaskStatus::Published))
                    .to_owned(),
            ),
        )
        .order_by_asc(task_skill::Column::Skill)
        .all(db)
        .await?
    {
        skills.entry(s.task_id).or_default().push(s.skill);
    }
    Ok(tasks.iter().map(|t| (entry_of(t, skills.remove(&t.id).unwrap_or_default()), t.updated_at)).collect())
}

/// One task's current state: its entry while published, and the version it was read at.
pub async fn load_one(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<(Option<Entry>, DateTime<Utc>)> {
    let Some(t) = task::Entity::find_by_id(id).one(db).await? else {
        return Ok((None, DateTime::<Utc>::MAX_UTC));
    };
    if t.status != TaskStatus::Published {
        return Ok((None, t.updated_at));
    }
    let skills = task_skill::Entity::find()
        .select_only()
        .column(task_skill::Column::Skill)
        .filter(task_skill::Column::TaskId.eq(id))
        .order_by_asc(task_skill::Column::Skill)
        .into_tuple::<String>()
        .all(db)
        .await?;
    Ok((Some(entry_of(&t, skills)), t.updated_at))
}
