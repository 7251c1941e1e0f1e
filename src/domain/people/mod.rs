//! People: accounts, sessions, real-name identity, consents, personal data under PIPL and phone
//! numbers.

pub mod accounts;
pub mod codes;
pub mod consents;
pub mod disputes;
pub mod guardians;
pub mod identity;
pub mod phone;
pub mod privacy;
pub mod profiles;
pub mod sessions;
pub mod users;
