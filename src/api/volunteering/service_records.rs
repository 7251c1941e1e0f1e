//! Service record certificates (志愿服务记录证明): a volunteer asks for one; anyone verifies one by
//! its code (JSON, or a printable page with a QR code of its own address); administrators of the
//! issuing unit revoke one. Rules: `domain::service_records`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::volunteering::tasks::ReasonRequest;
use crate::domain::volunteering::service_records::{self, NameOnCertificate, mask_name};
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use entity::service_record;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::{Html, Json};
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

/// Service record certificates.
pub struct ServiceRecordsApi;

/// A certificate as its holder sees it.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ServiceRecord {
    pub id: Uuid,
    /// Public verification code.
    pub code: String,
    pub certificate_number: String,
    pub volunteer_name: String,
    pub volunteer_number: String,
    pub issuer_org_unit_id: Uuid,
    pub issuer_name: String,
    pub issuer_person_in_charge: Option<String>,
    pub issuer_contact: Option<String>,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub total_minutes: i32,
    /// The service covered.
    pub content: String,
    pub issued_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: Option<String>,
    /// Where anyone can verify it.
    pub verify_url: String,
}

fn verify_url(base: &str, code: &str) -> String {
    format!("{base}/api/v1/service-records/{code}/page")
}

fn to_wire(base: &str, r: service_record::Model) -> ServiceRecord {
    ServiceRecord {
        verify_url: verify_url(base, &r.code),
        id: r.id,
        code: r.code,
        certificate_number: r.certificate_number,
        volunteer_name: r.volunteer_name,
        volunteer_number: r.volunteer_number,
        issuer_org_unit_id: r.issuer_org_unit_id,
        issuer_name: r.issuer_name,
        issuer_person_in_charge: r.issuer_person_in_charge,
        issuer_contact: r.issuer_contact,
        period_from: r.period_from,
        period_to: r.period_to,
        total_minutes: r.total_minutes,
        content: r.content,
        issued_at: r.issued_at,
        revoked_at: r.revoked_at,
        revoke_reason: r.revoke_reason,
    }
}

/// What a verifier sees: no more than they need.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ServiceRecordVerification {
    pub certificate_number: String,
    /// Partly masked.
    pub volunteer_name: String,
    pub issuer_name: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub total_minutes: i32,
    pub issued_at: DateTime<Utc>,
    /// False once revoked.
    pub valid: bool,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<service_record::Model> for ServiceRecordVerification {
    fn from(r: service_record::Model) -> Self {
        ServiceRecordVerification {
            certificate_number: r.certificate_number,
            volunteer_name: mask_name(&r.volunteer_name),
            issuer_name: r.issuer_name,
            period_from: r.period_from,
            period_to: r.period_to,
            total_minutes: r.total_minutes,
            issued_at: r.issued_at,
            valid: r.revoked_at.is_none(),
            revoked_at: r.revoked_at,
        }
    }
}

/// A period and the unit that recorded the service.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceRecordRequest {
    /// The issuing unit: it (or a unit below it) must have recorded approved hours of yours.
    pub org_unit_id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The name the certificate shows; default `display_name`. `real_name` needs a recorded
    /// identity whose consent stands (409 `real_name_unavailable` otherwise).
    pub name: Option<CertificateName>,
}

/// Which of one's names a certificate shows.
#[derive(poem_openapi::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum CertificateName {
    /// The name on one's account.
    DisplayName,
    /// One's recorded real name (实名).
    RealName,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn page(base: &str, code: &str, v: &ServiceRecordVerification, issued: NaiveDate) -> String {
    let url = verify_url(base, code);
    let qr = qrcode::QrCode::new(url.as_bytes())
        .map(|q| q.render::<qrcode::render::svg::Color<'_>>().min_dimensions(160, 160).build())
        .unwrap_or_default();
    let status = if v.valid { "有效 Valid" } else { "已撤销 Revoked" };
    format!(
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>志愿服务记录证明 {number}</title>
<style>body{{font-family:sans-serif;max-width:40em;margin:2em auto}}td{{padding:.3em 1em}}</style></head>
<body><h1>志愿服务记录证明</h1><p>Volunteer service record</p><table>
<tr><td>证明编号 Number</td><td>{number}</td></tr>
<tr><td>志愿者 Volunteer</td><td>{name}</td></tr>
<tr><td>服务时段 Period</td><td>{from} – {to}</td></tr>
<tr><td>服务时长 Hours</td><td>{hours:.1}</td></tr>
<tr><td>出具单位 Issuer</td><td>{issuer}</td></tr>
<tr><td>出具日期 Issued</td><td>{issued}</td></tr>
<tr><td>状态 Status</td><td><strong>{status}</strong></td></tr></table>
<p>{qr}</p><p>{url}</p></body></html>"#,
        number = escape(&v.certificate_number),
        name = escape(&v.volunteer_name),
        from = v.period_from,
        to = v.period_to,
        hours = f64::from(v.total_minutes) / 60.0,
        issuer = escape(&v.issuer_name),
        url = escape(&url),
    )
}

#[OpenApi(tag = "Tag::ServiceRecords")]
impl ServiceRecordsApi {
    /// Ask for a certificate of one's approved service recorded by a unit in a period (free),
    /// under one's display name or, where recorded with consent, one's real name.
    #[oai(path = "/api/v1/me/service-records", method = "post", operation_id = "requestServiceRecord")]
    async fn request(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<ServiceRecordRequest>,
    ) -> ApiResult<crate::api::Created<ServiceRecord>> {
        let name = match body.name {
            Some(CertificateName::RealName) => NameOnCertificate::Real,
            Some(CertificateName::DisplayName) | None => NameOnCertificate::Display,
        };
        let r = service_records::request(
            &state.db,
            &state.data_key,
            &auth.0.actor(),
            state.clock.now(),
            body.org_unit_id,
            body.from,
            body.to,
            name,
        )
        .await?;
        Ok(crate::api::Created::Created(Json(to_wire(&state.config.public_url, r))))
    }

    /// One's certificates, newest first.
    #[oai(path = "/api/v1/me/service-records", method = "get", operation_id = "listMyServiceRecords")]
    async fn mine(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<Vec<ServiceRecord>>> {
        let list = service_records::list_mine(&state.db, &auth.0.actor()).await?;
        Ok(Json(list.into_iter().map(|r| to_wire(&state.config.public_url, r)).collect()))
    }

    /// Verify a certificate by its code (no sign-in): what a verifier needs, no more.
    #[oai(path = "/api/v1/service-records/:code", method = "get", operation_id = "verifyServiceRecord")]
    async fn verify(
        &self,
        state: Data<&AppState>,
        #[oai(validator(max_length = 64))] code: Path<String>,
    ) -> ApiResult<Json<ServiceRecordVerification>> {
        Ok(Json(service_records::by_code(&state.db, &code.0).await?.into()))
    }

    /// The certificate as a printable page with a QR code of its own address (no sign-in).
    #[oai(path = "/api/v1/service-records/:code/page", method = "get", operation_id = "serviceRecordPage")]
    async fn page(
        &self,
        state: Data<&AppState>,
        #[oai(validator(max_length = 64))] code: Path<String>,
    ) -> ApiResult<Html<String>> {
        let r = service_records::by_code(&state.db, &code.0).await?;
        let issued = service_records::issued_on(&state.db, &r).await?;
        Ok(Html(page(&state.config.public_url, &code.0, &r.into(), issued)))
    }

    /// Revoke a certificate with a reason (administrators whose scope holds the issuer).
    #[oai(path = "/api/v1/service-records/:code/revoke", method = "post", operation_id = "revokeServiceRecord")]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] code: Path<String>,
        body: Json<ReasonRequest>,
    ) -> ApiResult<Json<ServiceRecord>> {
        let r = service_records::revoke(&state.db, &auth.0.actor(), state.clock.now(), &code.0, &body.reason).await?;
        Ok(Json(to_wire(&state.config.public_url, r)))
    }
}
