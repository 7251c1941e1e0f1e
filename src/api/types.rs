//! Wire types shared by several resources: enums mirrored from the entities (entities carry no
//! OpenAPI derives), page envelopes and small helpers.

use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Enum, Object};

/// Declares an OpenAPI enum mirroring an entity enum, with conversions both ways.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident mirrors $entity:ty { $($(#[$vmeta:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* #[oai(rename = $wire)] $variant),+
        }
        impl From<$entity> for $name {
            fn from(v: $entity) -> Self {
                type E = $entity;
                match v { $(E::$variant => $name::$variant),+ }
            }
        }
        impl From<$name> for $entity {
            fn from(v: $name) -> Self {
                type E = $entity;
                match v { $($name::$variant => E::$variant),+ }
            }
        }
    };
}

pub(crate) use wire_enum;

wire_enum! {
    /// What powers a person has on top of volunteering, which everyone may do.
    Role mirrors entity::user::Role {
        /// 志愿者
        Volunteer = "volunteer",
        /// 社会工作者
        SocialWorker = "social_worker",
        /// 社工站管理员: manages the subtree of their org unit.
        StationAdmin = "station_admin",
        /// 区级管理员: manages the subtree of a district centre; decides what its station
        /// administrators may not decide themselves.
        DistrictAdmin = "district_admin",
        /// 市级管理员: manages everything.
        CityAdmin = "city_admin",
    }
}

wire_enum! {
    /// Whether an account may sign in.
    UserStatus mirrors entity::user::UserStatus {
        Active = "active",
        Suspended = "suspended",
        /// Anonymised (personal data erased); service records remain under the volunteer number.
        Erased = "erased",
    }
}

wire_enum! {
    /// The language a person reads messages in.
    Locale mirrors entity::user::Locale { ZhCn = "zh-CN", En = "en" }
}

wire_enum! {
    /// What kind of unit a node of the org tree is.
    OrgUnitKind mirrors entity::org_unit::OrgUnitKind {
        /// 市级指导中心
        CityCenter = "city_center",
        /// 区级指导中心
        DistrictCenter = "district_center",
        /// 社工站
        TownStation = "town_station",
        /// 社工室
        CommunityRoom = "community_room",
        /// 社会组织
        SocialOrg = "social_org",
        /// 社区
        Community = "community",
    }
}

wire_enum! {
    /// National social-work qualification levels.
    QualificationLevel mirrors entity::social_worker_profile::QualificationLevel {
        /// 助理社会工作师
        AssistantSocialWorker = "assistant_social_worker",
        /// 社会工作师
        SocialWorker = "social_worker",
        /// 高级社会工作师
        SeniorSocialWorker = "senior_social_worker",
    }
}

wire_enum! {
    /// A phone's operating system.
    Platform mirrors entity::device::Platform { Android = "android", Ios = "ios" }
}

/// Declares a page envelope `{ items, nextCursor }` for one item type.
macro_rules! page_of {
    ($name:ident, $item:ty) => {
        #[doc = concat!("One page of ", stringify!($item), "; pass `nextCursor` as `cursor` for the next.")]
        #[derive(poem_openapi::Object, Debug)]
        #[oai(rename_all = "camelCase")]
        pub struct $name {
            pub items: Vec<$item>,
            /// Absent on the last page.
            pub next_cursor: Option<String>,
        }
        impl<T: Into<$item>> From<crate::domain::kernel::page::Page<T>> for $name {
            fn from(p: crate::domain::kernel::page::Page<T>) -> Self {
                $name { items: p.items.into_iter().map(Into::into).collect(), next_cursor: p.next_cursor }
            }
        }
    };
}
pub(crate) use page_of;

/// A point on Earth.
#[derive(Object, Debug, Clone, Copy)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct LatLng {
    #[oai(validator(minimum(value = "-90"), maximum(value = "90")))]
    pub lat: f64,
    #[oai(validator(minimum(value = "-180"), maximum(value = "180")))]
    pub lng: f64,
}

/// `Undefined` (leave alone) → `None`; `null` (clear) → `Some(None)`; a value → `Some(Some(v))`.
pub fn patch<T>(m: MaybeUndefined<T>) -> Option<Option<T>> {
    match m {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

wire_enum! {
    /// The action lines of the five-society model.
    ActionLine mirrors entity::task::ActionLine {
        /// 帮扶: help the needy.
        Help = "help",
        /// 治理: community governance.
        Governance = "governance",
        /// 防疫: epidemic prevention.
        Epidemic = "epidemic",
        /// 家园: home and environment.
        Home = "home",
        /// 救援: emergency rescue (publishing one is an urgent call-out).
        Rescue = "rescue",
        Other = "other",
    }
}

wire_enum! {
    /// Where a task is in its life.
    TaskStatus mirrors entity::task::TaskStatus {
        Draft = "draft", Published = "published", Completed = "completed", Cancelled = "cancelled",
    }
}

wire_enum! {
    /// Whether sign-ups confirm at once (`open`) or wait for the organiser (`managed`).
    SignupMode mirrors entity::task::SignupMode { Open = "open", Managed = "managed" }
}

wire_enum! {
    /// Where a sign-up stands.
    SignupStatus mirrors entity::signup::SignupStatus {
        /// Awaiting the organiser (managed sign-up).
        Pending = "pending",
        Confirmed = "confirmed",
        Waitlisted = "waitlisted",
        Cancelled = "cancelled",
        Denied = "denied",
        Removed = "removed",
    }
}

wire_enum! {
    /// Where an hours entry came from.
    HoursSource mirrors entity::hours_entry::HoursSource {
        CheckIn = "check_in",
        LeaderEntry = "leader_entry",
        SelfReport = "self_report",
        /// 补录: an administrator's make-up entry.
        Makeup = "makeup",
        /// A correction of an earlier entry.
        Adjustment = "adjustment",
    }
}

wire_enum! {
    /// Whether an hours entry counts.
    HoursStatus mirrors entity::hours_entry::HoursStatus { Pending = "pending", Approved = "approved", Declined = "declined" }
}

wire_enum! {
    /// How a check-in or check-out was recorded.
    AttendanceMethod mirrors entity::attendance::AttendanceMethod {
        Code = "code",
        Manual = "manual",
        Auto = "auto",
        /// The leader scanned the volunteer's personal code (strict mode).
        Scan = "scan",
    }
}

wire_enum! {
    /// How a task checks people in: `code`, each volunteer scans the task's rotating code;
    /// `strict`, the leader scans each volunteer's personal rotating code (the task's code is
    /// refused, so a forwarded photo of it is useless).
    CheckInMode mirrors entity::task::CheckInMode { Code = "code", Strict = "strict" }
}

wire_enum! {
    /// Where attendance recorded by hand by a leader who is not staff stands.
    ManualAttendanceStatus mirrors entity::manual_attendance::ManualAttendanceStatus {
        Pending = "pending", Confirmed = "confirmed", Rejected = "rejected",
    }
}
