//! Projects and the needs they answer, in the console: the projects of one's scope
//! (`listProjects`), a project with its funding and figures (`getProject`), the needs of the
//! units one serves (`listNeeds`, `recordNeed`), and a need's suggested resources with the
//! project that answers it (`suggestResources`, `answerNeed`).

use super::view::{page, refused, see_other};
use super::{Api, Visit, admin, admin_post, echo, field, form_fields, query};
use crate::api::bearer::Principal;
use poem::http::{Method, StatusCode};
use poem::web::{Data, Path};
use poem::{Body, Request, Response, handler};
use serde_json::{Value, json};

/// The kinds of need, in the order the form offers them.
const NEED_KINDS: [&str; 9] =
    ["elderly_care", "child_care", "disability", "hardship", "health", "environment", "safety", "culture", "other"];

async fn get_or_page(visit: &mut Visit, p: &Principal, path: &str) -> Result<Value, Response> {
    match visit.api(Method::GET, path, None).await {
        Ok(a) if a.status.is_success() => Ok(a.body),
        Ok(a) => {
            let ctx = json!({"title": "refused_title", "body": "refused_body", "problem": a.problem("page")});
            Err(page(visit, Some(p), a.status, "message.html", ctx))
        }
        Err(r) => Err(refused(visit, r)),
    }
}

fn scope_root(p: &Principal) -> Option<String> {
    match p.user.role {
        entity::user::Role::CityAdmin => None,
        _ => p.user.org_unit_id.map(|u| u.to_string()),
    }
}

#[handler]
pub async fn list(req: &Request, Data(api): Data<&Api>) -> Response {
    let (mut visit, p) = match admin(req, api).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let path = match scope_root(&p) {
        Some(u) => format!("/api/v1/projects?limit=100&under={u}"),
        None => "/api/v1/projects?limit=100".to_string(),
    };
    match get_or_page(&mut visit, &p, &path).await {
        Ok(body) => page(&visit, Some(&p), StatusCode::OK, "projects.html", json!({"projects": body["items"]})),
        Err(resp) => resp,
    }
}

#[handler]
pub async fn show(req: &Request, Path(id): Path<String>, Data(api): Data<&Api>) -> Response {
    let (mut visit, p) = match admin(req, api).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let Ok(id) = uuid::Uuid::parse_str(&id) else { return refused(&mut visit, super::Refusal::Forbidden) };
    match get_or_page(&mut visit, &p, &format!("/api/v1/projects/{id}")).await {
        Ok(body) => page(&visit, Some(&p), StatusCode::OK, "project.html", body),
        Err(resp) => resp,
    }
}

#[handler]
pub async fn needs(req: &Request, Data(api): Data<&Api>) -> Response {
    let (mut visit, p) = match admin(req, api).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let done = query(req).into_iter().find(|(k, _)| k == "done").map(|(_, v)| v);
    needs_page(&mut visit, &p, StatusCode::OK, json!({ "done": done })).await
}

async fn needs_page(visit: &mut Visit, p: &Principal, status: StatusCode, mut ctx: Value) -> Response {
    match get_or_page(visit, p, "/api/v1/needs?limit=100").await {
        Ok(body) => {
            ctx["needs"] = body["items"].clone();
            ctx["kinds"] = json!(NEED_KINDS);
            ctx["key"] = json!(uuid::Uuid::now_v7().to_string());
            page(visit, Some(p), status, "needs.html", ctx)
        }
        Err(resp) => resp,
    }
}

#[handler]
pub async fn record_need(req: &Request, body: Body, Data(api): Data<&Api>) -> Response {
    let fields = form_fields(body).await;
    let (mut visit, p) = match admin_post(req, api, &fields).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let f = |name: &str| field(&fields, name).map(str::trim).unwrap_or_default();
    let households = match f("households") {
        "" => Value::Null,
        n => n.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::from(n)),
    };
    let body = json!({"orgUnitId": f("unit"), "kind": f("kind"), "title": f("title"), "urgency": f("urgency"),
                      "households": households, "place": if f("place").is_empty() { Value::Null } else { json!(f("place")) }});
    let a = match visit.api_once(Method::POST, "/api/v1/needs", Some(body), field(&fields, "key")).await {
        Ok(a) => a,
        Err(r) => return refused(&mut visit, r),
    };
    match a.body["id"].as_str() {
        Some(id) if a.status.is_success() => see_other(&visit, &format!("/console/needs/{id}")),
        _ => needs_page(&mut visit, &p, a.status, json!({"problem": a.problem("need"), "form": echo(&fields)})).await,
    }
}

#[handler]
pub async fn need(req: &Request, Path(id): Path<String>, Data(api): Data<&Api>) -> Response {
    let (mut visit, p) = match admin(req, api).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let done = query(req).into_iter().find(|(k, _)| k == "done").map(|(_, v)| v);
    need_page(&mut visit, &p, &id, StatusCode::OK, json!({ "done": done })).await
}

async fn need_page(visit: &mut Visit, p: &Principal, id: &str, status: StatusCode, mut ctx: Value) -> Response {
    let Ok(id) = uuid::Uuid::parse_str(id) else { return refused(visit, super::Refusal::Forbidden) };
    let suggestions = match get_or_page(visit, p, &format!("/api/v1/needs/{id}/suggestions")).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let projects = match get_or_page(visit, p, "/api/v1/projects?limit=100").await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    ctx["id"] = json!(id);
    ctx["suggestions"] = suggestions;
    ctx["projects"] = projects["items"].clone();
    ctx["key"] = json!(uuid::Uuid::now_v7().to_string());
    page(visit, Some(p), status, "need.html", ctx)
}

#[handler]
pub async fn answer(req: &Request, body: Body, Path(id): Path<String>, Data(api): Data<&Api>) -> Response {
    let fields = form_fields(body).await;
    let (mut visit, p) = match admin_post(req, api, &fields).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let project = field(&fields, "project").map(str::trim).unwrap_or_default().to_string();
    let a = match visit
        .api_once(
            Method::POST,
            &format!("/api/v1/needs/{id}/answer"),
            Some(json!({"projectId": project})),
            field(&fields, "key"),
        )
        .await
    {
        Ok(a) => a,
        Err(r) => return refused(&mut visit, r),
    };
    if a.status.is_success() {
        return see_other(&visit, &format!("/console/needs/{id}?done=answered"));
    }
    need_page(&mut visit, &p, &id, a.status, json!({"problem": a.problem("answer")})).await
}
