//! The audit trail of the hours ledger: every make-up and leader entry, every decision (approve,
//! decline) and every correction is written to the audit log in the transaction of the change,
//! with the entry before and after. The snapshot holds the ledger's figures, never the claim's
//! description (personal text that erasure removes).

use crate::domain::DomainResult;
use crate::domain::kernel::audit::{self, Change};
use chrono::{DateTime, Utc};
use entity::hours_entry;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use uuid::Uuid;

/// The figures of an entry that the audit log keeps.
fn snapshot(e: &hours_entry::Model) -> Value {
    json!({
        "volunteerId": e.volunteer_id,
        "taskId": e.task_id,
        "orgUnitId": e.org_unit_id,
        "source": e.source,
        "minutes": e.minutes,
        "status": e.status,
        "serviceDate": e.service_date,
        "adjustsId": e.adjusts_id,
        "decidedBy": e.decided_by,
    })
}

/// An entry recorded already decided (a make-up, a leader's entry): nothing before it.
pub(super) async fn entered(
    txn: &impl ConnectionTrait,
    actor: Uuid,
    now: DateTime<Utc>,
    e: &hours_entry::Model,
) -> DomainResult<()> {
    let action = match e.source {
        hours_entry::HoursSource::Makeup => "hours.makeup",
        _ => "hours.enter",
    };
    audit::record(
        txn,
        now,
        Change::new(actor, action, "hours_entry", e.id).after(&snapshot(e)).reason(e.reason.clone()),
    )
    .await
}

/// A pending entry approved or declined.
pub(super) async fn decided(
    txn: &impl ConnectionTrait,
    actor: Uuid,
    now: DateTime<Utc>,
    before: &hours_entry::Model,
    after: &hours_entry::Model,
    reason: Option<String>,
) -> DomainResult<()> {
    let action = match after.status {
        hours_entry::HoursStatus::Approved => "hours.approve",
        _ => "hours.decline",
    };
    let change = Change::new(actor, action, "hours_entry", after.id).before(&snapshot(before)).after(&snapshot(after));
    audit::record(txn, now, change.reason(reason)).await
}

/// An approved entry corrected: its corrected minutes before and after, and the adjusting entry.
pub(super) async fn corrected(
    txn: &impl ConnectionTrait,
    actor: Uuid,
    now: DateTime<Utc>,
    original: &hours_entry::Model,
    minutes_before: i64,
    adjustment: &hours_entry::Model,
) -> DomainResult<()> {
    let before = json!({ "minutes": minutes_before });
    let after = json!({
        "minutes": minutes_before + i64::from(adjustment.minutes),
        "adjustment": snapshot(adjustment),
        "adjustmentId": adjustment.id,
    });
    let change = Change::new(actor, "hours.correct", "hours_entry", original.id).before(&before).after(&after);
    audit::record(txn, now, change.reason(adjustment.reason.clone())).await
}
