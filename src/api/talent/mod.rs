//! Talent: credentials and registration, training and continuing education, the talent directory.

pub mod credentials;
pub mod directory;
pub mod learning;
pub mod policy;
pub mod training;
