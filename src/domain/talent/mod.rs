//! Talent: social workers' credentials and registration (登记), training and continuing education
//! (继续教育), task prerequisites and the talent directory.

pub mod credentials;
pub mod directory;
pub mod prerequisites;
pub mod reminders;
pub mod training;
