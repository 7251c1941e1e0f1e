//! Telling people about hours: a volunteer hears of each decision batch on their entries (one
//! message per batch, however many entries it held) and of each correction; the organiser hears
//! of a dispute. Runs in the caller's transaction, so news goes out exactly when the change
//! commits.

use crate::domain::DomainResult;
use crate::domain::messaging::notifications::{Category, Message, tell};
use entity::{hours_entry, task};
use sea_orm::{ConnectionTrait, EntityTrait};
use std::collections::BTreeMap;
use uuid::Uuid;

fn hours(minutes: i64) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    if m == 0 { format!("{h}") } else { format!("{h}.{:02}", m * 100 / 60) }
}

/// Entries just approved or declined together: one message to each volunteer concerned.
pub(super) async fn decided(
    txn: &impl ConnectionTrait,
    entries: &[hours_entry::Model],
    approve: bool,
    reason: Option<&str>,
) -> DomainResult<()> {
    let mut by_volunteer: BTreeMap<Uuid, Vec<&hours_entry::Model>> = BTreeMap::new();
    for e in entries {
        by_volunteer.entry(e.volunteer_id).or_default().push(e);
    }
    for (volunteer, mine) in by_volunteer {
        let minutes: i64 = mine.iter().map(|e| i64::from(e.minutes)).sum();
        let (template, key) = if approve { ("hours.approved", "approved") } else { ("hours.declined", "declined") };
        let mut m = Message::new(volunteer, Category::System, template, format!("hours:{key}:{}", mine[0].id))
            .param("count", mine.len().to_string())
            .param("hours", hours(minutes))
            .data("entryId", mine[0].id);
        if !approve {
            m = m.param("reason", reason.unwrap_or_default().to_string());
        }
        tell(txn, m).await?;
    }
    Ok(())
}

/// An approved entry was corrected by `adjustment`.
pub(super) async fn corrected(txn: &impl ConnectionTrait, adjustment: &hours_entry::Model) -> DomainResult<()> {
    let delta = i64::from(adjustment.minutes);
    let sign = if delta < 0 { "-" } else { "+" };
    let m = Message::new(
        adjustment.volunteer_id,
        Category::System,
        "hours.corrected",
        format!("hours:corrected:{}", adjustment.id),
    )
    .param("change", format!("{sign}{}", hours(delta.abs())))
    .param("reason", adjustment.reason.clone().unwrap_or_default())
    .data("entryId", adjustment.adjusts_id.unwrap_or(adjustment.id));
    tell(txn, m).await?;
    Ok(())
}

/// A volunteer disputed an entry: its task's organiser and leader are told, or, for an entry
/// without a task, whoever decided it.
pub(super) async fn disputed(txn: &impl ConnectionTrait, e: &hours_entry::Model) -> DomainResult<()> {
    let mut to: Vec<Uuid> = Vec::new();
    if let Some(task_id) = e.task_id
        && let Some(t) = task::Entity::find_by_id(task_id).one(txn).await?
    {
        to.push(t.created_by);
        to.extend(t.leader_id.filter(|l| *l != t.created_by));
    } else {
        to.extend(e.decided_by);
    }
    for person in to.into_iter().filter(|p| *p != e.volunteer_id) {
        let m = Message::new(person, Category::System, "hours.disputed", format!("hours:disputed:{}:{person}", e.id))
            .param("hours", hours(i64::from(e.minutes)))
            .param("date", e.service_date.to_string())
            .data("entryId", e.id);
        tell(txn, m).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn hours_read_as_people_say_them() {
        assert_eq!(super::hours(180), "3");
        assert_eq!(super::hours(90), "1.50");
        assert_eq!(super::hours(20), "0.33");
    }
}
