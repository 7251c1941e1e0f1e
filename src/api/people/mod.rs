//! People: registration and sessions, one's own account, people for administrators, and personal
//! data under PIPL.

pub mod auth;
pub mod me;
pub mod privacy;
pub mod users;
