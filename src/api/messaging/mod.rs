//! Messaging: devices, the inbox and notification preferences, announcements.

pub mod announcements;
pub mod devices;
pub mod notifications;
pub mod policy;
