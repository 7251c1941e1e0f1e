//! Messaging: the inbox and its notifications, message templates, devices and push, announcements
//! and notification preferences.

pub mod announcements;
pub mod devices;
pub mod notifications;
pub mod pushes;
pub mod templates;
