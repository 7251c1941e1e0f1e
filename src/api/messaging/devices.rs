//! `/api/v1/me/devices`: the signed-in person's phones registered for push. One device per app
//! installation (its `installationId`, else its token): registering again refreshes it (and
//! moves it to this person and session if another had it); signing out removes it.
//! Rules: `domain::devices`.

use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::types::Platform;
use crate::api::{NoContent, Tag};
use crate::domain::messaging::devices::{self, Registration};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::device;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, payload::Json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The signed-in person's devices.
pub struct DevicesApi;

/// The push channel a token belongs to.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[oai(rename_all = "lowercase")]
pub enum PushProvider {
    /// Firebase Cloud Messaging (phones with Google services).
    #[default]
    Fcm,
    /// Huawei Push Kit.
    Huawei,
    /// Honor Push.
    Honor,
    /// Xiaomi MiPush.
    Xiaomi,
    /// OPPO Push.
    Oppo,
    /// vivo Push.
    Vivo,
    /// Apple Push Notification service (iPhones, directly).
    Apns,
}

impl PushProvider {
    /// The name stored in `devices.provider`.
    pub fn as_str(self) -> &'static str {
        match self {
            PushProvider::Fcm => "fcm",
            PushProvider::Huawei => "huawei",
            PushProvider::Honor => "honor",
            PushProvider::Xiaomi => "xiaomi",
            PushProvider::Oppo => "oppo",
            PushProvider::Vivo => "vivo",
            PushProvider::Apns => "apns",
        }
    }
}

/// A device to register for push.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterDeviceRequest {
    pub platform: Platform,
    /// Which channel the token belongs to; `fcm` when absent (apps from before vendor channels).
    pub provider: Option<PushProvider>,
    /// The provider's registration token (FCM token, vendor reg id, APNs device token).
    #[oai(validator(min_length = 1, max_length = 512))]
    pub token: String,
    /// An id the app generates once per installation and keeps across token refreshes: one
    /// device per installation. Without it the device is keyed by its token.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub installation_id: Option<String>,
    /// The app's bundle id (iOS) or package name (Android).
    #[oai(validator(min_length = 1, max_length = 128))]
    pub app_id: Option<String>,
    #[oai(validator(max_length = 32))]
    pub app_version: Option<String>,
    /// The phone's locale, e.g. `zh-CN`.
    #[oai(validator(max_length = 16))]
    pub locale: Option<String>,
}

/// A registered device (its token is not echoed, only its SHA-256).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Device {
    pub id: Uuid,
    pub platform: Platform,
    /// `fcm`, `huawei`, `honor`, `xiaomi`, `oppo`, `vivo` or `apns`.
    pub provider: String,
    pub installation_id: Option<String>,
    pub app_id: Option<String>,
    /// Lowercase hex SHA-256 of the registration token (UTF-8): an app hashes its current
    /// token the same way to tell whether it is registered.
    pub token_sha256: String,
    pub app_version: Option<String>,
    pub locale: Option<String>,
    /// Last registration.
    pub last_seen_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl From<device::Model> for Device {
    fn from(d: device::Model) -> Self {
        Device {
            id: d.id,
            platform: d.platform.into(),
            provider: d.provider,
            installation_id: d.installation_id,
            app_id: d.app_id,
            token_sha256: hex::encode(Sha256::digest(d.token.as_bytes())),
            app_version: d.app_version,
            locale: d.locale,
            last_seen_at: d.last_seen_at,
            created_at: d.created_at,
        }
    }
}

/// The person's devices.
#[derive(Object, Debug)]
pub struct DeviceList {
    pub items: Vec<Device>,
}

/// A registration's answer: new (201) or refreshed (200).
#[derive(ApiResponse)]
pub enum Registered {
    /// Refreshed: the token was known.
    #[oai(status = 200)]
    Refreshed(Json<Device>),
    /// Registered.
    #[oai(status = 201)]
    Created(Json<Device>),
}

#[OpenApi(prefix_path = "/api/v1/me/devices", tag = "Tag::Notifications")]
impl DevicesApi {
    /// Register this phone for push (or refresh its registration). The device belongs to the
    /// session that registers it: signing out removes it.
    #[oai(path = "/", method = "post", operation_id = "registerDevice")]
    async fn register(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<RegisterDeviceRequest>,
    ) -> ApiResult<Registered> {
        let b = body.0;
        let r = Registration {
            platform: b.platform.into(),
            provider: b.provider.unwrap_or_default().as_str().into(),
            token: b.token,
            app_version: b.app_version,
            locale: b.locale,
            installation_id: b.installation_id,
            app_id: b.app_id,
            session_id: Some(auth.0.session_id),
        };
        let (d, new) = devices::register(&state.db, auth.0.user.id, state.clock.now(), r).await?;
        Ok(if new { Registered::Created(Json(d.into())) } else { Registered::Refreshed(Json(d.into())) })
    }

    /// One's active devices.
    #[oai(path = "/", method = "get", operation_id = "listDevices")]
    async fn list(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<DeviceList>> {
        let items = devices::list(&state.db, auth.0.user.id).await?.into_iter().map(Into::into).collect();
        Ok(Json(DeviceList { items }))
    }

    /// Unregister one of one's devices (it gets no more pushes).
    #[oai(path = "/:id", method = "delete", operation_id = "deleteDevice")]
    async fn delete(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<NoContent> {
        devices::remove(&state.db, auth.0.user.id, id.0).await?;
        Ok(NoContent::NoContent)
    }
}
