//! Messaging: devices, the inbox and notification preferences, announcements, live events.

pub mod announcements;
pub mod devices;
pub mod events;
pub mod notifications;
pub mod policy;
