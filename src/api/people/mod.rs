//! People: registration and sessions, one's own account, people for administrators, and personal
//! data under PIPL, who may organise courses.

pub mod auth;
pub mod course_organisers;
pub mod me;
pub mod policy;
pub mod privacy;
pub mod users;
