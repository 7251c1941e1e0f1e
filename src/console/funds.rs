//! Community charity funds in the console: the funds with their totals (`listCharityFunds`),
//! setting one up (`createCharityFund`), a fund's page (its public totals, grants and ledger:
//! `getFundDisclosure`, `listFundGrants`, `listFundLedger`) with forms for a donation, a grant
//! proposal, a decision and a disbursement, and the fund's public disclosure page, which anyone
//! may open without signing in. Amounts are typed in yuan and sent in fen.

use super::view::{page, refused, see_other};
use super::{Api, Visit, admin, admin_post, echo, field, form_fields, query};
use crate::api::bearer::Principal;
use poem::http::{Method, StatusCode};
use poem::web::{Data, Path};
use poem::{Body, Request, Response, handler};
use serde_json::{Value, json};

/// An amount typed in yuan (`1200`, `1200.5`, `1200.50`) in fen; anything else is sent as typed,
/// for the API to refuse with its own problem.
fn fen(yuan: &str) -> Value {
    let s = yuan.trim();
    let (whole, cents) = s.split_once('.').unwrap_or((s, "0"));
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !(digits(whole) && cents.len() <= 2 && digits(cents)) {
        return Value::from(s);
    }
    let cents = if s.contains('.') { format!("{cents:0<2}") } else { "00".to_string() };
    match (whole.parse::<i64>(), cents.parse::<i64>()) {
        (Ok(w), Ok(c)) => w.checked_mul(100).and_then(|w| w.checked_add(c)).map(Value::from).unwrap_or(Value::from(s)),
        _ => Value::from(s),
    }
}

/// Text or nothing.
fn opt(s: &str) -> Value {
    let s = s.trim();
    if s.is_empty() { Value::Null } else { Value::from(s) }
}

#[handler]
pub async fn list(req: &Request, Data(api): Data<&Api>) -> Response {
    let (mut visit, p) = match admin(req, api).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let done = query(req).into_iter().find(|(k, _)| k == "done").map(|(_, v)| v);
    list_page(&mut visit, &p, StatusCode::OK, json!({ "done": done })).await
}

async fn list_page(visit: &mut Visit, p: &Principal, status: StatusCode, mut ctx: Value) -> Response {
    let a = match visit.api(Method::GET, "/api/v1/charity-funds?limit=100", None).await {
        Ok(a) => a,
        Err(r) => return refused(visit, r),
    };
    ctx["funds"] = if a.status.is_success() { a.body["items"].clone() } else { json!([]) };
    ctx["key"] = json!(uuid::Uuid::now_v7().to_string());
    page(visit, Some(p), status, "funds.html", ctx)
}

#[handler]
pub async fn create(req: &Request, body: Body, Data(api): Data<&Api>) -> Response {
    let fields = form_fields(body).await;
    let (mut visit, p) = match admin_post(req, api, &fields).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let f = |name: &str| field(&fields, name).map(str::trim).unwrap_or_default();
    let body = json!({"orgUnitId": f("unit"), "name": f("name")});
    let a = match visit.api_once(Method::POST, "/api/v1/charity-funds", Some(body), field(&fields, "key")).await {
        Ok(a) => a,
        Err(r) => return refused(&mut visit, r),
    };
    match a.body["id"].as_str() {
        Some(id) if a.status.is_success() => see_other(&visit, &format!("/console/funds/{id}?done=set_up")),
        _ => {
            let ctx = json!({"problem": a.problem("create"), "form": echo(&fields)});
            list_page(&mut visit, &p, a.status, ctx).await
        }
    }
}

#[handler]
pub async fn show(req: &Request, Path(id): Path<String>, Data(api): Data<&Api>) -> Response {
    let (mut visit, p) = match admin(req, api).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let done = query(req).into_iter().find(|(k, _)| k == "done").map(|(_, v)| v);
    fund_page(&mut visit, &p, &id, StatusCode::OK, json!({ "done": done })).await
}

async fn fund_page(visit: &mut Visit, p: &Principal, id: &str, status: StatusCode, mut ctx: Value) -> Response {
    let fid = match uuid::Uuid::parse_str(id) {
        Ok(u) => u,
        Err(_) => return refused(visit, super::Refusal::Forbidden),
    };
    let mut got = Vec::new();
    for path in [
        format!("/api/v1/charity-funds/{fid}/disclosure"),
        format!("/api/v1/charity-funds/{fid}/grants"),
        format!("/api/v1/charity-funds/{fid}/ledger?limit=100"),
    ] {
        match visit.api(Method::GET, &path, None).await {
            Ok(a) if a.status.is_success() => got.push(a.body),
            Ok(a) => {
                let ctx = json!({"title": "refused_title", "body": "refused_body", "problem": a.problem("page")});
                return page(visit, Some(p), a.status, "message.html", ctx);
            }
            Err(r) => return refused(visit, r),
        }
    }
    let [public, grants, ledger] = <[Value; 3]>::try_from(got).unwrap_or_default();
    ctx["fund"] = public["fund"].clone();
    ctx["unit_name"] = public["unitName"].clone();
    ctx["grants"] = grants;
    ctx["entries"] = ledger["items"].clone();
    ctx["key"] = json!(uuid::Uuid::now_v7().to_string());
    page(visit, Some(p), status, "fund.html", ctx)
}

/// A form of a fund's page sent to `api_path`; back to the page with `done`, or the page again
/// with the problem next to the form.
async fn fund_form(
    req: &Request,
    body: Body,
    api: &Api,
    id: &str,
    form: &str,
    api_path: String,
    make: impl FnOnce(&dyn Fn(&str) -> String) -> Value,
) -> Response {
    let fields = form_fields(body).await;
    let (mut visit, p) = match admin_post(req, api, &fields).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let f = |name: &str| field(&fields, name).map(str::trim).unwrap_or_default().to_string();
    let body = make(&f);
    let a = match visit.api_once(Method::POST, &api_path, Some(body), field(&fields, "key")).await {
        Ok(a) => a,
        Err(r) => return refused(&mut visit, r),
    };
    if a.status.is_success() {
        return see_other(&visit, &format!("/console/funds/{id}?done={form}"));
    }
    let ctx = json!({"problem": a.problem(form), "form": echo(&fields)});
    fund_page(&mut visit, &p, id, a.status, ctx).await
}

#[handler]
pub async fn donate(req: &Request, body: Body, Path(id): Path<String>, Data(api): Data<&Api>) -> Response {
    let path = format!("/api/v1/charity-funds/{id}/donations");
    fund_form(req, body, api, &id, "donation", path, |f| {
        let anonymous = f("anonymous") == "on";
        json!({
            "amountFen": fen(&f("amount")),
            "donorName": opt(&f("donor")),
            "anonymous": anonymous,
            "discloseDonor": f("disclose") == "on",
            "channel": f("channel"),
            "reference": opt(&f("reference")),
            "receivedOn": f("received_on"),
        })
    })
    .await
}

#[handler]
pub async fn propose(req: &Request, body: Body, Path(id): Path<String>, Data(api): Data<&Api>) -> Response {
    let path = format!("/api/v1/charity-funds/{id}/grants");
    fund_form(req, body, api, &id, "grant", path, |f| {
        json!({"amountFen": fen(&f("amount")), "purpose": f("purpose"), "recipientOrganisationId": opt(&f("recipient"))})
    })
    .await
}

#[handler]
pub async fn decide(
    req: &Request,
    body: Body,
    Path((id, grant)): Path<(String, String)>,
    Data(api): Data<&Api>,
) -> Response {
    let path = format!("/api/v1/charity-funds/{id}/grants/{grant}/decision");
    fund_form(
        req,
        body,
        api,
        &id,
        "decision",
        path,
        |f| json!({"approve": f("approve") == "yes", "reason": f("reason")}),
    )
    .await
}

#[handler]
pub async fn disburse(
    req: &Request,
    body: Body,
    Path((id, grant)): Path<(String, String)>,
    Data(api): Data<&Api>,
) -> Response {
    let path = format!("/api/v1/charity-funds/{id}/grants/{grant}/disbursements");
    fund_form(
        req,
        body,
        api,
        &id,
        "disbursement",
        path,
        |f| json!({"amountFen": fen(&f("amount")), "paidOn": f("paid_on"), "reference": opt(&f("reference"))}),
    )
    .await
}

/// The public disclosure (信息公开): anyone, signed in or not.
#[handler]
pub async fn disclosure(req: &Request, Path(id): Path<String>, Data(api): Data<&Api>) -> Response {
    let mut visit = match Visit::of(req, api) {
        Ok(v) => v,
        Err(_) => return super::view::broken(),
    };
    let Ok(fid) = uuid::Uuid::parse_str(&id) else {
        let ctx = json!({"title": "not_found_title", "body": "not_found_body"});
        return page(&visit, None, StatusCode::NOT_FOUND, "message.html", ctx);
    };
    // Anonymously, whoever is signed in: the page shows what the public sees.
    let a = match visit.api_anonymous(Method::GET, &format!("/api/v1/charity-funds/{fid}/disclosure")).await {
        Ok(a) => a,
        Err(r) => return refused(&mut visit, r),
    };
    if !a.status.is_success() {
        let ctx = json!({"title": "not_found_title", "body": "not_found_body"});
        return page(&visit, None, a.status, "message.html", ctx);
    }
    page(&visit, None, StatusCode::OK, "disclosure.html", a.body)
}

#[cfg(test)]
mod tests {
    use super::fen;
    use serde_json::json;

    #[test]
    fn yuan_become_fen_and_anything_else_is_sent_as_typed() {
        assert_eq!(fen("1200"), json!(120_000));
        assert_eq!(fen(" 1200.5 "), json!(120_050));
        assert_eq!(fen("0.07"), json!(7));
        for bad in ["", "-5", "1.234", "1,000", "abc", "1.", ".5", "99999999999999999999"] {
            assert_eq!(fen(bad), json!(bad.trim()), "{bad}");
        }
    }
}
