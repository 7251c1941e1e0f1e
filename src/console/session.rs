//! Signing in and out of the console: the API's own sign-in (`login`) and sign-out (`logout`),
//! with the tokens kept in cookies. Someone the console is not for is signed out again at once.

use super::view::{page, refused, see_other};
use super::{Api, Refusal, Visit, field, form_fields, may_open, same_origin};
use crate::api::bearer;
use poem::http::{Method, StatusCode};
use poem::web::Data;
use poem::{Body, Request, Response, handler};
use serde_json::json;

/// The sign-in form (or the dashboard, when already signed in).
#[handler]
pub async fn form(req: &Request, Data(api): Data<&Api>) -> Response {
    let mut visit = match Visit::of(req, api) {
        Ok(v) => v,
        Err(_) => return super::view::broken(),
    };
    if visit.principal().await.is_ok() {
        return see_other(&visit, "/console");
    }
    page(&visit, None, StatusCode::OK, "sign_in.html", json!({}))
}

/// Signs in with phone and password, as the app does.
#[handler]
pub async fn sign_in(req: &Request, body: Body, Data(api): Data<&Api>) -> Response {
    let mut visit = match Visit::of(req, api) {
        Ok(v) => v,
        Err(_) => return super::view::broken(),
    };
    if !same_origin(req) {
        return refused(&mut visit, Refusal::Stale);
    }
    let fields = form_fields(body).await;
    let phone = field(&fields, "phone").unwrap_or_default().trim().to_string();
    let password = field(&fields, "password").unwrap_or_default().to_string();
    let a = match visit
        .api(Method::POST, "/api/v1/auth/login", Some(json!({"phone": phone, "password": password})))
        .await
    {
        Ok(a) => a,
        Err(r) => return refused(&mut visit, r),
    };
    if !a.status.is_success() {
        // The API's own problem, shown on the form; the phone is kept, never the password.
        let ctx = json!({"phone": phone, "problem": {"code": a.code(), "detail": a.body["detail"]}});
        return page(&visit, None, a.status, "sign_in.html", ctx);
    }
    visit.keep_session(&a.body);
    let token = a.body["accessToken"].as_str().unwrap_or_default().to_string();
    match bearer::authenticate(&visit.state, &token).await {
        Ok(p) if may_open(&p) => see_other(&visit, "/console"),
        Ok(_) => {
            // Not for them: the session just opened ends here.
            end_session(&mut visit).await;
            refused(&mut visit, Refusal::Forbidden)
        }
        Err(_) => refused(&mut visit, Refusal::SignIn),
    }
}

/// Signs out: ends the API session and clears the cookies.
#[handler]
pub async fn sign_out(req: &Request, body: Body, Data(api): Data<&Api>) -> Response {
    let fields = form_fields(body).await;
    let mut visit = match super::admin_post(req, api, &fields).await {
        Ok((visit, _)) => visit,
        Err(page) => return page,
    };
    end_session(&mut visit).await;
    see_other(&visit, "/console/sign-in")
}

async fn end_session(visit: &mut Visit) {
    if let Some(refresh) = visit.refresh_token().map(str::to_string) {
        let _ = visit.api(Method::POST, "/api/v1/auth/logout", Some(json!({ "refreshToken": refresh }))).await;
    }
    visit.forget_session();
}
