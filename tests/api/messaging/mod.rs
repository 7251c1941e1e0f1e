//! Devices, the inbox, announcements, push delivery and live events.

mod announcements;
mod device_sessions;
mod devices;
mod events;
mod notifications;
mod push;
mod push_claims;
mod push_direct_clients;
mod push_direct_vendors;
mod push_vendor_clients;
mod push_vendors;
mod sms;
