//! The other societies' resources: the registry of social organisations
//! (`social_organisations`), community charity funds (`charity_funds`), service projects (`projects`)
//! and the needs and resources they answer with (`needs`). Rules:
//! `domain::organisations`.

pub mod charity_funds;
pub mod needs;
pub mod policy;
pub mod projects;
pub mod social_organisations;
