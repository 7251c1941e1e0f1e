//! The message thread of a mentoring pair: text messages between mentor and mentee, read
//! receipts, cursor pages and `?since=` delta sync. Administrators in scope may read it; only the
//! pair writes, and only while the pairing is active (afterwards it is read-only history).
//!
//! Table: `pair_messages`. Each message goes to the other side's inbox and as a push collapsed
//! per thread; the push never holds the text (the app fetches it), only who wrote (an id).

use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::mentoring::{self, Access};
use crate::domain::messaging::notifications::{self, Category, Message};
use crate::domain::{DomainError, DomainResult, required_text};
use chrono::{DateTime, Utc};
use entity::mentoring_pairing::PairingStatus;
use entity::pair_message;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use uuid::Uuid;

/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// The push collapse key of a pair's thread: a newer message replaces an undelivered older one.
pub fn collapse_key(pairing: Uuid) -> String {
    format!("mentoring-thread:{pairing}")
}

/// One side of an active pair writes to the other. 400 for an empty or too long text; 403 for
/// administrators; 404 for anyone else; 409 `thread_read_only` once the pairing is not active.
pub async fn send(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    pairing_id: Uuid,
    body: &str,
) -> DomainResult<pair_message::Model> {
    let body = required_text("body", body)?;
    if body.chars().count() > MAX_MESSAGE_CHARS {
        return Err(DomainError::validation(format!("a message has at most {MAX_MESSAGE_CHARS} characters")));
    }
    write(db, async |txn| {
        let (p, how) = mentoring::visible(txn, actor, pairing_id).await?;
        let recipient = match how {
            Access::Mentor => p.mentee_id,
            Access::Mentee => p.mentor_id,
            Access::Admin => return Err(DomainError::forbidden("only the pair writes in its thread")),
        };
        if p.status != PairingStatus::Active {
            return Err(DomainError::conflict(
                "thread_read_only",
                "the pairing is not active: its thread is read-only",
            ));
        }
        let m = pair_message::ActiveModel {
            id: Set(Uuid::now_v7()),
            pairing_id: Set(p.id),
            sender_id: Set(actor.user_id),
            recipient_id: Set(recipient),
            body: Set(body.clone()),
            sent_at: Set(now),
            read_at: Set(None),
            updated_at: Set(now),
        }
        .insert(txn)
        .await?;
        let sender =
            entity::user::Entity::find_by_id(actor.user_id).one(txn).await?.map(|u| u.name).unwrap_or_default();
        let tell = Message::new(recipient, Category::Mentoring, "mentoring.message", format!("pair-message:{}", m.id))
            .param("sender", sender)
            .data("pairingId", p.id)
            .data("messageId", m.id)
            .data("senderId", actor.user_id)
            .data("collapseKey", collapse_key(p.id));
        notifications::tell(txn, tell).await?;
        Ok(m)
    })
    .await
}

/// A thread's messages, newest first; with `since`, only those sent or read after it.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pairing_id: Uuid,
    since: Option<DateTime<Utc>>,
    page: PageRequest,
) -> DomainResult<Page<pair_message::Model>> {
    mentoring::visible(db, actor, pairing_id).await?;
    let mut q = pair_message::Entity::find().filter(pair_message::Column::PairingId.eq(pairing_id));
    if let Some(since) = since {
        q = q.filter(pair_message::Column::UpdatedAt.gt(since));
    }
    Ok(page::fetch(db, q, pair_message::Column::Id, Order::NewestFirst, page, |m| m.id).await?)
}

/// The caller marks the messages they received in a thread read, up to and including `up_to`
/// (all when absent); returns how many changed. Works on ended threads too.
pub async fn mark_read(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    pairing_id: Uuid,
    up_to: Option<Uuid>,
) -> DomainResult<u64> {
    write(db, async |txn| {
        let (_, how) = mentoring::visible(txn, actor, pairing_id).await?;
        if how == Access::Admin {
            return Err(DomainError::forbidden("only the pair marks its messages read"));
        }
        let mut q = pair_message::Entity::update_many()
            .col_expr(pair_message::Column::ReadAt, Expr::val(now))
            .col_expr(pair_message::Column::UpdatedAt, Expr::val(now))
            .filter(pair_message::Column::PairingId.eq(pairing_id))
            .filter(pair_message::Column::RecipientId.eq(actor.user_id))
            .filter(pair_message::Column::ReadAt.is_null());
        if let Some(id) = up_to {
            q = q.filter(pair_message::Column::Id.lte(id));
        }
        Ok(q.exec(txn).await?.rows_affected)
    })
    .await
}
