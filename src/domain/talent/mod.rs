//! Talent: social workers' credentials and registration (登记), training and continuing education
//! (继续教育), task prerequisites and the talent directory. Training is split into courses and
//! sessions (`training`), enrolments (`enrolments`) and the learning ledger with CE progress
//! (`learning`); talent's part of personal data is `personal_data`.

pub mod credentials;
pub mod directory;
pub mod enrolments;
pub mod learning;
pub mod personal_data;
pub mod prerequisites;
pub mod registration;
pub mod reminders;
pub mod training;
