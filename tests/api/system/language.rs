//! The reader's language: `Accept-Language` chooses a problem's `title` and `detail` (zh-CN
//! unless the request prefers en), the `code` never changes, and no Chinese text shows a raw
//! code. Messages are in the recipient's profile language, with names from the catalogue.

use crate::helpers::{Resp, spawn_app};
use reqwest::Method;
use serde_json::json;

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// A snake_case word: what a raw code looks like inside a sentence.
fn raw_code_in(s: &str) -> Option<String> {
    s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find(|w| w.contains('_') && w.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .map(str::to_string)
}

fn assert_chinese(r: &Resp) {
    let detail = r.body["detail"].as_str().unwrap();
    let title = r.body["title"].as_str().unwrap();
    assert!(has_chinese(detail) && has_chinese(title), "{}", r.body);
    assert_eq!(raw_code_in(detail), None, "{}", r.body);
    assert_eq!(r.headers.get("content-language").unwrap(), "zh-CN");
}

#[tokio::test]
async fn problems_are_in_chinese_unless_the_request_prefers_english_and_the_code_never_changes() {
    let app = spawn_app().await;
    let v = app.register_volunteer().await;
    // A number nobody registered each time, so no account locks.
    let login = || json!({"phone": app.new_phone(), "password": "not the password"});
    let path = "/api/v1/auth/login";

    for language in [None, Some("zh-CN"), Some("zh-TW,zh;q=0.9"), Some("de, *;q=0.1"), Some("en;q=0, zh;q=0.1")] {
        let r = app.call_in(language, Method::POST, path, None, Some(&login())).await;
        let r = r.expect_problem(401, "invalid_credentials");
        assert_chinese(&r);
        assert_eq!(r.body["detail"], "手机号或密码错误。", "{language:?}");
    }
    for language in ["en", "en-GB", "fr, en;q=0.8, zh;q=0.5"] {
        let r = app.call_in(Some(language), Method::POST, path, None, Some(&login())).await;
        let r = r.expect_problem(401, "invalid_credentials");
        assert!(!has_chinese(&r.body.to_string()), "{language}: {}", r.body);
        assert_eq!(r.body["title"], "Unauthorized");
        assert_eq!(r.headers.get("content-language").unwrap(), "en");
    }

    // poem's own refusals too: a body that is not JSON, no credentials, an unknown route.
    let r = app.call_in(None, Method::POST, path, None, Some(&json!("not an object"))).await;
    assert_chinese(&r.expect_problem(400, "validation_failed"));
    let r = app.call_in(None, Method::GET, "/api/v1/me", None, None).await;
    assert_chinese(&r.expect_problem(401, "unauthorized"));
    let r = app.call_in(None, Method::GET, "/api/v1/no-such-thing", Some(&v.access), None).await;
    assert_chinese(&r.expect_problem(404, "not_found"));
}

#[tokio::test]
async fn a_specific_detail_is_specific_in_both_languages() {
    let app = spawn_app().await;
    let v = app.register_volunteer().await;
    app.clock.advance(chrono::Duration::seconds(61));
    let code = app.request_code(&v.phone, "signIn").await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let body = json!({"phone": v.phone, "code": wrong});
    let path = "/api/v1/auth/login/code";
    let r = app.call_in(None, Method::POST, path, None, Some(&body)).await.expect_problem(400, "code_invalid");
    assert_chinese(&r);
    assert!(r.body["detail"].as_str().unwrap().contains("还可尝试 4 次"), "{}", r.body);
    let r = app.call_in(Some("en"), Method::POST, path, None, Some(&body)).await.expect_problem(400, "code_invalid");
    assert!(r.body["detail"].as_str().unwrap().contains("3 tries left"), "{}", r.body);
}
