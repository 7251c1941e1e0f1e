//! Registration, sessions and tokens, people for administrators, personal data and the canary.

mod auth;
mod canary;
mod privacy;
mod tokens;
mod users;
