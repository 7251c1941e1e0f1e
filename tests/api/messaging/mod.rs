//! Devices, the inbox, announcements and push delivery.

mod announcements;
mod devices;
mod notifications;
mod push;
mod push_claims;
mod push_vendor_clients;
mod push_vendors;
mod sms;
