//! People: registration and sessions, SMS codes and what they unlock, guardians, one's own account, people for administrators, and personal
//! data under PIPL, who may organise courses.

pub mod auth;
pub mod codes;
pub mod course_organisers;
pub mod disputes;
pub mod guardians;
pub mod me;
pub mod policy;
pub mod privacy;
pub mod users;
