//! What station administrators oversee (mentor loads, each pair's last contact and standing),
//! one's own mentoring overview with what is due, and the cron scans: lapsed contact, late
//! graduations and the weekly digest.

use crate::config::MentoringConfig;
use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::mentoring::pairings::scope_of;
use crate::domain::mentoring::progress::graduate_if_due;
use crate::domain::mentoring::records::{Record, record_of};
use crate::domain::messaging::notifications::{self, Category, Message};
use crate::domain::{DomainError, DomainResult, kernel::org_units, people::users};
use chrono::{DateTime, Duration, Utc};
use entity::mentoring_pairing::{self as pairing, PairingStatus};
use entity::mentoring_session::{self as session, SessionStatus};
use entity::user::{self, Role, UserStatus};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
};
use std::collections::HashMap;
use uuid::Uuid;

/// One mentor and their load.
#[derive(Clone, Debug)]
pub struct MentorLoad {
    pub mentor: user::Model,
    pub active_mentees: i32,
}

/// One active pair and its last contact.
#[derive(Clone, Debug)]
pub struct PairStatus {
    pub pairing: pairing::Model,
    pub mentor: user::Model,
    pub mentee: user::Model,
    pub last_session_at: Option<DateTime<Utc>>,
    /// Whole days since the last session (since activation when there was none).
    pub days_since_last_session: i64,
    /// The latest of activation, the last session and the last message.
    pub last_contact_at: DateTime<Utc>,
    pub no_contact: bool,
}

/// What a station administrator oversees.
#[derive(Clone, Debug)]
pub struct Oversight {
    pub mentors: Vec<MentorLoad>,
    pub pairs: Vec<PairStatus>,
    pub acknowledged_logs: u64,
    pub disputed_logs: u64,
    pub pending_logs: u64,
    /// Disputed logs, newest first (at most 100).
    pub disputes: Vec<session::Model>,
    pub supervisors: u64,
    pub mentors_per_supervisor_limit: u32,
    pub no_contact_days: u32,
    pub max_mentees: u32,
}

async fn last_contact(
    db: &impl ConnectionTrait,
    p: &pairing::Model,
) -> DomainResult<(Option<DateTime<Utc>>, DateTime<Utc>)> {
    let last_session = session::Entity::find()
        .filter(session::Column::PairingId.eq(p.id))
        .order_by_desc(session::Column::HeldAt)
        .one(db)
        .await?
        .map(|s| s.held_at);
    let last_message = entity::pair_message::Entity::find()
        .filter(entity::pair_message::Column::PairingId.eq(p.id))
        .order_by_desc(entity::pair_message::Column::SentAt)
        .one(db)
        .await?
        .map(|m| m.sent_at);
    let start = p.activated_at.unwrap_or(p.created_at);
    let contact = [Some(start), last_session, last_message].into_iter().flatten().max().unwrap_or(start);
    Ok((last_session, contact))
}

async fn pair_status(
    db: &impl ConnectionTrait,
    cfg: &MentoringConfig,
    now: DateTime<Utc>,
    p: pairing::Model,
    people: &HashMap<Uuid, user::Model>,
) -> DomainResult<Option<PairStatus>> {
    let (Some(mentor), Some(mentee)) = (people.get(&p.mentor_id), people.get(&p.mentee_id)) else {
        return Ok(None);
    };
    let (last_session_at, last_contact_at) = last_contact(db, &p).await?;
    let since = last_session_at.unwrap_or(p.activated_at.unwrap_or(p.created_at));
    Ok(Some(PairStatus {
        days_since_last_session: (now - since).num_days(),
        no_contact: now - last_contact_at >= Duration::days(i64::from(cfg.no_contact_days)),
        last_session_at,
        last_contact_at,
        mentor: mentor.clone(),
        mentee: mentee.clone(),
        pairing: p,
    }))
}

/// The oversight view of an administrator's scope (or of `unit` within it): mentors and their
/// load, each active pair's last session and contact, log answers and disputes, supervisors.
pub async fn oversight(
    db: &impl ConnectionTrait,
    cfg: &MentoringConfig,
    actor: &Actor,
    now: DateTime<Utc>,
    unit: Option<Uuid>,
) -> DomainResult<Oversight> {
    let root = match (actor.admin_scope_root()?, unit) {
        (_, Some(u)) => {
            org_units::get(db, u).await?;
            if !actor.covers_unit(db, Some(u)).await? {
                return Err(DomainError::not_found("org unit"));
            }
            Some(u)
        }
        (root, None) => root,
    };
    let scoped = Actor {
        org_unit_id: root,
        role: if root.is_some() { Role::StationAdmin } else { Role::CityAdmin },
        ..actor.clone()
    };
    let active = pairing::Entity::find()
        .filter(scope_of(&scoped)?)
        .filter(pairing::Column::Status.eq(PairingStatus::Active))
        .order_by_asc(pairing::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = active.iter().flat_map(|p| [p.mentor_id, p.mentee_id]).collect();
    let people = users::by_ids(db, ids).await?;
    let mut pairs = Vec::new();
    let mut loads: HashMap<Uuid, i32> = HashMap::new();
    for p in active {
        *loads.entry(p.mentor_id).or_default() += 1;
        if let Some(s) = pair_status(db, cfg, now, p, &people).await? {
            pairs.push(s);
        }
    }
    let mut mentors: Vec<MentorLoad> = loads
        .into_iter()
        .filter_map(|(id, n)| people.get(&id).map(|m| MentorLoad { mentor: m.clone(), active_mentees: n }))
        .collect();
    mentors.sort_by(|a, b| b.active_mentees.cmp(&a.active_mentees).then(a.mentor.id.cmp(&b.mentor.id)));
    let in_scope = pairing::Entity::find().select_only().column(pairing::Column::Id).filter(scope_of(&scoped)?);
    let logs = |status: SessionStatus| {
        session::Entity::find()
            .filter(session::Column::Status.eq(status))
            .filter(session::Column::PairingId.in_subquery(in_scope.clone().into_query()))
    };
    let disputes = logs(SessionStatus::Disputed).order_by_desc(session::Column::Id).limit(100).all(db).await?;
    let mut admins = user::Entity::find()
        .filter(user::Column::Role.eq(Role::StationAdmin))
        .filter(user::Column::Status.eq(UserStatus::Active));
    if let Some(r) = root {
        admins = admins.filter(user::Column::OrgUnitId.in_subquery(org_units::subtree_ids(r)));
    }
    Ok(Oversight {
        acknowledged_logs: logs(SessionStatus::Acknowledged).count(db).await?,
        disputed_logs: logs(SessionStatus::Disputed).count(db).await?,
        pending_logs: logs(SessionStatus::Pending).count(db).await?,
        disputes,
        supervisors: admins.count(db).await?,
        mentors_per_supervisor_limit: cfg.mentors_per_supervisor,
        no_contact_days: cfg.no_contact_days,
        max_mentees: cfg.max_mentees,
        mentors,
        pairs,
    })
}

/// What is due for one person: their active pairs (with last contact), proposals waiting for
/// their answer, and logs waiting for an acknowledgement (theirs, or their mentees').
#[derive(Clone, Debug)]
pub struct Due {
    pub record: Record,
    pub pairs: Vec<PairStatus>,
    pub proposals: Vec<pairing::Model>,
    pub unanswered_logs: Vec<session::Model>,
}

/// The actor's own mentoring overview.
pub async fn my_overview(
    db: &impl ConnectionTrait,
    cfg: &MentoringConfig,
    actor: &Actor,
    now: DateTime<Utc>,
) -> DomainResult<Due> {
    let mine = Condition::any()
        .add(pairing::Column::MentorId.eq(actor.user_id))
        .add(pairing::Column::MenteeId.eq(actor.user_id));
    let open = pairing::Entity::find()
        .filter(mine)
        .filter(pairing::Column::Status.is_in([PairingStatus::Proposed, PairingStatus::Active]))
        .order_by_asc(pairing::Column::Id)
        .all(db)
        .await?;
    let people = users::by_ids(db, open.iter().flat_map(|p| [p.mentor_id, p.mentee_id])).await?;
    let mut pairs = Vec::new();
    let mut proposals = Vec::new();
    for p in open {
        if p.status == PairingStatus::Proposed {
            let waiting_for_me = (p.mentor_id == actor.user_id && p.mentor_accepted_at.is_none())
                || (p.mentee_id == actor.user_id && p.mentee_accepted_at.is_none());
            if waiting_for_me {
                proposals.push(p);
            }
        } else if let Some(s) = pair_status(db, cfg, now, p, &people).await? {
            pairs.push(s);
        }
    }
    let unanswered_logs = session::Entity::find()
        .filter(session::Column::Status.eq(SessionStatus::Pending))
        .filter(
            Condition::any()
                .add(session::Column::MentorId.eq(actor.user_id))
                .add(session::Column::MenteeId.eq(actor.user_id)),
        )
        .order_by_asc(session::Column::Id)
        .limit(100)
        .all(db)
        .await?;
    Ok(Due { record: record_of(db, actor.user_id).await?, pairs, proposals, unanswered_logs })
}

/// Tells each mentor of an active pair without contact for `no_contact_days`, once per lapse
/// (the dedupe key holds the last contact), and records graduations that came due through hours
/// approved later. Returns how many mentors were told.
pub async fn scan(db: &DatabaseConnection, cfg: &MentoringConfig, now: DateTime<Utc>) -> DomainResult<u64> {
    let active = pairing::Entity::find().filter(pairing::Column::Status.eq(PairingStatus::Active)).all(db).await?;
    let mut told = 0;
    for p in active {
        let (_, contact) = last_contact(db, &p).await?;
        let lapsed = now - contact >= Duration::days(i64::from(cfg.no_contact_days));
        write(db, async |txn| {
            if lapsed {
                let m = Message::new(
                    p.mentor_id,
                    Category::Mentoring,
                    "mentoring.no_contact",
                    format!("pairing:{}:lapse:{}", p.id, contact.timestamp()),
                )
                .param("days", cfg.no_contact_days.to_string())
                .data("pairingId", p.id);
                notifications::tell(txn, m).await?;
            }
            graduate_if_due(txn, now, &p).await?;
            Ok::<_, DomainError>(())
        })
        .await?;
        told += u64::from(lapsed);
    }
    Ok(told)
}

/// The weekly digest: each mentor with active pairs, and each station administrator with
/// active pairs in scope, gets one summary per ISO week.
pub async fn weekly_digest(db: &DatabaseConnection, cfg: &MentoringConfig, now: DateTime<Utc>) -> DomainResult<u64> {
    use chrono::Datelike;
    let week = now.iso_week();
    let key = format!("mentoring-digest:{}-W{:02}", week.year(), week.week());
    let active = pairing::Entity::find().filter(pairing::Column::Status.eq(PairingStatus::Active)).all(db).await?;
    let mut per_mentor: HashMap<Uuid, (usize, usize)> = HashMap::new();
    let mut lapsed_pairs = Vec::new();
    for p in &active {
        let (_, contact) = last_contact(db, p).await?;
        let lapsed = now - contact >= Duration::days(i64::from(cfg.no_contact_days));
        let e = per_mentor.entry(p.mentor_id).or_default();
        e.0 += 1;
        e.1 += usize::from(lapsed);
        lapsed_pairs.push((p.clone(), lapsed));
    }
    // Which units each pair reaches (every ancestor of the mentor's and the mentee's home
    // units), in two queries rather than one look-up per administrator and pair.
    let people = users::by_ids(db, active.iter().flat_map(|p| [p.mentor_id, p.mentee_id])).await?;
    let homes: Vec<Uuid> = people.values().filter_map(|u| u.org_unit_id).collect();
    let mut above: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for c in entity::org_unit_closure::Entity::find()
        .filter(entity::org_unit_closure::Column::DescendantId.is_in(homes))
        .all(db)
        .await?
    {
        above.entry(c.descendant_id).or_default().push(c.ancestor_id);
    }
    let reach = |p: &pairing::Model| -> std::collections::HashSet<Uuid> {
        [p.mentor_id, p.mentee_id]
            .iter()
            .filter_map(|id| people.get(id).and_then(|u| u.org_unit_id))
            .flat_map(|unit| above.get(&unit).cloned().unwrap_or_default())
            .collect()
    };
    let admins = user::Entity::find()
        .filter(user::Column::Role.eq(Role::StationAdmin))
        .filter(user::Column::Status.eq(UserStatus::Active))
        .all(db)
        .await?;
    let mut per_unit: HashMap<Uuid, (usize, usize)> = HashMap::new();
    for (p, lapsed) in &lapsed_pairs {
        for unit in reach(p) {
            let e = per_unit.entry(unit).or_default();
            e.0 += 1;
            e.1 += usize::from(*lapsed);
        }
    }
    let per_admin: Vec<(Uuid, usize, usize)> = admins
        .iter()
        .filter_map(|a| a.org_unit_id.and_then(|u| per_unit.get(&u)).map(|(n, l)| (a.id, *n, *l)))
        .collect();
    let mut sent = 0;
    write(db, async |txn| {
        let all = per_mentor.iter().map(|(id, (n, l))| (*id, *n, *l)).chain(per_admin.iter().copied());
        for (who, pairs, lapsed) in all {
            let m = Message::new(who, Category::Mentoring, "mentoring.weekly_digest", key.clone())
                .param("pairs", pairs.to_string())
                .param("lapsed", lapsed.to_string());
            notifications::tell(txn, m).await?;
            sent += 1;
        }
        Ok::<_, DomainError>(())
    })
    .await?;
    Ok(sent)
}
