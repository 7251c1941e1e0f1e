//! Authentication: password hashing (argon2id behind a bounded semaphore), access tokens (HS256
//! JWTs with a pinned algorithm) and one-time codes. The bearer scheme that turns an HTTP request
//! into a principal is HTTP-only and lives in `api::bearer`, the cache of sessions it reads in
//! `session_cache`; authorization rules live in `domain::kernel::actor`.

pub mod codes;
pub mod password;
pub mod session_cache;
pub mod tokens;
