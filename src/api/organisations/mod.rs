//! The other societies' resources: the registry of social organisations
//! (`social_organisations`) and community charity funds (`charity_funds`). Rules:
//! `domain::organisations`.

pub mod charity_funds;
pub mod policy;
pub mod social_organisations;
