//! Messaging: the inbox and its notifications ([`notifications`]), delivering a message to it
//! ([`delivery`]), message templates, devices, pushes and their delivery records ([`pushes`]),
//! announcements and their fan-out, notification preferences, and live events ([`live`]).

pub mod announcements;
pub mod delivery;
pub mod devices;
pub mod live;
pub mod notifications;
pub mod push_classes;
pub mod push_tokens;
pub mod pushes;
pub mod templates;
