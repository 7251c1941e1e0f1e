//! The messaging area's rows of the policy table (`crate::api::policy`): who may call each of its
//! operations, on which objects, with which idempotency key and rate limit.

use crate::api::policy::{ADMINS, ANY, CITY_ADMIN, NONE, OTHER, OWN, Rule, SIGNED_IN, STATION, STATION_ADMIN, rule};

/// Devices, the inbox and preferences are the caller's own (someone else's device or
/// notification: 404). Announcements: administrators to their subtree (an announcement or target
/// unit outside it: 404).
const MESSAGING: &[Rule] = &[
    rule("registerDevice").allow(SIGNED_IN, NONE).idempotent(),
    rule("listDevices").allow(SIGNED_IN, NONE),
    rule("deleteDevice").on(ANY).allow(SIGNED_IN, OWN),
    rule("streamEvents").allow(SIGNED_IN, NONE),
    rule("listNotifications").allow(SIGNED_IN, NONE),
    rule("unreadNotificationCount").allow(SIGNED_IN, NONE),
    rule("markNotificationRead").on(ANY).allow(SIGNED_IN, OWN),
    rule("markAllNotificationsRead").allow(SIGNED_IN, NONE),
    rule("listMyAnnouncements").allow(SIGNED_IN, NONE),
    rule("getNotificationPreferences").allow(SIGNED_IN, NONE),
    rule("updateNotificationPreferences").allow(SIGNED_IN, NONE),
    rule("createAnnouncement")
        .on(STATION.or(OTHER))
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER))
        .idempotent(),
    rule("listAnnouncements").allow(ADMINS, NONE).lists("getAnnouncement"),
    rule("getAnnouncement").on(STATION.or(OTHER)).allow(STATION_ADMIN, STATION).allow(CITY_ADMIN, STATION.or(OTHER)),
];

/// The area's sections, in the order they are searched.
pub const POLICY: &[&[Rule]] = &[MESSAGING];
