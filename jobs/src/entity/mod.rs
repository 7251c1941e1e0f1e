//! The sea-orm entities of the tables the job machinery owns: the embedded queue's jobs and
//! keys, the outbox, and keyed future jobs. Their migrations are in [`crate::migrations`].

pub mod job;
pub mod job_key;
pub mod outbox;
pub mod scheduled_job;
