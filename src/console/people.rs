//! People in the console: the directory of one's scope (`listUsers`), one person's page with
//! their role and status changed within scope (`updateUser`, which keeps the reason in the audit
//! log), and a password-reset code sent to them (`sendPasswordResetCode`; the administrator never
//! sees the code). Phone numbers are shown masked: a screen of people is not a phone book.

use super::view::{page, refused, see_other};
use super::{Api, Visit, admin, admin_post, field, form_fields, param, query, query_string};
use crate::api::bearer::Principal;
use crate::domain::people::phone;
use poem::http::{Method, StatusCode};
use poem::web::{Data, Path};
use poem::{Body, Request, Response, handler};
use serde_json::{Value, json};
use uuid::Uuid;

/// People per page.
const PAGE: u32 = 50;

/// The roles an administrator may give, most common first (the domain refuses any above one's
/// own).
const ROLES: [&str; 5] = ["volunteer", "social_worker", "station_admin", "district_admin", "city_admin"];

#[handler]
pub async fn directory(req: &Request, Data(api): Data<&Api>) -> Response {
    let (mut visit, p) = match admin(req, api).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let q = query(req);
    let param = |name: &str| param(&q, name);
    let mut args = vec![("limit", PAGE.to_string())];
    for name in ["q", "role", "cursor"] {
        if let Some(v) = param(name) {
            args.push((name, v));
        }
    }
    let qs: String = query_string(&args);
    let a = match visit.api(Method::GET, &format!("/api/v1/users?{qs}"), None).await {
        Ok(a) => a,
        Err(r) => return refused(&mut visit, r),
    };
    let form = json!({"q": param("q"), "role": param("role")});
    let mut ctx = json!({"form": form, "roles": ROLES});
    if a.status.is_success() {
        let mut list = a.body;
        for u in list["items"].as_array_mut().into_iter().flatten() {
            masked(u);
        }
        let next = list["nextCursor"].as_str().map(|c| {
            let mut keep: Vec<(&str, String)> =
                args.iter().filter(|(k, _)| *k != "cursor" && *k != "limit").cloned().collect();
            keep.push(("cursor", c.to_string()));
            query_string(&keep)
        });
        ctx["page"] = list;
        ctx["next"] = json!(next);
    } else {
        ctx["problem"] = a.problem("search");
    }
    page(&visit, Some(&p), a.status, "people.html", ctx)
}

#[handler]
pub async fn profile(req: &Request, Path(id): Path<String>, Data(api): Data<&Api>) -> Response {
    let (mut visit, p) = match admin(req, api).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let done = query(req).into_iter().find(|(k, _)| k == "done").map(|(_, v)| v);
    person_page(&mut visit, &p, &id, StatusCode::OK, json!({ "done": done })).await
}

async fn person_page(visit: &mut Visit, p: &Principal, id: &str, status: StatusCode, mut ctx: Value) -> Response {
    let id = id.parse().unwrap_or(Uuid::nil());
    let a = match visit.api(Method::GET, &format!("/api/v1/users/{id}"), None).await {
        Ok(a) => a,
        Err(r) => return refused(visit, r),
    };
    if !a.status.is_success() {
        ctx["problem"] = a.problem("page");
        return page(visit, Some(p), a.status, "person.html", ctx);
    }
    let mut person = a.body;
    masked(&mut person);
    ctx["person"] = person;
    ctx["roles"] = json!(ROLES);
    page(visit, Some(p), status, "person.html", ctx)
}

/// Changes a person's role or status, with the reason.
#[handler]
pub async fn update(req: &Request, Path(id): Path<String>, body: Body, Data(api): Data<&Api>) -> Response {
    let fields = form_fields(body).await;
    let (mut visit, p) = match admin_post(req, api, &fields).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let person = id.parse().unwrap_or(Uuid::nil());
    let mut body = json!({});
    for (name, key) in [("role", "role"), ("status", "status")] {
        if let Some(v) = field(&fields, name).filter(|v| !v.is_empty()) {
            body[key] = json!(v);
        }
    }
    if let Some(r) = field(&fields, "reason").map(str::trim).filter(|r| !r.is_empty()) {
        body["reason"] = json!(r);
    }
    let a = match visit.api(Method::PATCH, &format!("/api/v1/users/{person}"), Some(body)).await {
        Ok(a) => a,
        Err(r) => return refused(&mut visit, r),
    };
    if a.status.is_success() {
        return see_other(&visit, &format!("/console/people/{person}?done=updated"));
    }
    let ctx = json!({"problem": a.problem("update"), "form": {"reason": field(&fields, "reason")}});
    person_page(&mut visit, &p, &id, a.status, ctx).await
}

/// Sends the person a password-reset code by SMS.
#[handler]
pub async fn reset_code(req: &Request, Path(id): Path<String>, body: Body, Data(api): Data<&Api>) -> Response {
    let fields = form_fields(body).await;
    let (mut visit, p) = match admin_post(req, api, &fields).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let person = id.parse().unwrap_or(Uuid::nil());
    let a = match visit.api(Method::POST, &format!("/api/v1/users/{person}/password-reset-code"), None).await {
        Ok(a) => a,
        Err(r) => return refused(&mut visit, r),
    };
    if a.status.is_success() {
        return see_other(&visit, &format!("/console/people/{person}?done=code_sent"));
    }
    person_page(&mut visit, &p, &id, a.status, json!({"problem": a.problem("reset")})).await
}

/// A profile with its phone number masked.
fn masked(u: &mut Value) {
    if let Some(n) = u["phone"].as_str() {
        u["phone"] = json!(phone::mask(n));
    }
}
