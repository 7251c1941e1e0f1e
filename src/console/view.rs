//! Rendering: the templates compiled into the binary, the page frame's context, and the pages
//! for refusals (sign in again, not for you, broken) without any detail of the failure.

use super::{Refusal, Visit};
use crate::api::bearer::Principal;
use minijinja::Environment;
use poem::Response;
use poem::http::{StatusCode, header};
use serde_json::{Value, json};
use std::sync::LazyLock;

/// The templates' names and sources.
pub fn sources() -> [(&'static str, &'static str); 20] {
    [
        ("base.html", include_str!("templates/base.html")),
        ("sign_in.html", include_str!("templates/sign_in.html")),
        ("message.html", include_str!("templates/message.html")),
        ("dashboard.html", include_str!("templates/dashboard.html")),
        ("hours.html", include_str!("templates/hours.html")),
        ("honours.html", include_str!("templates/honours.html")),
        ("honour.html", include_str!("templates/honour.html")),
        ("queue.html", include_str!("templates/queue.html")),
        ("tasks.html", include_str!("templates/tasks.html")),
        ("people.html", include_str!("templates/people.html")),
        ("person.html", include_str!("templates/person.html")),
        ("audit.html", include_str!("templates/audit.html")),
        ("dead_jobs.html", include_str!("templates/dead_jobs.html")),
        ("funds.html", include_str!("templates/funds.html")),
        ("fund.html", include_str!("templates/fund.html")),
        ("disclosure.html", include_str!("templates/disclosure.html")),
        ("projects.html", include_str!("templates/projects.html")),
        ("project.html", include_str!("templates/project.html")),
        ("needs.html", include_str!("templates/needs.html")),
        ("need.html", include_str!("templates/need.html")),
    ]
}

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in sources() {
        env.add_template(name, source).expect("the console's templates parse");
    }
    env.add_filter("local", local_time);
    // A form shown the first time has no `form` values: `form.name` is then simply empty.
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    env
});

/// Renders `template` with `ctx` (plus the words of the visit's language and, when signed in,
/// who and the CSRF token) as an HTML answer of `status`.
pub fn page(visit: &Visit, who: Option<&Principal>, status: StatusCode, template: &str, mut ctx: Value) -> Response {
    ctx["t"] = visit.lang.words();
    ctx["lang"] = json!(visit.lang.tag());
    if let Some(p) = who {
        ctx["me"] = json!({ "name": p.user.name, "role": p.user.role });
        ctx["csrf"] = json!(visit.csrf(p));
    }
    let html = TEMPLATES.get_template(template).and_then(|t| t.render(&ctx));
    let resp = match html {
        Ok(html) => {
            Response::builder().status(status).header(header::CONTENT_TYPE, "text/html; charset=utf-8").body(html)
        }
        Err(e) => {
            tracing::error!(error = %e, template, "a console template failed to render");
            Response::builder().status(StatusCode::INTERNAL_SERVER_ERROR).body("")
        }
    };
    visit.finish(resp)
}

/// The page for a refusal.
pub fn refused(visit: &mut Visit, r: Refusal) -> Response {
    let (title, body) = match r {
        Refusal::SignIn => return see_other(visit, "/console/sign-in"),
        Refusal::Stale => {
            visit.forget_session();
            ("again_title", "again_body")
        }
        Refusal::Forbidden => ("refused_title", "refused_body"),
        Refusal::Broken => ("broken_title", "broken_body"),
    };
    let status = if matches!(r, Refusal::Broken) { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::FORBIDDEN };
    let sign_in = matches!(r, Refusal::Stale | Refusal::Forbidden);
    page(visit, None, status, "message.html", json!({ "title": title, "body": body, "sign_in": sign_in }))
}

/// A redirect after a form (`303 See Other`), with the visit's cookies.
pub fn see_other(visit: &Visit, to: &str) -> Response {
    visit.finish(Response::builder().status(StatusCode::SEE_OTHER).header(header::LOCATION, to).finish())
}

/// The page when even the visit cannot be read (no application state: a wiring bug).
pub fn broken() -> Response {
    Response::builder().status(StatusCode::INTERNAL_SERVER_ERROR).body("")
}

/// An RFC 3339 instant as wall-clock time in `zone` (default Beijing), `2026-12-01 09:30`;
/// anything else unchanged.
fn local_time(instant: String, zone: Option<String>) -> String {
    let tz: chrono_tz::Tz = zone.and_then(|z| z.parse().ok()).unwrap_or(chrono_tz::Asia::Shanghai);
    match chrono::DateTime::parse_from_rfc3339(&instant) {
        Ok(t) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => instant,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders a template with the page frame's context, failing on any template error.
    fn render(template: &str, mut ctx: Value) -> String {
        ctx["t"] = super::super::Lang::Zh.words();
        ctx["me"] = json!({"name": "管理员", "role": "city_admin"});
        ctx["csrf"] = json!("token");
        TEMPLATES.get_template(template).and_then(|t| t.render(&ctx)).unwrap_or_else(|e| panic!("{template}: {e:#}"))
    }

    #[test]
    fn the_other_pages_render_with_and_without_rows() {
        let person = json!({"id": "u1", "name": "张三", "phone": "138****0000", "role": "volunteer", "status": "active",
            "volunteerNumber": "V1", "volunteer": {"starLevel": 2}});
        for (template, full) in [
            (
                "queue.html",
                json!({"title": "claims_queue", "columns": ["person", "minutes"], "here": "/console/claims",
                "rows": [{"id": "c1", "name": "张三", "cells": ["培训", 60]}], "roster": "/console/tasks/t/roster.csv",
                "refusals": [{"id": "c2", "code": "already_decided", "detail": "x"}], "decided": 1}),
            ),
            (
                "tasks.html",
                json!({"page": {"items": [{"id": "t1", "title": "敬老", "startsAt": "2026-12-01T01:00:00Z",
                "filled": 1, "capacity": 5, "signupMode": "managed", "status": "published"}], "nextCursor": "c"}}),
            ),
            (
                "people.html",
                json!({"roles": ["volunteer"], "form": {}, "page": {"items": [person]}, "next": "cursor=c"}),
            ),
            ("person.html", json!({"roles": ["volunteer"], "person": person, "done": "updated"})),
            (
                "audit.html",
                json!({"form": {}, "rows": [{"at": "2026-12-01T01:00:00Z", "action": "user.update",
                "targetType": "user", "targetId": "u1", "change": "role: a → b"}], "next": "cursor=c"}),
            ),
            (
                "dead_jobs.html",
                json!({"queue": "main", "jobs": [{"id": "j1", "kind": "push", "attempts": 5,
                "error": "gone", "failedAt": "2026-12-01T01:00:00Z"}], "done": "retried"}),
            ),
        ] {
            let html = render(template, full);
            assert!(!html.contains("t.") && html.contains("</main>"), "{template}");
            render(template, json!({"problem": {"code": "forbidden", "detail": "no", "form": "page"}}));
        }
    }

    #[test]
    fn the_honours_pages_render_in_every_state() {
        let list = render(
            "honours.html",
            json!({"programmes": [], "kinds": ["custom"], "city": true, "key": "k",
            "defaults": {"opens": "2026-12-01 09:00"}, "problem": {"form": "create", "field": "year", "detail": "bad"}}),
        );
        assert!(
            list.contains("name=\"opens\"")
                && list.contains("2026-12-01 09:00")
                && list.contains("data-field=\"year\"")
        );
        for state in ["draft", "nominating", "reviewing", "decided", "public_notice", "published", "cancelled"] {
            let programme = json!({"id": "p1", "name": "最美社工", "kind": "custom", "year": 2026, "state": state,
                "nominationOpensAt": "2026-12-01T01:00:00Z", "nominationClosesAt": "2026-12-02T01:00:00Z",
                "reviewClosesAt": "2026-12-03T01:00:00Z", "timeZone": "Asia/Shanghai", "awards": 1, "stationQuota": 2,
                "criteria": [{"name": "事迹", "weight": 100}], "noticeStartsAt": null, "noticeEndsAt": null});
            let nomination = json!({"id": "n1", "nominee": {"id": "u1", "name": "张三", "volunteerNumber": "V1", "role": "volunteer"},
                "statement": "好", "evaluation": [{"outcome": "met"}], "status": "nominated"});
            let html = render(
                "honour.html",
                json!({"programme": programme, "city": true, "key": "k",
                "next": "nominating", "nominations": [nomination], "panel": [{"id": "u2", "name": "李四", "role": "station_admin"}],
                "review": [{"nomination": nomination, "myScore": null}], "review_closed": true, "notice_over": false,
                "ranking": [{"rank": 1, "nomination": nomination, "summary": {"mean": 9.5, "reviews": 1}}],
                "objections": [{"id": "o1", "statement": "异议", "status": "open"}],
                "find": "张", "for": "nominate", "found": [{"id": "u1", "name": "张三", "role": "volunteer", "volunteerNumber": "V1"}],
                "form": {}}),
            );
            assert!(html.contains(&format!("data-state=\"{state}\"")), "{state}");
        }
    }
}
