//! The console's HTTP contract, without a browser: the session cookies and their flags, the
//! headers of every page, the CSRF token, who is refused, and bad input shown on the page.

use crate::helpers::{PASSWORD, TestApp, spawn_app};
use chrono::Duration;
use entity::session;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_SECURITY_POLICY, COOKIE, LOCATION, SET_COOKIE};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// A browser's side of a console session, by hand: the cookies it was given.
pub struct Visitor {
    pub cookies: String,
}

/// A client that does not follow redirects (the tests look at them).
fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// Signs in through the console's form; the answer and the cookies it set.
pub async fn sign_in(app: &TestApp, phone: &str) -> (reqwest::Response, Visitor) {
    let r = client()
        .post(format!("{}/console/sign-in", app.base))
        .form(&[("phone", phone), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookies = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string))
        .filter(|c| !c.ends_with('='))
        .collect::<Vec<_>>()
        .join("; ");
    (r, Visitor { cookies })
}

impl Visitor {
    pub async fn get(&self, app: &TestApp, path: &str) -> (StatusCode, String) {
        let r = client().get(format!("{}{path}", app.base)).header(COOKIE, &self.cookies).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }

    pub async fn post(&self, app: &TestApp, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        client().post(format!("{}{path}", app.base)).header(COOKIE, &self.cookies).form(form).send().await.unwrap()
    }

    /// The CSRF token the page's forms carry.
    pub async fn csrf(&self, app: &TestApp) -> String {
        let (_, html) = self.get(app, "/console/hours").await;
        let at = html.find("name=\"csrf\" value=\"").expect("a form with a CSRF token") + 19;
        html[at..].split('"').next().unwrap().to_string()
    }
}

#[tokio::test]
async fn a_session_lives_in_strict_http_only_cookies_and_pages_carry_a_strict_csp() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let anonymous = client().get(format!("{}/console", app.base)).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert_eq!(anonymous.headers()[LOCATION], "/console/sign-in");

    let form = client().get(format!("{}/console/sign-in", app.base)).send().await.unwrap();
    let csp = form.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap().to_string();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(form.headers()["cache-control"], "no-store");
    assert!(form.text().await.unwrap().contains("登录"), "zh-CN first");

    let (r, visitor) = sign_in(&app, &f.stations[0].admin.phone).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let set: Vec<String> = r.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).collect();
    let session_cookies: Vec<&String> = set.iter().filter(|c| c.starts_with("wushe_console")).collect();
    assert_eq!(session_cookies.len(), 2, "{set:?}");
    for c in session_cookies {
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Path=/console"), "{c}");
    }
    let (status, html) = visitor.get(&app, "/console").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"chart-lines\""), "the dashboard with its charts");
    assert!(!html.contains("<script>"), "no inline script");
    let (_, english) = visitor.get(&app, "/console?lang=en").await;
    assert!(english.contains("Hours by action line"), "English on request");
}

#[tokio::test]
async fn a_post_without_the_sessions_csrf_token_asks_to_sign_in_again_and_changes_nothing() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let s = &f.stations[0];
    let day = wushe::domain::kernel::time::local_date(crate::helpers::NowUtc::now_utc(&app.clock), "Asia/Shanghai")
        - Duration::days(1);
    let id = crate::statistics::support::claim(&app, &s.volunteer, &s.room, day, 90).await;
    let (_, visitor) = sign_in(&app, &s.admin.phone).await;
    for token in [None, Some("0123456789abcdef0123456789abcdef01234567")] {
        let mut form = vec![("id", id.as_str()), ("decision", "approve")];
        if let Some(t) = token {
            form.push(("csrf", t));
        }
        let r = visitor.post(&app, "/console/hours/decisions", &form).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(r.text().await.unwrap().contains("请重新登录"));
    }
    // The right token from another site's page is refused too.
    let csrf = visitor.csrf(&app).await;
    let r = client()
        .post(format!("{}/console/hours/decisions", app.base))
        .header(COOKIE, &visitor.cookies)
        .header("origin", "https://elsewhere.example")
        .form(&[("id", id.as_str()), ("decision", "approve"), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let still = app.get("/api/v1/hours?status=pending", Some(&s.admin.access)).await.expect(200);
    assert_eq!(still.body["items"].as_array().unwrap().len(), 1, "nothing was decided");

    // With the token, from the console itself: decided.
    let r =
        visitor.post(&app, "/console/hours/decisions", &[("id", &id), ("decision", "approve"), ("csrf", &csrf)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/console/hours?decided=1");
    let after = app.get("/api/v1/hours?status=approved", Some(&s.admin.access)).await.expect(200);
    assert_eq!(after.body["items"][0]["id"], id.as_str());
}

#[tokio::test]
async fn a_volunteer_and_a_social_worker_are_refused_and_their_console_session_ends() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    for who in [&f.stations[0].volunteer, &f.stations[0].social_worker] {
        let (r, _) = sign_in(&app, &who.phone).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(r.text().await.unwrap().contains("管理后台仅供管理员使用"));
        let user: uuid::Uuid = who.user_id.parse().unwrap();
        let live = session::Entity::find()
            .filter(session::Column::UserId.eq(user))
            .filter(session::Column::RevokedAt.is_null())
            .all(app.db())
            .await
            .unwrap();
        // Only the session the test opened through the API is left.
        assert_eq!(live.len(), 1, "the console's session was ended");
    }
}

#[tokio::test]
async fn bad_input_is_shown_on_the_page_with_the_apis_code() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let (r, _) = sign_in(&app, "13800000000").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"problem\"") && html.contains("data-code=\"invalid_credentials\""), "{html}");
    let (_, visitor) = sign_in(&app, &f.city_admin.phone).await;
    let (status, html) = visitor.get(&app, "/console?from=2026-13").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("data-code=\"invalid_month\""), "{html}");
    let (status, html) = visitor.get(&app, &format!("/console?unit={}", uuid::Uuid::new_v4())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("data-code=\"not_found\""));
    assert!(!html.contains("panicked") && !html.contains("src/"), "no internals");
}
