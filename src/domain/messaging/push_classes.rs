//! The class each of our notification categories is pushed in, with every provider, in one
//! table ([`TABLE`]): mainland vendors sort pushes into service and communication messages
//! (reminders, dispatch, account notices, chat: no daily cap, shown with sound) and news and
//! marketing (a few a day, shown quietly), and each has its own field for it
//! (`jobs::push::classes::PushClass`). Nothing this system sends is marketing: every category is
//! a service or communication class. Urgent categories (rescue call-outs, short-notice
//! cancellations) take each vendor's highest-priority class:
//!
//! | provider | field | urgent | other categories |
//! |---|---|---|---|
//! | Huawei | `android.category` / `urgency` / `notification.importance` | `WORK` / `HIGH` / `NORMAL` | row's category / `NORMAL` / `NORMAL` |
//! | Honor | `notification.importance` | `NORMAL` | `NORMAL` |
//! | Xiaomi | `extra.channel_id` / `notify_type` | `wushe_urgent` / -1 | `wushe_service` / -1 |
//! | OPPO | `channel_id` / `category` / `notify_level` | `wushe_urgent` / `TODO` / 16 | `wushe_service` / row's / 2 |
//! | vivo | `classification` / `category` | 1 / `TODO` | 1 / row's |
//! | APNs | `apns-priority` / `interruption-level` | 10 / `time-sensitive` | 5 / `active` |
//! | FCM | `android.priority` | `HIGH` | `NORMAL` |
//!
//! Sources: Huawei "Message Classification" (developer.huawei.com/consumer/en/doc/HMSCore-Guides/
//! message-classification-0000001149358835: service and communication categories `IM`, `VOIP`,
//! `SUBSCRIPTION`, `TRAVEL`, `HEALTH`, `WORK`, `ACCOUNT`, `EXPRESS`, `FINANCE`, `DEVICE_REMINDER`,
//! `MAIL`; `MARKETING` and importance `LOW` for news and marketing); Honor "消息分类"
//! (developer.honor.com/cn/docs/11002/guides/notification-class: importance `NORMAL` service,
//! `LOW` marketing); Xiaomi "推送消息分类" (dev.mi.com/console/doc/detail?pId=2422: private-message
//! channels applied for per app, `channel_id`); OPPO "推送消息分类" (open.oppomobile.com, wiki
//! "OPPO推送平台消息分类细则": `category` `IM`, `ACCOUNT`, `DEVICE_REMINDER`, `ORDER`, `TODO`,
//! `SUBSCRIPTION` as service, `NEWS`, `CONTENT`, `MARKETING`, `SOCIAL` as operational;
//! `notify_level` 1, 2, 16); vivo "消息分类说明" (dev.vivo.com.cn/documentCenter/doc/359:
//! `classification` 0 operational, 1 system, with the same category names); Apple "Sending
//! notification requests to APNs" (apns-priority 10/5) and `UNNotificationInterruptionLevel`
//! (`time-sensitive` breaks through Focus; `critical` needs an entitlement we do not have);
//! FCM "Setting the priority of a message".
//!
//! Not confirmed: the Xiaomi and OPPO channel ids are ours: the app must create the channels
//! `wushe_urgent` and `wushe_service` and register them with Xiaomi and OPPO (private-message
//! channels need the vendor's approval); which Huawei category the vendor's review accepts for
//! announcements and training (`SUBSCRIPTION`, as the person joined the station or course).

use crate::domain::messaging::notifications::Category;
use jobs::push::classes::{ApnsClass, HuaweiClass, OppoClass, PushClass, VivoClass, XiaomiClass};

/// One row: a category, whether it is urgent, its Huawei category and its OPPO/vivo category.
pub struct Row {
    pub category: Category,
    pub urgent: bool,
    pub huawei: &'static str,
    pub oppo_vivo: &'static str,
}

const fn row(category: Category, urgent: bool, huawei: &'static str, oppo_vivo: &'static str) -> Row {
    Row { category, urgent, huawei, oppo_vivo }
}

/// Every category's class.
pub const TABLE: [Row; 11] = [
    row(Category::RescueCallout, true, "WORK", "TODO"),
    row(Category::TaskCancelledShortNotice, true, "WORK", "TODO"),
    row(Category::TaskReminder, false, "WORK", "TODO"),
    row(Category::TaskChange, false, "WORK", "TODO"),
    row(Category::TaskInvitation, false, "SUBSCRIPTION", "SUBSCRIPTION"),
    row(Category::Announcement, false, "SUBSCRIPTION", "SUBSCRIPTION"),
    row(Category::Training, false, "SUBSCRIPTION", "SUBSCRIPTION"),
    row(Category::Mentoring, false, "IM", "IM"),
    row(Category::Credential, false, "ACCOUNT", "ACCOUNT"),
    row(Category::Honour, false, "ACCOUNT", "ACCOUNT"),
    row(Category::System, false, "ACCOUNT", "ACCOUNT"),
];

/// The class of a category's pushes with every provider.
pub fn class_of(category: Category) -> PushClass {
    let r = TABLE.iter().find(|r| r.category == category).unwrap_or(&TABLE[TABLE.len() - 1]);
    let (channel, urgency, level) =
        if r.urgent { ("wushe_urgent", "HIGH", 16) } else { ("wushe_service", "NORMAL", 2) };
    PushClass {
        urgent: r.urgent,
        huawei: HuaweiClass { category: r.huawei, urgency, importance: "NORMAL" },
        honor_importance: "NORMAL",
        xiaomi: XiaomiClass { channel_id: channel, notify_type: -1 },
        oppo: OppoClass { channel_id: channel, category: r.oppo_vivo, notify_level: level },
        vivo: VivoClass { classification: 1, category: r.oppo_vivo },
        apns: if r.urgent {
            ApnsClass { priority: 10, interruption_level: "time-sensitive" }
        } else {
            ApnsClass { priority: 5, interruption_level: "active" }
        },
        fcm_priority: urgency,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_has_one_row_and_urgent_ones_the_highest_class() {
        for c in Category::ALL {
            assert_eq!(TABLE.iter().filter(|r| r.category == c).count(), 1, "{c:?}");
            let class = class_of(c);
            let urgent = matches!(c, Category::RescueCallout | Category::TaskCancelledShortNotice);
            assert_eq!(class.urgent, urgent, "{c:?}");
            assert_eq!(class.urgent, c.push_settings().0, "{c:?}: urgent exactly when pushed at high priority");
            assert_ne!(class.huawei.category, "MARKETING");
            assert_eq!(class.huawei.importance, "NORMAL", "never the marketing class");
            assert_eq!(class.vivo.classification, 1, "a system message");
            if urgent {
                assert_eq!((class.huawei.urgency, class.fcm_priority, class.apns.priority), ("HIGH", "HIGH", 10));
                assert_eq!(class.oppo.notify_level, 16);
                assert_eq!(class.apns.interruption_level, "time-sensitive");
            }
        }
    }
}
