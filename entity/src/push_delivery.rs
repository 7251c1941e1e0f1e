//! `push_deliveries`: one row per notification and device: the push's idempotency key and the
//! outcome of its attempts.

use sea_orm::entity::prelude::*;

/// Where the push of one notification to one device stands. Stored as its lower-case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum PushStatus {
    /// Not yet claimed.
    Pending,
    /// Claimed by a job's run, which is sending it.
    Sending,
    /// The provider took it.
    Delivered,
    /// The device's token is dead; the device was deactivated.
    Dropped,
    /// To be sent again (a retryable answer, an unknown outcome, a lapsed claim).
    Retry,
    /// Retrying cannot help.
    Failed,
    /// No longer to be pushed: muted, device gone or person inactive.
    Skipped,
}

impl PushStatus {
    /// The stored string.
    pub const fn as_str(self) -> &'static str {
        match self {
            PushStatus::Pending => "pending",
            PushStatus::Sending => "sending",
            PushStatus::Delivered => "delivered",
            PushStatus::Dropped => "dropped",
            PushStatus::Retry => "retry",
            PushStatus::Failed => "failed",
            PushStatus::Skipped => "skipped",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "push_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub notification_id: Uuid,
    pub device_id: Uuid,
    pub status: PushStatus,
    pub attempts: i32,
    /// The provider's last answer, e.g. `UNAVAILABLE`; never a token.
    pub last_outcome: Option<String>,
    /// A sender holds the row until then (wall clock); past it, anyone may take it over.
    pub claimed_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The job whose run holds the claim: its next run (the first died) takes it over at once.
    pub claim_job_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

#[cfg(test)]
mod tests {
    use super::PushStatus;
    use sea_orm::{ActiveEnum, Iterable};

    #[test]
    fn the_stored_strings_are_the_names() {
        for s in PushStatus::iter() {
            assert_eq!(s.to_value(), s.as_str());
            assert_eq!(PushStatus::try_from_value(&s.as_str().to_string()).unwrap(), s);
        }
    }
}
