//! The city administrator's records: the audit log (`listAuditLog`, filtered by action, target
//! or actor) and the dead letters of both queues (`listDeadJobs`, `retryDeadJob`,
//! `discardDeadJob`). A dead job's payload is not shown: it may hold a message's text or a
//! person's id, and what failed is said by its kind and error.

use super::view::{page, refused, see_other};
use super::{Api, Visit, admin, admin_post, field, form_fields, param, query, query_string};
use crate::api::bearer::Principal;
use poem::http::{Method, StatusCode};
use poem::web::Data;
use poem::{Body, Request, Response, handler};
use serde_json::{Value, json};
use uuid::Uuid;

/// Rows per page.
const PAGE: u32 = 50;

/// The filters of the audit log, form field → API parameter.
const AUDIT_FILTERS: [(&str, &str); 4] =
    [("action", "action"), ("target_type", "targetType"), ("target", "targetId"), ("actor", "actorId")];

#[handler]
pub async fn audit(req: &Request, Data(api): Data<&Api>) -> Response {
    let (mut visit, p) = match admin(req, api).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let q = query(req);
    let param = |name: &str| param(&q, name);
    let mut args = vec![("limit", PAGE.to_string())];
    let mut form = json!({});
    for (name, key) in AUDIT_FILTERS {
        if let Some(v) = param(name) {
            form[name] = json!(v);
            args.push((key, v));
        }
    }
    if let Some(c) = param("cursor") {
        args.push(("cursor", c));
    }
    let qs: String = query_string(&args);
    let a = match visit.api(Method::GET, &format!("/api/v1/audit-log?{qs}"), None).await {
        Ok(a) => a,
        Err(r) => return refused(&mut visit, r),
    };
    let mut ctx = json!({ "form": form });
    if a.status.is_success() {
        let next = a.body["nextCursor"].as_str().map(|c| {
            let mut keep: Vec<(&str, String)> =
                AUDIT_FILTERS.iter().filter_map(|(name, _)| param(name).map(|v| (*name, v))).collect();
            keep.push(("cursor", c.to_string()));
            query_string(&keep)
        });
        let rows: Vec<Value> = a.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                let mut e = e.clone();
                e["change"] = json!(change(&e["before"], &e["after"]));
                e
            })
            .collect();
        ctx["rows"] = json!(rows);
        ctx["next"] = json!(next);
    } else {
        ctx["problem"] = a.problem("filters");
    }
    page(&visit, Some(&p), a.status, "audit.html", ctx)
}

/// What changed, as `field: before → after` for each field that differs, or the whole value
/// when the entry is not a record of fields.
fn change(before: &Value, after: &Value) -> String {
    let short = |v: &Value| {
        let s = match v {
            Value::String(s) => s.clone(),
            Value::Null => "—".into(),
            other => other.to_string(),
        };
        if s.chars().count() > 60 { s.chars().take(60).collect::<String>() + "…" } else { s }
    };
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .filter(|k| b.get(*k) != a.get(*k))
                .map(|k| {
                    format!(
                        "{k}: {} → {}",
                        short(b.get(k).unwrap_or(&Value::Null)),
                        short(a.get(k).unwrap_or(&Value::Null))
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        }
        (Value::Null, Value::Null) => String::new(),
        (b, a) => format!("{} → {}", short(b), short(a)),
    }
}

#[handler]
pub async fn dead_jobs(req: &Request, Data(api): Data<&Api>) -> Response {
    let (mut visit, p) = match admin(req, api).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let q = query(req);
    let queue = if q.iter().any(|(k, v)| k == "queue" && v == "push") { "push" } else { "main" };
    let done = q.iter().find(|(k, _)| k == "done").map(|(_, v)| v.clone());
    dead_page(&mut visit, &p, queue, StatusCode::OK, json!({ "done": done })).await
}

async fn dead_page(visit: &mut Visit, p: &Principal, queue: &str, status: StatusCode, mut ctx: Value) -> Response {
    let a = match visit.api(Method::GET, &format!("/api/v1/admin/jobs/dead?queue={queue}&limit={PAGE}"), None).await {
        Ok(a) => a,
        Err(r) => return refused(visit, r),
    };
    ctx["queue"] = json!(queue);
    if a.status.is_success() {
        let jobs: Vec<Value> = a.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|j| {
                json!({"id": j["id"], "kind": j["kind"], "attempts": j["attempts"], "error": j["error"],
                       "enqueuedAt": j["enqueuedAt"], "failedAt": j["failedAt"]})
            })
            .collect();
        ctx["jobs"] = json!(jobs);
    } else if ctx.get("problem").is_none() {
        ctx["problem"] = a.problem("list");
    }
    page(visit, Some(p), if status.is_success() { a.status } else { status }, "dead_jobs.html", ctx)
}

/// Retries or discards one dead job.
#[handler]
pub async fn dead_job_action(req: &Request, body: Body, Data(api): Data<&Api>) -> Response {
    let fields = form_fields(body).await;
    let (mut visit, p) = match admin_post(req, api, &fields).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let queue = if field(&fields, "queue") == Some("push") { "push" } else { "main" };
    let id: Uuid = field(&fields, "id").and_then(|v| v.parse().ok()).unwrap_or(Uuid::nil());
    let retry = field(&fields, "action") == Some("retry");
    let (method, path) = if retry {
        (Method::POST, format!("/api/v1/admin/jobs/dead/{id}/retry"))
    } else {
        (Method::DELETE, format!("/api/v1/admin/jobs/dead/{id}"))
    };
    let a = match visit.api(method, &path, None).await {
        Ok(a) => a,
        Err(r) => return refused(&mut visit, r),
    };
    if a.status.is_success() {
        let done = if retry { "retried" } else { "discarded" };
        return see_other(&visit, &format!("/console/dead-jobs?queue={queue}&done={done}"));
    }
    dead_page(&mut visit, &p, queue, a.status, json!({ "problem": a.problem("action") })).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_lists_the_fields_that_differ() {
        let before = json!({"role": "volunteer", "name": "张三"});
        let after = json!({"role": "social_worker", "name": "张三"});
        assert_eq!(change(&before, &after), "role: volunteer → social_worker");
        assert_eq!(change(&Value::Null, &json!([1, 2])), "— → [1,2]");
        assert_eq!(change(&Value::Null, &Value::Null), "");
    }
}
