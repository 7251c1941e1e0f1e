//! The other societies: the social organisations' registry.

mod social_organisations;
