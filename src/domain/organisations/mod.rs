//! The other societies: social organisations (社会组织) active in the city. [`credit_code`] checks
//! their unified social credit codes; [`social_organisations`] keeps the registry, maintained by
//! the administrators whose scope holds an organisation's service area; [`charity_funds`] keeps
//! community charity funds, their grants and their append-only ledger.

pub mod charity_funds;
pub mod credit_code;
pub mod needs;
pub mod projects;
pub mod social_organisations;
