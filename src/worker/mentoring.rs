//! The mentoring cron jobs: the hourly scan (mentors told once per lapse of contact, graduations
//! that came due through hours approved later) and the weekly digest to mentors and station
//! administrators. Rules: `domain::mentoring`; both are idempotent through their dedupe keys.

use crate::domain::mentoring;
use crate::state::AppState;
use jobs::job::JobOptions;
use jobs::{JobError, Registry};

/// Tell mentors of lapsed pairs; record graduations that came due.
pub const SCAN: &str = "mentoring.scan";
/// The weekly mentoring digest.
pub const DIGEST: &str = "mentoring.digest";

pub(super) fn register(r: &mut Registry, state: &AppState) {
    let once = JobOptions { max_attempts: 3, ..JobOptions::default() };
    super::on(r, state, SCAN, once, |state, _: serde_json::Value| async move {
        let told = mentoring::oversight::scan(&state.db, &state.config.mentoring, state.clock.now())
            .await
            .map_err(|e| JobError::retry(e.to_string()))?;
        if told > 0 {
            tracing::info!(told, "mentors told of pairs without contact");
        }
        Ok(())
    });
    super::on(r, state, DIGEST, once, |state, _: serde_json::Value| async move {
        let sent = mentoring::oversight::weekly_digest(&state.db, &state.config.mentoring, state.clock.now())
            .await
            .map_err(|e| JobError::retry(e.to_string()))?;
        tracing::info!(sent, "mentoring digests sent");
        Ok(())
    });
}
