//! sea-orm entities of wushe: one module per table, plus the enums stored in them (as strings,
//! so both PostgreSQL and SQLite hold them the same way).
//!
//! No business rules and no HTTP types live here; the `wushe` crate's `domain` owns the rules and
//! its `api` owns the wire types. The job machinery's own tables (queue, outbox, keyed future
//! jobs) are the `jobs` crate's (`jobs::entity`).

pub mod active_volunteer_count;
pub mod active_volunteer_month;
pub mod announcement;
pub mod attendance;
pub mod audit_log;
pub mod birth_date;
pub mod charity_fund;
pub mod community_need;
pub mod community_resource;
pub mod consent;
pub mod device;
pub mod dispatch_day;
pub mod fund_committee_member;
pub mod fund_entry;
pub mod fund_grant;
pub mod guardian;
pub mod health_note;
pub mod honour;
pub mod honour_nomination;
pub mod honour_objection;
pub mod honour_programme;
pub mod honour_quota_use;
pub mod honour_recusal;
pub mod honour_reviewer;
pub mod honour_score;
pub mod hours_entry;
pub mod hours_rollup;
pub mod hours_total;
pub mod hours_window;
pub mod idempotency_key;
pub mod identity;
pub mod identity_dispute;
pub mod json_text;
pub mod login_failure;
pub mod login_lock;
pub mod manual_attendance;
pub mod mentor_load;
pub mod mentoring_pairing;
pub mod mentoring_session;
pub mod notification;
pub mod notification_preference;
pub mod org_unit;
pub mod org_unit_closure;
pub mod pair_message;
pub mod people_rollup;
pub mod project;
pub mod project_funding_line;
pub mod push_delivery;
pub mod refresh_token;
pub mod service_record;
pub mod session;
pub mod signup;
pub mod social_organisation;
pub mod social_worker_profile;
pub mod star_award;
pub mod task;
pub mod task_invitation;
pub mod task_skill;
pub mod user;
pub mod user_skill;
pub mod verification_code;
pub mod volunteer_profile;

// Talent: credentials, training and continuing education.
pub mod course;
pub mod course_organiser;
pub mod credential;
pub mod credential_kind;
pub mod enrolment;
pub mod learning_entry;
pub mod prerequisite;
pub mod talent_reminder;
pub mod training_session;

pub use sea_orm;
