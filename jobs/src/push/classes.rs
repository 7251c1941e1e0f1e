//! The class a push is sent in, per provider. Mainland vendors sort pushes into service and
//! communication messages (reminders, dispatch, account; no daily cap) and news/marketing (capped
//! at a few a day, shown quietly), each with its own field: Huawei `android.category` (with
//! `urgency` and `notification.importance`), Honor `notification.importance`, Xiaomi a channel
//! (`extra.channel_id`) and `notify_type`, OPPO `channel_id`/`category`/`notify_level`, vivo
//! `classification`/`category`, APNs `apns-priority`/`interruption-level`, FCM the Android
//! priority. A [`PushClass`] holds every provider's value for one message, so each provider
//! module reads its own and a new provider adds one field. Which of our categories gets which
//! class is one table in the application (`domain::messaging::push_classes`).

/// Huawei Push Kit: `message.android.category`, `message.android.urgency` and
/// `message.android.notification.importance`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HuaweiClass {
    /// A service-and-communication category (`WORK`, `ACCOUNT`, `SUBSCRIPTION`, `IM`, …).
    pub category: &'static str,
    /// `HIGH` (deliver at once, waking the phone) or `NORMAL`.
    pub urgency: &'static str,
    /// `NORMAL` (service and communication) or `LOW` (news and marketing).
    pub importance: &'static str,
}

/// Xiaomi MiPush: the notification channel (`extra.channel_id`, created by the app and
/// registered with Xiaomi) and `notify_type` (-1: sound, vibration and light).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XiaomiClass {
    pub channel_id: &'static str,
    pub notify_type: i32,
}

/// OPPO Push: `channel_id` (created by the app), `category` and `notify_level` (16: banner,
/// lock screen, sound and vibration; 2: shade and lock screen).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OppoClass {
    pub channel_id: &'static str,
    pub category: &'static str,
    pub notify_level: u8,
}

/// vivo Push: `classification` (1: system message, 0: operational) and `category`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VivoClass {
    pub classification: u8,
    pub category: &'static str,
}

/// APNs: `apns-priority` (10 now, 5 when convenient) and `aps.interruption-level`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApnsClass {
    pub priority: u8,
    pub interruption_level: &'static str,
}

/// Every provider's class of one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PushClass {
    /// Urgent (rescue call-outs, short-notice cancellations): each provider's highest class.
    pub urgent: bool,
    pub huawei: HuaweiClass,
    /// Honor Push `android.notification.importance`: `NORMAL` (service) or `LOW` (marketing).
    pub honor_importance: &'static str,
    pub xiaomi: XiaomiClass,
    pub oppo: OppoClass,
    pub vivo: VivoClass,
    pub apns: ApnsClass,
    /// FCM `android.priority`: `HIGH` or `NORMAL`.
    pub fcm_priority: &'static str,
}

impl Default for PushClass {
    /// A plain service notice: no provider's marketing class, nothing urgent.
    fn default() -> Self {
        PushClass {
            urgent: false,
            huawei: HuaweiClass { category: "ACCOUNT", urgency: "NORMAL", importance: "NORMAL" },
            honor_importance: "NORMAL",
            xiaomi: XiaomiClass { channel_id: "wushe_service", notify_type: -1 },
            oppo: OppoClass { channel_id: "wushe_service", category: "ACCOUNT", notify_level: 2 },
            vivo: VivoClass { classification: 1, category: "ACCOUNT" },
            apns: ApnsClass { priority: 5, interruption_level: "active" },
            fcm_priority: "NORMAL",
        }
    }
}
