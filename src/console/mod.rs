//! The administrators' console at `/console`: server-rendered pages over the API itself.
//!
//! Every figure a page shows and every change it makes is an in-process call of an API
//! operation ([`Visit::api`]), through the same gate, policy table, rate limits, validation and
//! domain functions as the phone app: the console has no rules of its own. What it adds is the
//! browser's side of a session:
//! - the session lives in two cookies (`HttpOnly`, `SameSite=Strict`, `Path=/console`, `Secure`
//!   behind https): the access token and the refresh token of an ordinary API session; an expired
//!   access token is refreshed once, transparently;
//! - every form that changes something carries a CSRF token bound to the session
//!   (`TokenService::csrf_token`), and a POST whose `Origin` is another site is refused;
//! - every answer carries a strict Content-Security-Policy (no inline script or style, nothing
//!   from elsewhere), `no-store` and `nosniff`;
//! - who may open the console at all is a row of the policy table: whoever may read the
//!   statistics overview (`getStatsOverview`), i.e. administrators.
//!
//! Pages: `dashboard` (statistics with SVG charts, drill-down city → room), `hours` (the
//! approval queue with bulk decisions), `honours` (a programme from set-up to publication) and
//! `funds` (charity funds: donations, grants, disbursements, and each fund's public disclosure,
//! the one page open to anyone), `projects` (projects with their figures, needs and the resources
//! suggested for them);
//! `session` signs in and out. Templates are `minijinja`
//! files under `templates/`, compiled into the binary; zh-CN first, English on `?lang=en`
//! (`i18n`).

mod dashboard;
mod funds;
mod honours;
mod hours;
mod i18n;
mod people;
mod projects;
mod queues;
mod records;
mod session;
mod view;

use crate::api::bearer::{self, Principal};
use crate::api::gate::ConsoleCaller;
use crate::api::policy::{Who, rule_for};
use crate::state::AppState;
use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Body, Endpoint, EndpointExt, IntoEndpoint, IntoResponse, Request, Response, Route, get, post};
use serde_json::Value;
use std::sync::Arc;

pub use i18n::Lang;

/// The API the console calls, as one endpoint.
pub type Api = Arc<poem::endpoint::BoxEndpoint<'static, Response>>;

/// The cookie holding the access token.
const ACCESS_COOKIE: &str = "wushe_console";
/// The cookie holding the refresh token.
const REFRESH_COOKIE: &str = "wushe_console_refresh";
/// The cookie holding the chosen language.
const LANG_COOKIE: &str = "wushe_lang";

/// The operation whose policy row says who may open the console.
const CONSOLE_OPERATION: &str = "getStatsOverview";

/// The console's routes, calling `api` for everything.
pub fn routes(api: Api) -> impl Endpoint<Output = Response> {
    Route::new()
        .at("/", get(dashboard::page))
        .at("/sign-in", get(session::form).post(session::sign_in))
        .at("/sign-out", post(session::sign_out))
        .at("/stats/:file", get(dashboard::download))
        .at("/hours", get(hours::queue))
        .at("/hours/decisions", post(hours::decide))
        .at("/credentials", get(queues::credentials))
        .at("/credentials/decisions", post(queues::decide_credentials))
        .at("/claims", get(queues::claims))
        .at("/claims/decisions", post(queues::decide_claims))
        .at("/tasks", get(queues::tasks))
        .at("/tasks/:id", get(queues::signups))
        .at("/tasks/:id/decisions", post(queues::decide_signups))
        .at("/tasks/:id/roster.csv", get(queues::roster))
        .at("/people", get(people::directory))
        .at("/people/:id", get(people::profile).post(people::update))
        .at("/people/:id/reset-code", post(people::reset_code))
        .at("/audit", get(records::audit))
        .at("/dead-jobs", get(records::dead_jobs).post(records::dead_job_action))
        .at("/funds", get(funds::list).post(funds::create))
        .at("/funds/:id", get(funds::show))
        .at("/funds/:id/donations", post(funds::donate))
        .at("/funds/:id/grants", post(funds::propose))
        .at("/funds/:id/grants/:grant/decision", post(funds::decide))
        .at("/funds/:id/grants/:grant/disbursements", post(funds::disburse))
        .at("/funds/:id/disclosure", get(funds::disclosure))
        .at("/projects", get(projects::list))
        .at("/projects/:id", get(projects::show))
        .at("/needs", get(projects::needs).post(projects::record_need))
        .at("/needs/:id", get(projects::need))
        .at("/needs/:id/answer", post(projects::answer))
        .at("/honours", get(honours::list).post(honours::create))
        .at("/honours/:id", get(honours::show))
        .at("/honours/:id/advance", post(honours::advance))
        .at("/honours/:id/nominations", post(honours::nominate))
        .at("/honours/:id/panel", post(honours::panel))
        .at("/honours/:id/scores", post(honours::score))
        .at("/honours/:id/decision", post(honours::decide))
        .at("/honours/:id/objections", post(honours::resolve))
        .at("/console.css", get(poem::endpoint::make_sync(|_| asset("text/css", include_str!("assets/console.css")))))
        .at(
            "/console.js",
            get(poem::endpoint::make_sync(|_| asset("text/javascript", include_str!("assets/console.js")))),
        )
        .data(api)
        .around(secure_headers)
        .into_endpoint()
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    Response::builder()
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        .body(body)
}

/// Headers on every console answer: a strict CSP (own files only, no inline code), no caching of
/// pages that hold personal data, no framing, no sniffing.
async fn secure_headers<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let mut resp = next.call(req).await?.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(resp)
}

/// An API operation's answer: its status and JSON body (`Null` when it has none).
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    /// The problem's code, when the answer is a problem.
    pub fn code(&self) -> Option<&str> {
        (!self.status.is_success()).then(|| self.body["code"].as_str()).flatten()
    }

    /// The problem for a page: its code, detail, the form it belongs to and, when the detail
    /// names a field (``field `name` ``), that field, so the page can show it beside the input.
    pub fn problem(&self, form: &str) -> Value {
        let detail = self.body["detail"].as_str().unwrap_or_default();
        let named = detail.split_once("field `").and_then(|(_, rest)| rest.split_once('`')).map(|(f, _)| f);
        serde_json::json!({"code": self.code(), "detail": detail, "form": form, "field": named})
    }
}

/// Why a page cannot be shown to this visitor.
pub enum Refusal {
    /// No session, or it ended: sign in (again).
    SignIn,
    /// Signed in, but the console is not for them, or not this page.
    Forbidden,
    /// A stale or missing CSRF token, or a cross-site POST.
    Stale,
    /// Something broke; the log has it.
    Broken,
}

/// One visit of a console page: the visitor's language, session cookies and address, and the
/// cookies to set on the answer.
pub struct Visit {
    api: Api,
    pub lang: Lang,
    access: Option<String>,
    refresh: Option<String>,
    ip: String,
    secure: bool,
    set_cookies: Vec<String>,
    pub state: AppState,
}

impl Visit {
    /// The visit of `req`.
    pub fn of(req: &Request, api: &Api) -> Result<Visit, Refusal> {
        let state = req.data::<AppState>().ok_or(Refusal::Broken)?.clone();
        let cookies = cookies(req);
        let wanted = req
            .uri()
            .query()
            .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "lang").map(|(_, v)| v.into_owned()));
        let mut set_cookies = Vec::new();
        let lang = match wanted.as_deref().and_then(Lang::parse) {
            Some(l) => {
                set_cookies
                    .push(format!("{LANG_COOKIE}={}; Path=/console; Max-Age=31536000; SameSite=Strict", l.tag()));
                l
            }
            None => cookies
                .iter()
                .find(|(k, _)| k == LANG_COOKIE)
                .and_then(|(_, v)| Lang::parse(v))
                .or_else(|| {
                    let accept = req.headers().get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
                    accept.trim_start().to_ascii_lowercase().starts_with("en").then_some(Lang::En)
                })
                .unwrap_or(Lang::Zh),
        };
        let take =
            |name: &str| cookies.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
        let secure = req.headers().get("x-forwarded-proto").is_some_and(|v| v.as_bytes() == b"https")
            || req.uri().scheme_str() == Some("https");
        Ok(Visit {
            api: api.clone(),
            lang,
            access: take(ACCESS_COOKIE),
            refresh: take(REFRESH_COOKIE),
            ip: crate::api::gate::client_ip(req, state.config.trusted_proxy_hops),
            secure,
            set_cookies,
            state,
        })
    }

    /// The signed-in administrator, refreshing an expired access token once; refused when there
    /// is no live session or the policy table does not let their role open the console.
    pub async fn principal(&mut self) -> Result<Principal, Refusal> {
        let p = match self.access.clone() {
            Some(token) => bearer::authenticate(&self.state, &token).await.ok(),
            None => None,
        };
        let p = match p {
            Some(p) => p,
            None => {
                self.refresh_session().await?;
                let token = self.access.clone().ok_or(Refusal::SignIn)?;
                bearer::authenticate(&self.state, &token).await.map_err(|_| Refusal::SignIn)?
            }
        };
        if !may_open(&p) {
            return Err(Refusal::Forbidden);
        }
        Ok(p)
    }

    /// Trades the refresh cookie for a new pair of tokens.
    async fn refresh_session(&mut self) -> Result<(), Refusal> {
        let refresh = self.refresh.clone().ok_or(Refusal::SignIn)?;
        let a = self
            .call(Method::POST, "/api/v1/auth/refresh", Some(serde_json::json!({ "refreshToken": refresh })), None)
            .await?;
        if !a.status.is_success() {
            self.forget_session();
            return Err(Refusal::SignIn);
        }
        self.keep_session(&a.body);
        Ok(())
    }

    /// Remembers the tokens of a session opened or refreshed (`SessionTokens`).
    pub fn keep_session(&mut self, tokens: &Value) {
        let access = tokens["accessToken"].as_str().unwrap_or_default().to_string();
        let refresh = tokens["refreshToken"].as_str().unwrap_or_default().to_string();
        let secure = if self.secure { "; Secure" } else { "" };
        self.set_cookies.push(format!("{ACCESS_COOKIE}={access}; Path=/console; HttpOnly; SameSite=Strict{secure}"));
        self.set_cookies.push(format!(
            "{REFRESH_COOKIE}={refresh}; Path=/console; Max-Age={}; HttpOnly; SameSite=Strict{secure}",
            self.state.config.refresh_token_ttl.as_secs()
        ));
        self.access = Some(access);
        self.refresh = Some(refresh);
    }

    /// Clears the session cookies.
    pub fn forget_session(&mut self) {
        for name in [ACCESS_COOKIE, REFRESH_COOKIE] {
            self.set_cookies.push(format!("{name}=; Path=/console; Max-Age=0; HttpOnly; SameSite=Strict"));
        }
        self.access = None;
        self.refresh = None;
    }

    /// The refresh token of the session, if any (for signing out).
    pub fn refresh_token(&self) -> Option<&str> {
        self.refresh.as_deref()
    }

    /// Calls an API operation as the signed-in person.
    pub async fn api(&mut self, method: Method, path: &str, body: Option<Value>) -> Result<Answer, Refusal> {
        self.api_once(method, path, body, None).await
    }

    /// Calls a public API operation as nobody in particular, whoever is signed in (a page that
    /// shows what the public sees).
    pub async fn api_anonymous(&mut self, method: Method, path: &str) -> Result<Answer, Refusal> {
        self.call_with(method, path, None, None, None).await
    }

    /// The same with the form's one-time key as `Idempotency-Key`, so a form sent twice (a
    /// double click, a reload) changes things once.
    pub async fn api_once(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
        key: Option<&str>,
    ) -> Result<Answer, Refusal> {
        let token = self.access.clone();
        self.call_with(method, path, body, token.as_deref(), key).await
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> Result<Answer, Refusal> {
        self.call_with(method, path, body, token, None).await
    }

    async fn call_with(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
        key: Option<&str>,
    ) -> Result<Answer, Refusal> {
        let resp = self.send(method, path, body, token, key).await?;
        let status = resp.status();
        let bytes = resp.into_body().into_bytes().await.map_err(|_| Refusal::Broken)?;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status.is_server_error() {
            return Err(Refusal::Broken);
        }
        Ok(Answer { status, body })
    }

    /// A file an API operation makes (a CSV or XLSX export), passed on with its type and name;
    /// a refusal of the API is the console's refusal page.
    pub async fn file(&mut self, path: &str) -> Result<Response, Refusal> {
        let token = self.access.clone();
        let resp = self.send(Method::GET, path, None, token.as_deref(), None).await?;
        match resp.status() {
            s if s.is_success() => Ok(resp),
            s if s.is_server_error() => Err(Refusal::Broken),
            _ => Err(Refusal::Forbidden),
        }
    }

    /// Calls the API in-process as this visitor: their language, token and address.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
        key: Option<&str>,
    ) -> Result<Response, Refusal> {
        let mut b = Request::builder()
            .method(method)
            .uri_str(path)
            .header(header::ACCEPT_LANGUAGE, self.lang.tag())
            .header(header::ACCEPT, "application/json");
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if let Some(k) = key.filter(|k| !k.is_empty()) {
            b = b.header(crate::api::gate::IDEMPOTENCY_KEY, k);
        }
        let mut req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from_json(v).map_err(|_| Refusal::Broken)?),
            None => b.finish(),
        };
        // Rate limits count against the visitor's address, not the console's.
        req.extensions_mut().insert(ConsoleCaller { ip: self.ip.clone() });
        self.api.call(req).await.map_err(|e| {
            tracing::error!(error = %e, "a console call of the API failed");
            Refusal::Broken
        })
    }

    /// The CSRF token forms of this session carry.
    pub fn csrf(&self, p: &Principal) -> String {
        self.state.tokens.csrf_token(p.session_id)
    }

    /// Whether a POST carries this session's CSRF token and comes from this site.
    pub fn check_post(&self, req_origin_ok: bool, p: &Principal, token: Option<&str>) -> Result<(), Refusal> {
        let expected = self.csrf(p);
        match token {
            Some(t) if req_origin_ok && same_bytes(t.as_bytes(), expected.as_bytes()) => Ok(()),
            _ => Err(Refusal::Stale),
        }
    }

    /// Sets the cookies gathered on `resp`.
    pub fn finish(&self, mut resp: Response) -> Response {
        for c in &self.set_cookies {
            if let Ok(v) = HeaderValue::from_str(c) {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
        }
        resp
    }
}

/// The visit of a signed-in administrator, or the page that refuses it.
pub async fn admin(req: &Request, api: &Api) -> Result<(Visit, Principal), Response> {
    let mut visit = Visit::of(req, api).map_err(|_| view::broken())?;
    match visit.principal().await {
        Ok(p) => Ok((visit, p)),
        Err(r) => Err(view::refused(&mut visit, r)),
    }
}

/// The same for a form sent: it must come from this site with the session's CSRF token.
pub async fn admin_post(req: &Request, api: &Api, fields: &[(String, String)]) -> Result<(Visit, Principal), Response> {
    let (mut visit, p) = admin(req, api).await?;
    match visit.check_post(same_origin(req), &p, field(fields, "csrf")) {
        Ok(()) => Ok((visit, p)),
        Err(r) => Err(view::refused(&mut visit, r)),
    }
}

/// Whether the policy table lets this person's role read the statistics overview, the row that
/// stands for the console.
fn may_open(p: &Principal) -> bool {
    rule_for(CONSOLE_OPERATION).is_some_and(|r| !r.allowed(Who::of_role(p.user.role)).is_empty())
}

/// The fields sent, first value of each, so a form shown again keeps what was typed.
pub fn echo(fields: &[(String, String)]) -> Value {
    let mut out = serde_json::Map::new();
    for (k, v) in fields {
        if k != "csrf" && !out.contains_key(k) {
            out.insert(k.clone(), Value::from(v.as_str()));
        }
    }
    Value::Object(out)
}

/// Whether a POST's `Origin` (when the browser sent one) is this site.
pub fn same_origin(req: &Request) -> bool {
    let Some(origin) = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    origin.split_once("://").is_some_and(|(_, rest)| rest == host)
}

fn cookies(req: &Request) -> Vec<(String, String)> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect()
}

/// A form's fields, repeated names kept (bulk actions send one `id` per ticked row).
pub async fn form_fields(body: Body) -> Vec<(String, String)> {
    let bytes = body.into_bytes_limit(64 * 1024).await.unwrap_or_default();
    form_urlencoded::parse(&bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// The first value of a field.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A query string's parameters.
pub fn query(req: &Request) -> Vec<(String, String)> {
    req.uri()
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
        .unwrap_or_default()
}

/// A query parameter's value, trimmed, when it is not empty.
pub fn param(q: &[(String, String)], name: &str) -> Option<String> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// Pairs as a query string, each value encoded.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs.iter().map(|(k, v)| (*k, v))).finish()
}

/// Compares without stopping at the first difference (a CSRF token must not leak by timing).
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
