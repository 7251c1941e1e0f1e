//! The other societies: social organisations (社会组织) active in the city. [`credit_code`] checks
//! their unified social credit codes; [`social_organisations`] keeps the registry, maintained by
//! the administrators whose scope holds an organisation's service area.

pub mod credit_code;
pub mod social_organisations;
