//! Mentoring records and personal data: a person's minutes given as a mentor and received as a
//! mentee, with graduations; and mentoring's part of a person's data for export and erasure.

use crate::domain::kernel::actor::Actor;
use crate::domain::mentoring::pairings::{close, give_back_place, load_of};
use crate::domain::mentoring::progress::{count_and_sum, counted_sessions};
use crate::domain::{DomainResult, people::users};
use entity::mentoring_pairing::{self as pairing, PairingStatus};
use entity::mentoring_session::{self as session};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// A person's mentoring record: minutes given as a mentor (supervision/mentoring hours) and
/// received as a mentee (training received), from acknowledged logs, and graduations.
#[derive(Clone, Debug, Default)]
pub struct Record {
    pub person_id: Uuid,
    pub mentoring_sessions: i64,
    pub mentoring_minutes: i64,
    pub training_sessions: i64,
    pub training_minutes: i64,
    pub active_mentees: i32,
    /// Pairings in which the person (as mentor or mentee) graduated.
    pub graduations: Vec<pairing::Model>,
}

/// The record of `person_id`.
pub async fn record_of(db: &impl ConnectionTrait, person_id: Uuid) -> DomainResult<Record> {
    let (ms, mm) = count_and_sum(db, counted_sessions().add(session::Column::MentorId.eq(person_id))).await?;
    let (ts, tm) = count_and_sum(db, counted_sessions().add(session::Column::MenteeId.eq(person_id))).await?;
    let graduations = pairing::Entity::find()
        .filter(pairing::Column::GraduatedAt.is_not_null())
        .filter(
            Condition::any().add(pairing::Column::MentorId.eq(person_id)).add(pairing::Column::MenteeId.eq(person_id)),
        )
        .order_by_asc(pairing::Column::GraduatedAt)
        .all(db)
        .await?;
    Ok(Record {
        person_id,
        mentoring_sessions: ms,
        mentoring_minutes: mm,
        training_sessions: ts,
        training_minutes: tm,
        active_mentees: load_of(db, person_id).await?,
        graduations,
    })
}

/// Someone's record: themselves, or an administrator whose scope holds them (else 404).
pub async fn record_visible(db: &impl ConnectionTrait, actor: &Actor, person_id: Uuid) -> DomainResult<Record> {
    users::get_visible(db, actor, person_id).await?;
    record_of(db, person_id).await
}

/// Mentoring's part of a person's data: their pairings (as mentor or mentee), session logs and
/// thread messages. Erasure keeps pairings and logs (they are the other person's record too) but
/// clears what the person wrote in free text: their messages' texts, their dispute comments and,
/// for logs they wrote as mentor, the notes; active pairings end.
pub struct Mentoring;

#[async_trait::async_trait]
impl crate::domain::people::privacy::PersonalData for Mentoring {
    fn section(&self) -> &'static str {
        "mentoring"
    }
    async fn export(
        &self,
        cx: &crate::domain::people::privacy::Context<'_>,
        txn: &sea_orm::DatabaseTransaction,
    ) -> DomainResult<serde_json::Value> {
        use entity::pair_message;
        let id = cx.person.id;
        let either = |a: pairing::Column, b: pairing::Column| Condition::any().add(a.eq(id)).add(b.eq(id));
        Ok(crate::domain::people::privacy::Export::new()
            .part(
                "pairings",
                pairing::Entity::find()
                    .filter(either(pairing::Column::MentorId, pairing::Column::MenteeId))
                    .all(txn)
                    .await?,
            )?
            .part(
                "sessions",
                session::Entity::find()
                    .filter(
                        Condition::any().add(session::Column::MentorId.eq(id)).add(session::Column::MenteeId.eq(id)),
                    )
                    .all(txn)
                    .await?,
            )?
            .part(
                "messages",
                pair_message::Entity::find()
                    .filter(
                        Condition::any()
                            .add(pair_message::Column::SenderId.eq(id))
                            .add(pair_message::Column::RecipientId.eq(id)),
                    )
                    .all(txn)
                    .await?,
            )?
            .done())
    }
    async fn erase(
        &self,
        cx: &crate::domain::people::privacy::Context<'_>,
        txn: &sea_orm::DatabaseTransaction,
    ) -> DomainResult<()> {
        use entity::pair_message;
        let id = cx.person.id;
        let active = pairing::Entity::find()
            .filter(pairing::Column::Status.is_in([PairingStatus::Active, PairingStatus::Proposed]))
            .filter(Condition::any().add(pairing::Column::MentorId.eq(id)).add(pairing::Column::MenteeId.eq(id)))
            .all(txn)
            .await?;
        for p in active {
            if p.status == PairingStatus::Active {
                give_back_place(txn, p.mentor_id, cx.now).await?;
            }
            close(txn, p.id, p.status, None, Some("account erased".into()), cx.now).await?;
        }
        pair_message::Entity::update_many()
            .col_expr(pair_message::Column::Body, Expr::val(""))
            .filter(pair_message::Column::SenderId.eq(id))
            .exec(txn)
            .await?;
        session::Entity::update_many()
            .col_expr(session::Column::DisputeComment, Expr::val(Option::<String>::None))
            .filter(session::Column::MenteeId.eq(id))
            .exec(txn)
            .await?;
        session::Entity::update_many()
            .col_expr(session::Column::Notes, Expr::val(Option::<String>::None))
            .filter(session::Column::MentorId.eq(id))
            .exec(txn)
            .await?;
        Ok(())
    }
}
