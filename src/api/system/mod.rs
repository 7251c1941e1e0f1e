//! System: liveness, readiness and metrics, and the job queue's dead letters.

pub mod admin_jobs;
pub mod health;
pub mod policy;
