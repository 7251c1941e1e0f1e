//! Talent: credentials and registration, training and continuing education.

pub mod credentials;
pub mod training;
