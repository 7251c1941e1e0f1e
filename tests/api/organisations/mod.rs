//! The other societies: the social organisations' registry and community charity funds.

mod charity_funds;
mod needs;
mod projects;
mod social_organisations;
