//! The other societies' resources: the registry of social organisations
//! (`social_organisations`), community charity funds (`charity_funds`) and service projects
//! (`projects`). Rules:
//! `domain::organisations`.

pub mod charity_funds;
pub mod policy;
pub mod projects;
pub mod social_organisations;
