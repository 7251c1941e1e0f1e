//! Volunteering: service tasks, sign-ups and seats, dispatch, reminders, attendance (by code,
//! by hand in `manual_attendance`, by the leader's scan of personal codes in `presence`), the hours
//! ledger (`hours`), its limits (`day_limit`), its audit trail (`hours_audit`), its review queue
//! (`hours_review`), its export (`hours_export`) and the news of it (`hours_news`), star levels
//! and leaderboards (`stars`), service-record certificates, and volunteer service's part of
//! personal data (`personal_data`).

pub mod attendance;
pub mod browse;
pub mod browse_index;
pub mod day_limit;
pub mod dispatch;
pub mod hours;
pub mod hours_audit;
pub mod hours_export;
pub mod hours_news;
pub mod hours_review;
pub mod hours_totals;
pub mod leaderboard_ranks;
pub mod manual_attendance;
pub mod personal_data;
pub mod presence;
pub mod reminders;
pub mod service_records;
pub mod signing_up;
pub mod signups;
pub mod stars;
pub mod tasks;
