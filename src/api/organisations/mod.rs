//! The other societies' resources: the registry of social organisations
//! (`social_organisations`). Rules: `domain::organisations`.

pub mod policy;
pub mod social_organisations;
