//! The talent cron jobs: the daily credential scan (expiry flips, renewal-window and 30/7-day
//! reminders) and the weekly digest to station administrators. Rules:
//! `domain::talent_reminders`.

use crate::domain::talent::reminders as talent_reminders;
use crate::state::AppState;
use jobs::Registry;
use jobs::job::JobOptions;

/// Flip expired credentials and send the reminders that came due.
pub const DAILY_SCAN: &str = "talent.daily_scan";
/// Tell each station administrator who in their station is due.
pub const WEEKLY_DIGEST: &str = "talent.weekly_digest";

pub(super) fn register(r: &mut Registry, state: &AppState) {
    let once = JobOptions { max_attempts: 3, ..JobOptions::default() };
    super::on(r, state, DAILY_SCAN, once, |state, _: serde_json::Value| async move {
        let scan = talent_reminders::daily(&state.db, &state.config.talent, state.clock.now()).await?;
        tracing::info!(expired = scan.expired, reminders = scan.reminders, "talent scan done");
        Ok(())
    });
    super::on(r, state, WEEKLY_DIGEST, once, |state, _: serde_json::Value| async move {
        let n = talent_reminders::weekly_digest(&state.db, &state.config.talent, state.clock.now()).await?;
        tracing::info!(digests = n, "talent digests sent");
        Ok(())
    });
}
