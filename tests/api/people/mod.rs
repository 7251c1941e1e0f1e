//! Registration, phone identity (codes, guardians), sessions and tokens, people for administrators, personal data and the canary.

mod auth;
mod canary;
mod disputes;
mod duties;
mod guardians;
mod phone;
mod privacy;
mod session_cache;
mod tokens;
mod users;
