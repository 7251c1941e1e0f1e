//! Seats with a first-come waitlist, shared by every kind of thing people sign up for (service
//! tasks, training sessions). One mechanism, not a copy per feature.
//!
//! A *pool* row (a task, a training session) carries `capacity`, `filled` (confirmed seats taken)
//! and `waitlist_seq` (the last waitlist position handed out). A *claims* table holds one row per
//! person with a `status` (`confirmed`, `waitlisted`, …) and a `position`.
//!
//! Capacity holds under any concurrency on PostgreSQL and SQLite because every decision is one
//! conditional `UPDATE` of the pool row, never a read followed by a write:
//! - taking a seat is `UPDATE pool SET filled = filled + 1 WHERE id = ? AND filled < capacity`;
//! - if that changes nothing, a waitlist position is taken with
//!   `UPDATE pool SET waitlist_seq = waitlist_seq + 1 WHERE id = ? AND filled >= capacity`,
//!   whose condition fails (and the caller tries the seat again) if a seat freed in between;
//! - freeing a seat first locks the pool row, then hands the seat straight to the head of the
//!   waitlist (so nobody can slip in ahead of the queue) or, with nobody waiting, gives it back.
//!
//! Both statements lock the pool row until the transaction ends (SQLite serialises writers
//! anyway), so a seat freed and a waitlist position taken can never cross.

use crate::domain::{DomainError, DomainResult};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use uuid::Uuid;

/// The tables of one kind of seat.
#[derive(Clone, Copy, Debug)]
pub struct SeatTables {
    /// The pool table (`tasks`), with `id`, `capacity`, `filled`, `waitlist_seq`.
    pub pool: &'static str,
    /// The claims table (`signups`), with `id`, `status`, `position`, `updated_at`.
    pub claims: &'static str,
    /// The claims table's column naming the pool (`task_id`).
    pub pool_fk: &'static str,
}

/// What a claim got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seat {
    Confirmed,
    /// On the waitlist at this position (positions only grow; lower goes first).
    Waitlisted(i32),
}

fn a(name: &'static str) -> Alias {
    Alias::new(name)
}

/// Takes a confirmed seat if one is free, else a waitlist position. Call inside the
/// transaction that writes the claim row.
pub async fn take(conn: &impl ConnectionTrait, t: SeatTables, pool_id: Uuid) -> DomainResult<Seat> {
    // Bounded: each round either succeeds or observed the pool change under it.
    for _ in 0..16 {
        if take_free(conn, t, pool_id).await? {
            return Ok(Seat::Confirmed);
        }
        let position = Query::update()
            .table(a(t.pool))
            .value(a("waitlist_seq"), Expr::col(a("waitlist_seq")).add(1))
            .and_where(Expr::col(a("id")).eq(pool_id))
            .and_where(Expr::col(a("filled")).gte(Expr::col(a("capacity"))))
            .returning_col(a("waitlist_seq"))
            .to_owned();
        if let Some(row) = conn.query_one(&position).await? {
            return Ok(Seat::Waitlisted(row.try_get::<i32>("", "waitlist_seq")?));
        }
    }
    Err(DomainError::Internal(format!("could not settle a seat in {} {pool_id}", t.pool)))
}

/// Takes a free confirmed seat, never a waitlist position: false when none is free. For seats
/// offered to whoever answers first (cover needed), where a waitlist place is no answer.
pub async fn take_free(conn: &impl ConnectionTrait, t: SeatTables, pool_id: Uuid) -> DomainResult<bool> {
    let seat = Query::update()
        .table(a(t.pool))
        .value(a("filled"), Expr::col(a("filled")).add(1))
        .and_where(Expr::col(a("id")).eq(pool_id))
        .and_where(Expr::col(a("filled")).lt(Expr::col(a("capacity"))))
        .to_owned();
    Ok(conn.execute(&seat).await?.rows_affected() == 1)
}

/// Locks the pool row for the rest of the transaction (a no-op update), so that what follows
/// (reading the waitlist, freeing a seat) cannot interleave with a concurrent sign-up.
pub async fn lock_pool(conn: &impl ConnectionTrait, t: SeatTables, pool_id: Uuid) -> DomainResult<()> {
    let lock = Query::update()
        .table(a(t.pool))
        .value(a("filled"), Expr::col(a("filled")))
        .and_where(Expr::col(a("id")).eq(pool_id))
        .to_owned();
    conn.execute(&lock).await?;
    Ok(())
}

/// A confirmed seat of `pool_id` was given up (the caller has already changed that claim's
/// status): hands it to the head of the waitlist, or returns it to the pool. Returns the claim
/// promoted, if any.
pub async fn release(
    conn: &impl ConnectionTrait,
    t: SeatTables,
    pool_id: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> DomainResult<Option<Uuid>> {
    lock_pool(conn, t, pool_id).await?;
    if let Some(promoted) = promote_head(conn, t, pool_id, now).await? {
        return Ok(Some(promoted));
    }
    let give_back = Query::update()
        .table(a(t.pool))
        .value(a("filled"), Expr::col(a("filled")).sub(1))
        .and_where(Expr::col(a("id")).eq(pool_id))
        .and_where(Expr::col(a("filled")).gt(0))
        .to_owned();
    conn.execute(&give_back).await?;
    Ok(None)
}

/// Confirms the first waitlisted claim, if any. The pool row must be locked and the seat
/// accounted for by the caller.
async fn promote_head(
    conn: &impl ConnectionTrait,
    t: SeatTables,
    pool_id: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> DomainResult<Option<Uuid>> {
    let head = Query::select()
        .column(a("id"))
        .from(a(t.claims))
        .and_where(Expr::col(a(t.pool_fk)).eq(pool_id))
        .and_where(Expr::col(a("status")).eq("waitlisted"))
        .order_by(a("position"), sea_orm::Order::Asc)
        .limit(1)
        .to_owned();
    let Some(row) = conn.query_one(&head).await? else { return Ok(None) };
    let id: Uuid = row.try_get("", "id")?;
    let promote = Query::update()
        .table(a(t.claims))
        .value(a("status"), "confirmed")
        .value(a("position"), Option::<i32>::None)
        .value(a("updated_at"), now)
        .and_where(Expr::col(a("id")).eq(id))
        .and_where(Expr::col(a("status")).eq("waitlisted"))
        .to_owned();
    if conn.execute(&promote).await?.rows_affected() == 1 { Ok(Some(id)) } else { Ok(None) }
}

/// Raises or lowers a pool's capacity. Lowering below the seats taken is refused; raising it
/// confirms waitlisted claims into the new seats, in order. Returns the claims promoted.
pub async fn set_capacity(
    conn: &impl ConnectionTrait,
    t: SeatTables,
    pool_id: Uuid,
    capacity: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> DomainResult<Vec<Uuid>> {
    lock_pool(conn, t, pool_id).await?;
    let set = Query::update()
        .table(a(t.pool))
        .value(a("capacity"), capacity)
        .and_where(Expr::col(a("id")).eq(pool_id))
        .and_where(Expr::col(a("filled")).lte(capacity))
        .to_owned();
    if conn.execute(&set).await?.rows_affected() == 0 {
        return Err(DomainError::conflict(
            "capacity_below_confirmed",
            "capacity cannot be lowered below the seats already confirmed",
        ));
    }
    let mut promoted = Vec::new();
    loop {
        // Only take the seat if someone is waiting for it.
        let waiting = Query::select()
            .expr(Expr::val(1))
            .from(a(t.claims))
            .and_where(Expr::col(a(t.pool_fk)).eq(pool_id))
            .and_where(Expr::col(a("status")).eq("waitlisted"))
            .limit(1)
            .to_owned();
        if conn.query_one(&waiting).await?.is_none() || !take_free(conn, t, pool_id).await? {
            break;
        }
        match promote_head(conn, t, pool_id, now).await? {
            Some(id) => promoted.push(id),
            None => break,
        }
    }
    Ok(promoted)
}
