//! The hours approval queue: pending entries one may decide (`listHoursForReview`), oldest
//! first, decided many at a time (`decideHours`: all or none, as the API does it).

use super::view::{page, refused, see_other};
use super::{Api, Visit, admin, admin_post, field, form_fields, query};
use poem::http::{Method, StatusCode};
use poem::web::Data;
use poem::{Body, Request, Response, handler};
use serde_json::{Value, json};

/// Entries per page.
const PAGE: u32 = 50;

#[handler]
pub async fn queue(req: &Request, Data(api): Data<&Api>) -> Response {
    let (mut visit, p) = match admin(req, api).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let q = query(req);
    let cursor = q.iter().find(|(k, _)| k == "cursor").map(|(_, v)| v.clone());
    let decided = q.iter().find(|(k, _)| k == "decided").and_then(|(_, v)| v.parse::<u32>().ok());
    match pending(&mut visit, cursor.as_deref()).await {
        Ok(list) => page(&visit, Some(&p), StatusCode::OK, "hours.html", json!({"page": list, "decided": decided})),
        Err(r) => refused(&mut visit, r),
    }
}

async fn pending(visit: &mut Visit, cursor: Option<&str>) -> Result<Value, super::Refusal> {
    let mut path = format!("/api/v1/hours?status=pending&limit={PAGE}");
    if let Some(c) = cursor {
        path.push_str("&cursor=");
        path.extend(form_urlencoded::byte_serialize(c.as_bytes()));
    }
    let a = visit.api(Method::GET, &path, None).await?;
    Ok(if a.status.is_success() { a.body } else { json!({"items": []}) })
}

/// Approves or declines the ticked entries; a problem (a reason missing, an entry decided
/// meanwhile) is shown above the list and nothing changes.
#[handler]
pub async fn decide(req: &Request, body: Body, Data(api): Data<&Api>) -> Response {
    let fields = form_fields(body).await;
    let (mut visit, p) = match admin_post(req, api, &fields).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let ids: Vec<&str> = fields.iter().filter(|(k, _)| k == "id").map(|(_, v)| v.as_str()).collect();
    let approve = field(&fields, "decision") == Some("approve");
    let reason = field(&fields, "reason").map(str::trim).filter(|r| !r.is_empty());
    let mut body = json!({"ids": ids, "approve": approve});
    if let Some(r) = reason {
        body["reason"] = json!(r);
    }
    let a = match visit.api(Method::POST, "/api/v1/hours/decisions", Some(body)).await {
        Ok(a) => a,
        Err(r) => return refused(&mut visit, r),
    };
    if a.status.is_success() {
        let n = a.body["entries"].as_array().map_or(0, Vec::len);
        return see_other(&visit, &format!("/console/hours?decided={n}"));
    }
    match pending(&mut visit, None).await {
        Ok(list) => {
            let ctx =
                json!({"page": list, "problem": {"code": a.code(), "detail": a.body["detail"]}, "reason": reason});
            page(&visit, Some(&p), a.status, "hours.html", ctx)
        }
        Err(r) => refused(&mut visit, r),
    }
}
