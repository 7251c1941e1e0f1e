//! Approval queues decided one item per API call: credentials (`listCredentials`,
//! `verifyCredential`, `rejectCredential`), continuing-education claims (`listTrainingClaims`,
//! `decideTrainingClaim`) and a managed task's pending sign-ups (`listTaskSignups`,
//! `approveSignup`, `denySignup`), with the managed tasks they belong to (`listManagedTasks`) and
//! their roster file (`exportRoster`).
//!
//! Unlike hours (one all-or-none call), these operations decide one item each: a bulk decision
//! makes one call per ticked item, and the page says how many were decided and, item by item,
//! why any were refused (someone decided it meanwhile, a reason missing, out of scope).

use super::view::{page, refused, see_other};
use super::{Api, Refusal, Visit, admin, admin_post, field, form_fields, query};
use crate::api::bearer::Principal;
use poem::http::{Method, StatusCode};
use poem::web::{Data, Path};
use poem::{Body, Request, Response, handler};
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

/// Items per page.
const PAGE: u32 = 50;

/// One queue: where its items come from, how a row reads, and its two decisions.
struct Queue {
    /// The word key of its title.
    title: &'static str,
    /// The word keys of its columns.
    columns: &'static [&'static str],
    /// The API path listing the pending items (of `scope`, for a task's sign-ups).
    list: fn(Uuid) -> String,
    /// The person an item is about, whose name the row shows (when the item does not carry it).
    person: Option<&'static str>,
    /// A row's cells after the name.
    cells: fn(&Value) -> Vec<Value>,
    /// The call approving an item.
    approve: fn(Uuid) -> (String, Option<Value>),
    /// The call declining an item, with the reason.
    decline: fn(Uuid, &str) -> (String, Value),
}

const CREDENTIALS: Queue = Queue {
    title: "credentials_queue",
    columns: &[
        "holder",
        "credential_kind",
        "credential_number",
        "issuing_body",
        "issued_on",
        "expires_on",
        "evidence_ref",
    ],
    list: |_| format!("/api/v1/credentials?status=submitted&limit={PAGE}"),
    person: Some("holderId"),
    cells: |c| {
        vec![
            c["kind"].clone(),
            c["number"].clone(),
            c["issuingBody"].clone(),
            c["issuedOn"].clone(),
            c["expiresOn"].clone(),
            c["evidenceRef"].clone(),
        ]
    },
    approve: |id| (format!("/api/v1/credentials/{id}/verify"), None),
    decline: |id, reason| (format!("/api/v1/credentials/{id}/reject"), json!({ "reason": reason })),
};

const CLAIMS: Queue = Queue {
    title: "claims_queue",
    columns: &["person", "course_title", "minutes", "completed_on", "counts_as_ce", "evidence_ref"],
    list: |_| format!("/api/v1/learning/claims?limit={PAGE}"),
    person: Some("personId"),
    cells: |c| {
        vec![
            c["title"].clone(),
            c["minutes"].clone(),
            c["completedOn"].clone(),
            json!(if c["countsAsCe"] == true { "✓" } else { "" }),
            c["evidenceRef"].clone(),
        ]
    },
    approve: |id| (format!("/api/v1/learning/{id}/decision"), Some(json!({ "approve": true }))),
    decline: |id, reason| (format!("/api/v1/learning/{id}/decision"), json!({ "approve": false, "reason": reason })),
};

const SIGNUPS: Queue = Queue {
    title: "signups_queue",
    columns: &["volunteer", "number", "phone", "signed_up_at"],
    list: |task| format!("/api/v1/tasks/{task}/signups?status=pending&limit={PAGE}"),
    person: None,
    cells: |e| vec![e["volunteerNumber"].clone(), e["phone"].clone(), e["signup"]["createdAt"].clone()],
    approve: |id| (format!("/api/v1/signups/{id}/approve"), None),
    decline: |id, reason| (format!("/api/v1/signups/{id}/deny"), json!({ "reason": reason })),
};

#[handler]
pub async fn credentials(req: &Request, Data(api): Data<&Api>) -> Response {
    show(req, api, &CREDENTIALS, "/console/credentials", Uuid::nil()).await
}

#[handler]
pub async fn decide_credentials(req: &Request, body: Body, Data(api): Data<&Api>) -> Response {
    decide(req, body, api, &CREDENTIALS, "/console/credentials", Uuid::nil()).await
}

#[handler]
pub async fn claims(req: &Request, Data(api): Data<&Api>) -> Response {
    show(req, api, &CLAIMS, "/console/claims", Uuid::nil()).await
}

#[handler]
pub async fn decide_claims(req: &Request, body: Body, Data(api): Data<&Api>) -> Response {
    decide(req, body, api, &CLAIMS, "/console/claims", Uuid::nil()).await
}

/// The tasks one organises, soonest first, each leading to its pending sign-ups and roster.
#[handler]
pub async fn tasks(req: &Request, Data(api): Data<&Api>) -> Response {
    let (mut visit, p) = match admin(req, api).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let q = query(req);
    let mut path = format!("/api/v1/tasks/managed?limit={PAGE}");
    if let Some((_, c)) = q.iter().find(|(k, _)| k == "cursor") {
        path.push_str("&cursor=");
        path.extend(form_urlencoded::byte_serialize(c.as_bytes()));
    }
    match visit.api(Method::GET, &path, None).await {
        Ok(a) if a.status.is_success() => page(&visit, Some(&p), StatusCode::OK, "tasks.html", json!({"page": a.body})),
        Ok(a) => page(&visit, Some(&p), a.status, "tasks.html", json!({"problem": a.problem("list")})),
        Err(r) => refused(&mut visit, r),
    }
}

#[handler]
pub async fn signups(req: &Request, Path(id): Path<String>, Data(api): Data<&Api>) -> Response {
    let task = id.parse().unwrap_or(Uuid::nil());
    show(req, api, &SIGNUPS, &format!("/console/tasks/{task}"), task).await
}

#[handler]
pub async fn decide_signups(req: &Request, Path(id): Path<String>, body: Body, Data(api): Data<&Api>) -> Response {
    let task = id.parse().unwrap_or(Uuid::nil());
    decide(req, body, api, &SIGNUPS, &format!("/console/tasks/{task}"), task).await
}

/// The roster file of a task, as the API makes it (`text/csv`, named for the task).
#[handler]
pub async fn roster(req: &Request, Path(id): Path<String>, Data(api): Data<&Api>) -> Response {
    let (mut visit, _) = match admin(req, api).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let task = id.parse().unwrap_or(Uuid::nil());
    match visit.file(&format!("/api/v1/tasks/{task}/roster.csv")).await {
        Ok(resp) => visit.finish(resp),
        Err(r) => refused(&mut visit, r),
    }
}

/// A queue's page: its pending items with their people's names.
async fn show(req: &Request, api: &Api, queue: &Queue, here: &str, scope: Uuid) -> Response {
    let (mut visit, p) = match admin(req, api).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let decided = query(req).into_iter().find(|(k, _)| k == "decided").and_then(|(_, v)| v.parse::<u32>().ok());
    queue_page(&mut visit, &p, queue, here, scope, StatusCode::OK, json!({ "decided": decided })).await
}

async fn queue_page(
    visit: &mut Visit,
    p: &Principal,
    queue: &Queue,
    here: &str,
    scope: Uuid,
    status: StatusCode,
    mut ctx: Value,
) -> Response {
    let a = match visit.api(Method::GET, &(queue.list)(scope), None).await {
        Ok(a) => a,
        Err(r) => return refused(visit, r),
    };
    if !a.status.is_success() {
        ctx["problem"] = a.problem("list");
        return page(visit, Some(p), a.status, "queue.html", ctx);
    }
    let items = a.body["items"].as_array().cloned().unwrap_or_default();
    let names = match names(visit, queue, &items).await {
        Ok(n) => n,
        Err(r) => return refused(visit, r),
    };
    let rows: Vec<Value> = items
        .iter()
        .map(|item| {
            let (id, name) = match queue.person {
                Some(key) => (&item["id"], names.get(item[key].as_str().unwrap_or_default()).cloned()),
                None => (&item["signup"]["id"], item["name"].as_str().map(str::to_string)),
            };
            json!({ "id": id, "name": name, "cells": (queue.cells)(item) })
        })
        .collect();
    ctx["title"] = json!(queue.title);
    ctx["columns"] = json!(queue.columns);
    ctx["rows"] = json!(rows);
    ctx["here"] = json!(here);
    ctx["roster"] = json!((!scope.is_nil()).then(|| format!("{here}/roster.csv")));
    page(visit, Some(p), status, "queue.html", ctx)
}

/// The names of the people a page of items is about, one lookup each (`getUser`, so only
/// people the viewer may see; others show as unnamed).
async fn names(visit: &mut Visit, queue: &Queue, items: &[Value]) -> Result<HashMap<String, String>, Refusal> {
    let mut out = HashMap::new();
    let Some(key) = queue.person else { return Ok(out) };
    for item in items {
        let Some(id) = item[key].as_str().and_then(|s| s.parse::<Uuid>().ok()) else { continue };
        if out.contains_key(&id.to_string()) {
            continue;
        }
        let a = visit.api(Method::GET, &format!("/api/v1/users/{id}"), None).await?;
        if let Some(name) = a.body["name"].as_str().filter(|_| a.status.is_success()) {
            out.insert(id.to_string(), name.to_string());
        }
    }
    Ok(out)
}

/// Approves or declines the ticked items, one call each; all decided: back to the queue
/// saying how many; any refused: the queue again with each refusal.
async fn decide(req: &Request, body: Body, api: &Api, queue: &Queue, here: &str, scope: Uuid) -> Response {
    let fields = form_fields(body).await;
    let (mut visit, p) = match admin_post(req, api, &fields).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let approve = field(&fields, "decision") == Some("approve");
    let reason = field(&fields, "reason").map(str::trim).unwrap_or_default();
    let ids: Vec<Uuid> = fields.iter().filter(|(k, _)| k == "id").filter_map(|(_, v)| v.parse().ok()).collect();
    let mut decided = 0;
    let mut refusals = Vec::new();
    let mut status = StatusCode::OK;
    for id in ids {
        let (path, body) = if approve {
            (queue.approve)(id)
        } else {
            let (path, body) = (queue.decline)(id, reason);
            (path, Some(body))
        };
        let a = match visit.api(Method::POST, &path, body).await {
            Ok(a) => a,
            Err(r) => return refused(&mut visit, r),
        };
        if a.status.is_success() {
            decided += 1;
        } else {
            status = a.status;
            refusals.push(json!({ "id": id, "code": a.code(), "detail": a.body["detail"] }));
        }
    }
    if refusals.is_empty() {
        return see_other(&visit, &format!("{here}?decided={decided}"));
    }
    let ctx = json!({ "decided": decided, "refusals": refusals, "reason": reason });
    queue_page(&mut visit, &p, queue, here, scope, status, ctx).await
}
