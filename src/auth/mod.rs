//! Authentication: password hashing (argon2id behind a bounded semaphore), access tokens (HS256
//! JWTs with a pinned algorithm) and the bearer scheme that turns a request into a
//! [`Principal`]. Authorization rules live in `domain` (see `domain::actor`).

pub mod codes;
pub mod password;
pub mod principal;
pub mod tokens;

pub use principal::{BearerAuth, Principal};
