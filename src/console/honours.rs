//! Honours (评优评先) in the console: the programmes, and one programme's whole life on one page —
//! set-up, nominations within quota, the panel, scoring (others' scores without reviewers'
//! names), the ranking and decision, the public notice (公示) with its objections, publication.
//!
//! Every step is the API operation the phone app and Swagger use (`createHonourProgramme`,
//! `advanceHonourProgramme`, `nominateForHonour`, `appointHonourPanel`, `listHonourPanel`,
//! `scoreHonourNomination`, `getHonourRanking`, `decideHonours`, `listHonourObjections`,
//! `resolveHonourObjection`), so who may do what, when and within which quota is the domain's
//! rule alone; a refusal comes back as the API's problem, shown beside the form it concerns.
//! Forms that create carry a key sent as `Idempotency-Key`, so a double click creates once.

use super::view::{page, refused, see_other};
use super::{Answer, Api, Refusal, Visit, admin, admin_post, echo, field, form_fields, query};
use crate::api::bearer::Principal;
use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use entity::user::Role;
use poem::http::{Method, StatusCode};
use poem::web::{Data, Path};
use poem::{Body, Request, Response, handler};
use serde_json::{Value, json};
use uuid::Uuid;

/// The zone a `datetime-local` field is read in (the programmes' default zone).
const FORM_ZONE: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

/// How time fields are written and read.
const TIME_FORMAT: &str = "%Y-%m-%d %H:%M";

/// What a programme may award, as the create form offers them.
const KINDS: [&str; 5] =
    ["most_beautiful_social_worker", "leading_talent", "star_volunteer", "outstanding_pair", "custom"];

/// The programmes, newest first, with the form that sets one up (city administrators).
#[handler]
pub async fn list(req: &Request, Data(api): Data<&Api>) -> Response {
    let (mut visit, p) = match admin(req, api).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    list_page(&mut visit, &p, StatusCode::OK, json!({})).await
}

async fn list_page(visit: &mut Visit, p: &Principal, status: StatusCode, extra: Value) -> Response {
    let a = match visit.api(Method::GET, "/api/v1/honour-programmes?limit=100", None).await {
        Ok(a) => a,
        Err(r) => return refused(visit, r),
    };
    let now = visit.state.clock.now().with_timezone(&FORM_ZONE);
    let mut ctx = json!({
        "programmes": a.body["items"],
        "kinds": KINDS,
        "city": is_city(p),
        "key": Uuid::now_v7(),
        "year": now.format("%Y").to_string(),
        // A fortnight of nominations, then a fortnight of review, from now.
        "defaults": {
            "opens": now.format(TIME_FORMAT).to_string(),
            "closes": (now + Duration::days(14)).format(TIME_FORMAT).to_string(),
            "review_closes": (now + Duration::days(28)).format(TIME_FORMAT).to_string(),
        },
    });
    merge(&mut ctx, extra);
    page(visit, Some(p), status, "honours.html", ctx)
}

/// Sets a programme up, in draft; on success its page.
#[handler]
pub async fn create(req: &Request, body: Body, Data(api): Data<&Api>) -> Response {
    let fields = form_fields(body).await;
    let (mut visit, p) = match admin_post(req, api, &fields).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let f = |name: &str| field(&fields, name).map(str::trim).unwrap_or_default();
    let mut rules = Vec::new();
    if !f("min_hours").is_empty() {
        rules.push(json!({"rule": "min_volunteer_hours", "value": number(f("min_hours")), "period": "year"}));
    }
    let body = json!({
        "name": f("name"),
        "kind": f("kind"),
        "year": number(f("year")),
        "nominationOpensAt": instant(f("opens")),
        "nominationClosesAt": instant(f("closes")),
        "reviewClosesAt": instant(f("review_closes")),
        "awards": number(f("awards")),
        "stationQuota": number(f("quota")),
        "rules": rules,
    });
    let a = match visit.api_once(Method::POST, "/api/v1/honour-programmes", Some(body), field(&fields, "key")).await {
        Ok(a) => a,
        Err(r) => return refused(&mut visit, r),
    };
    match a.body["id"].as_str() {
        Some(id) if a.status.is_success() => see_other(&visit, &format!("/console/honours/{id}?done=created")),
        _ => {
            let extra = json!({"problem": a.problem("create"), "form": echo(&fields)});
            list_page(&mut visit, &p, a.status, extra).await
        }
    }
}

/// One programme: what it is, where it stands and what may be done next.
#[handler]
pub async fn show(req: &Request, Path(id): Path<String>, Data(api): Data<&Api>) -> Response {
    let (mut visit, p) = match admin(req, api).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let q = query(req);
    let param = |name: &str| q.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string());
    let extra = json!({"done": param("done"), "find": param("find").filter(|f| !f.is_empty()), "for": param("for")});
    programme_page(&mut visit, &p, &id, StatusCode::OK, extra).await
}

async fn programme_page(visit: &mut Visit, p: &Principal, id: &str, status: StatusCode, extra: Value) -> Response {
    match programme_context(visit, p, id, extra).await {
        Ok((answered, ctx)) => {
            page(visit, Some(p), if status.is_success() { answered } else { status }, "honour.html", ctx)
        }
        Err(r) => refused(visit, r),
    }
}

/// Everything the programme page shows, read through the API as the viewer.
async fn programme_context(
    visit: &mut Visit,
    p: &Principal,
    id: &str,
    mut ctx: Value,
) -> Result<(StatusCode, Value), Refusal> {
    let id = path_id(id);
    let base = format!("/api/v1/honour-programmes/{id}");
    let prog = visit.api(Method::GET, &base, None).await?;
    if !prog.status.is_success() {
        ctx["problem"] = prog.problem("page");
        return Ok((prog.status, ctx));
    }
    let state = prog.body["state"].as_str().unwrap_or_default().to_string();
    let now = visit.state.clock.now();
    let passed =
        |key: &str| prog.body[key].as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok()).is_some_and(|t| t < now);
    ctx["review_closed"] = json!(passed("reviewClosesAt"));
    ctx["notice_over"] = json!(passed("noticeEndsAt"));
    ctx["city"] = json!(is_city(p));
    ctx["key"] = json!(Uuid::now_v7());
    ctx["next"] = json!(next_by_advance(&state));
    ctx["nominations"] = items(visit.api(Method::GET, &format!("{base}/nominations?limit=100"), None).await?);
    if is_city(p) {
        ctx["panel"] = listed(visit.api(Method::GET, &format!("{base}/panel"), None).await?);
    }
    if state == "reviewing" {
        // Not on the panel: 403 `not_a_reviewer`, and simply nothing to score.
        ctx["review"] = listed(visit.api(Method::GET, &format!("{base}/review"), None).await?);
    }
    if is_city(p) && state != "draft" && state != "nominating" {
        ctx["ranking"] = listed(visit.api(Method::GET, &format!("{base}/ranking"), None).await?);
    }
    if is_city(p) && (state == "public_notice" || state == "published") {
        ctx["objections"] = items(visit.api(Method::GET, &format!("{base}/objections?limit=100"), None).await?);
    }
    if let Some(find) = ctx["find"].as_str().map(str::to_string) {
        let q: String = form_urlencoded::byte_serialize(find.as_bytes()).collect();
        ctx["found"] = items(visit.api(Method::GET, &format!("/api/v1/users?q={q}&limit=20"), None).await?);
    }
    ctx["programme"] = prog.body;
    Ok((StatusCode::OK, ctx))
}

/// The step `advanceHonourProgramme` takes from `state` (`decided` comes from the decision).
fn next_by_advance(state: &str) -> Option<&'static str> {
    match state {
        "draft" => Some("nominating"),
        "nominating" => Some("reviewing"),
        "decided" => Some("public_notice"),
        "public_notice" => Some("published"),
        _ => None,
    }
}

/// Moves the programme one step on.
#[handler]
pub async fn advance(req: &Request, Path(id): Path<String>, body: Body, Data(api): Data<&Api>) -> Response {
    act(req, &id, body, api, "advanced", |id, f| {
        let to = field(f, "to").unwrap_or_default();
        (Method::POST, format!("/api/v1/honour-programmes/{id}/advance"), json!({ "to": to }))
    })
    .await
}

/// Nominates the person chosen from the search.
#[handler]
pub async fn nominate(req: &Request, Path(id): Path<String>, body: Body, Data(api): Data<&Api>) -> Response {
    act(req, &id, body, api, "nominated", |id, f| {
        let evidence: Vec<&str> =
            field(f, "evidence").unwrap_or_default().lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        let mut body = json!({
            "nomineeId": path_id(field(f, "nominee").unwrap_or_default()),
            "statement": field(f, "statement").unwrap_or_default().trim(),
            "evidence": evidence,
        });
        if let Some(r) = field(f, "override_reason").map(str::trim).filter(|r| !r.is_empty()) {
            body["overrideReason"] = json!(r);
        }
        (Method::POST, format!("/api/v1/honour-programmes/{id}/nominations"), body)
    })
    .await
}

/// Sets the panel to the ticked people (those already on it and those found).
#[handler]
pub async fn panel(req: &Request, Path(id): Path<String>, body: Body, Data(api): Data<&Api>) -> Response {
    act(req, &id, body, api, "panel", |id, f| {
        let ids: Vec<Uuid> = f.iter().filter(|(k, _)| k == "reviewer").map(|(_, v)| path_id(v)).collect();
        (Method::PUT, format!("/api/v1/honour-programmes/{id}/panel"), json!({ "reviewerIds": ids }))
    })
    .await
}

/// Scores one nomination as a reviewer: one score per criterion, in order, and a comment.
#[handler]
pub async fn score(req: &Request, Path(id): Path<String>, body: Body, Data(api): Data<&Api>) -> Response {
    act(req, &id, body, api, "scored", |_, f| {
        let nomination = path_id(field(f, "nomination").unwrap_or_default());
        let scores: Vec<Value> = f.iter().filter(|(k, _)| k == "score").map(|(_, v)| number(v.trim())).collect();
        let comment = field(f, "comment").unwrap_or_default().trim();
        let body = json!({ "scores": scores, "comment": comment });
        (Method::POST, format!("/api/v1/honour-nominations/{nomination}/scores"), body)
    })
    .await
}

/// Decides the ticked nominations, each with its citation (颁奖词).
#[handler]
pub async fn decide(req: &Request, Path(id): Path<String>, body: Body, Data(api): Data<&Api>) -> Response {
    act(req, &id, body, api, "decided", |id, f| {
        let awardees: Vec<Value> = f
            .iter()
            .filter(|(k, _)| k == "award")
            .map(|(_, n)| {
                let citation = field(f, &format!("citation-{n}")).unwrap_or_default().trim();
                json!({"nominationId": path_id(n), "citation": citation})
            })
            .collect();
        let mut body = json!({ "awardees": awardees });
        if let Some(r) = field(f, "reason").map(str::trim).filter(|r| !r.is_empty()) {
            body["reason"] = json!(r);
        }
        (Method::POST, format!("/api/v1/honour-programmes/{id}/decision"), body)
    })
    .await
}

/// Resolves one objection: upheld withdraws the honour; either way with a reason.
#[handler]
pub async fn resolve(req: &Request, Path(id): Path<String>, body: Body, Data(api): Data<&Api>) -> Response {
    act(req, &id, body, api, "resolved", |_, f| {
        let objection = path_id(field(f, "objection").unwrap_or_default());
        let upheld = field(f, "upheld") == Some("yes");
        let reason = field(f, "reason").unwrap_or_default().trim();
        let body = json!({ "upheld": upheld, "reason": reason });
        (Method::POST, format!("/api/v1/honour-objections/{objection}/resolve"), body)
    })
    .await
}

/// A form sent from the programme page: the API call `call` builds from its fields; on success
/// back to the page with `done`, otherwise the page again with the problem beside the form
/// (`form` names it) and what was typed kept.
async fn act(
    req: &Request,
    id: &str,
    body: Body,
    api: &Api,
    done: &str,
    call: impl FnOnce(Uuid, &[(String, String)]) -> (Method, String, Value),
) -> Response {
    let fields = form_fields(body).await;
    let (mut visit, p) = match admin_post(req, api, &fields).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let programme = path_id(id);
    let (method, path, body) = call(programme, &fields);
    let a = match visit.api_once(method, &path, Some(body), field(&fields, "key")).await {
        Ok(a) => a,
        Err(r) => return refused(&mut visit, r),
    };
    if a.status.is_success() {
        return see_other(&visit, &format!("/console/honours/{programme}?done={done}"));
    }
    let form = field(&fields, "form").unwrap_or(done);
    let extra = json!({
        "problem": a.problem(form),
        "form": echo(&fields),
        "find": field(&fields, "find").filter(|f| !f.is_empty()),
        "for": field(&fields, "for"),
    });
    programme_page(&mut visit, &p, id, a.status, extra).await
}

fn is_city(p: &Principal) -> bool {
    p.user.role == Role::CityAdmin
}

/// A path segment as an id; anything else becomes the nil id, which names nothing (404), so no
/// text typed into a form ever shapes the API path called.
fn path_id(s: &str) -> Uuid {
    s.trim().parse().unwrap_or(Uuid::nil())
}

/// A form number as a JSON number; anything else is sent as typed, for the API to refuse with
/// its own problem code.
fn number(s: &str) -> Value {
    s.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::from(s))
}

/// A time field (`2026-12-01 09:00`, or with a `T` as a `datetime-local` input sends it, read in
/// Beijing time) as an RFC 3339 instant; anything else is sent as typed, for the API to refuse.
fn instant(s: &str) -> Value {
    NaiveDateTime::parse_from_str(&s.replacen('T', " ", 1), TIME_FORMAT)
        .ok()
        .and_then(|t| FORM_ZONE.from_local_datetime(&t).single())
        .map(|t| Value::from(t.with_timezone(&Utc).to_rfc3339()))
        .unwrap_or_else(|| Value::from(s))
}

/// A page's items, or none when the viewer may not list them.
fn items(a: Answer) -> Value {
    if a.status.is_success() { a.body["items"].clone() } else { json!([]) }
}

/// A bare list's items, or none when the viewer may not list them.
fn listed(a: Answer) -> Value {
    if a.status.is_success() { a.body } else { json!([]) }
}

fn merge(ctx: &mut Value, extra: Value) {
    if let (Some(c), Value::Object(e)) = (ctx.as_object_mut(), extra) {
        c.extend(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_become_the_apis_or_stay_as_typed() {
        assert_eq!(number("12"), json!(12));
        assert_eq!(number("twelve"), json!("twelve"));
        assert_eq!(instant("2026-12-01 09:30"), json!("2026-12-01T01:30:00+00:00"), "Beijing time is UTC+8");
        assert_eq!(instant("2026-12-01T09:30"), instant("2026-12-01 09:30"), "as a datetime-local input sends it");
        assert_eq!(instant("tomorrow"), json!("tomorrow"));
        assert_eq!(path_id("../stats"), Uuid::nil());
        assert_eq!(next_by_advance("reviewing"), None, "a decision, not an advance");
    }

    #[test]
    fn a_problem_names_its_field() {
        let a = Answer {
            status: StatusCode::BAD_REQUEST,
            body: json!({"code": "invalid_body", "detail": "the request body is not valid: field `year`"}),
        };
        let p = a.problem("create");
        assert_eq!(
            (p["code"].as_str(), p["field"].as_str(), p["form"].as_str()),
            (Some("invalid_body"), Some("year"), Some("create"))
        );
    }
}
