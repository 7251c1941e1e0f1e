//! Mentoring: pairings and their limits (also under concurrency), session logs with
//! acknowledgement, dispute and reminders, graduation at its boundary, the no-contact nudge, the
//! pair thread with read receipts and delta sync, and who may see what.

mod support;

mod oversight;
mod pairings;
mod sessions;
mod threads;
