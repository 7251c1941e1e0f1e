//! The charity-fund pages over HTTP: a donation typed in yuan reaches the ledger in fen, a grant
//! proposed on the page waits for someone else, whose approval moves the totals, a refusal shows
//! the API's own code and changes nothing, and the public disclosure opens without signing in and
//! names only the donor who agreed.

use super::pages::{Visitor, sign_in};
use crate::helpers::{Session, TestApp, spawn_app};
use entity::charity_fund;
use entity::fund_grant::{self, GrantStatus};
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use sea_orm::{EntityTrait, PaginatorTrait};

async fn visitor(app: &TestApp, who: &Session) -> Visitor {
    let (r, v) = sign_in(app, &who.phone).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed in");
    v
}

fn code_on(html: &str) -> String {
    let at = html.find("data-code=\"").unwrap_or_else(|| panic!("a problem on the page: {html}")) + 11;
    html[at..].split('"').next().unwrap().to_string()
}

async fn totals(app: &TestApp) -> (i64, i64, i64) {
    let f = charity_fund::Entity::find().one(app.db()).await.unwrap().unwrap();
    (f.donated_fen, f.granted_fen, f.disbursed_fen)
}

#[tokio::test]
async fn a_fund_is_run_from_its_page_and_disclosed_to_anyone() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let east = &f.stations[0];
    let station = visitor(&app, &east.admin).await;
    let csrf = station.csrf(&app).await;

    let r = station
        .post(&app, "/console/funds", &[("csrf", &csrf), ("key", "k1"), ("name", "东站慈善基金"), ("unit", &east.id)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()[LOCATION].to_str().unwrap().to_string();
    let fund = to.trim_start_matches("/console/funds/").split('?').next().unwrap().to_string();
    let (status, html) = station.get(&app, &to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("东站慈善基金") && html.contains("id=\"done\""));

    let donate = format!("/console/funds/{fund}/donations");
    let form = |key: &'static str, amount: &'static str, donor: &'static str, disclose: bool| {
        let mut v = vec![
            ("key", key),
            ("amount", amount),
            ("donor", donor),
            ("channel", "wechat"),
            ("received_on", "2026-11-01"),
        ];
        if disclose {
            v.push(("disclose", "on"));
        }
        v
    };
    for (key, amount, donor, disclose) in [("d1", "1200.50", "张先生", true), ("d2", "300", "李女士", false)] {
        let mut fields = form(key, amount, donor, disclose);
        fields.push(("csrf", &csrf));
        let r = station.post(&app, &donate, &fields).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{amount}");
    }
    assert_eq!(totals(&app).await, (150_050, 0, 0), "1200.50 + 300 yuan, in fen");

    // A bad amount is refused as the API refuses it, and nothing is recorded.
    let mut bad = form("d3", "-5", "王先生", false);
    bad.push(("csrf", &csrf));
    let r = station.post(&app, &donate, &bad).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(code_on(&r.text().await.unwrap()), "validation_failed");
    assert_eq!(totals(&app).await, (150_050, 0, 0));

    // Proposed on the page by the station; deciding one's own proposal is refused.
    let grants = format!("/console/funds/{fund}/grants");
    let r = station
        .post(&app, &grants, &[("csrf", &csrf), ("key", "g1"), ("amount", "1000"), ("purpose", "助老餐补贴")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let grant = fund_grant::Entity::find().one(app.db()).await.unwrap().unwrap();
    let decision = format!("/console/funds/{fund}/grants/{}/decision", grant.id);
    let r =
        station.post(&app, &decision, &[("csrf", &csrf), ("key", "x1"), ("approve", "yes"), ("reason", "同意")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(code_on(&r.text().await.unwrap()), "separation_of_duties");
    let city = visitor(&app, &f.city_admin).await;
    let city_csrf = city.csrf(&app).await;
    let r = city
        .post(&app, &decision, &[("csrf", &city_csrf), ("key", "x2"), ("approve", "yes"), ("reason", "委员会同意")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        fund_grant::Entity::find_by_id(grant.id).one(app.db()).await.unwrap().unwrap().status,
        GrantStatus::Approved
    );
    let pay = format!("/console/funds/{fund}/grants/{}/disbursements", grant.id);
    let r =
        station.post(&app, &pay, &[("csrf", &csrf), ("key", "p1"), ("amount", "400"), ("paid_on", "2026-11-20")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(totals(&app).await, (150_050, 100_000, 40_000));
    let (_, html) = station.get(&app, &format!("/console/funds/{fund}")).await;
    assert!(html.contains("id=\"available\">500.5<") && html.contains("data-kind=\"disbursement\""), "{html}");

    // Another station's administrator cannot open it; nobody needs to sign in for the disclosure.
    let west = visitor(&app, &f.stations[1].admin).await;
    let (status, _) = west.get(&app, &format!("/console/funds/{fund}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let public = app.client.get(format!("{}/console/funds/{fund}/disclosure", app.base)).send().await.unwrap();
    assert_eq!(public.status(), StatusCode::OK);
    let html = public.text().await.unwrap();
    assert!(html.contains("张先生"), "the donor who agreed is named");
    assert!(!html.contains("李女士"), "the donor who did not agree is not");
    assert!(html.contains("助老餐补贴") && html.contains("1000"), "the approved grant");
    let r = app.client.get(format!("{}/console/funds/not-a-fund/disclosure", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(fund_grant::Entity::find().count(app.db()).await.unwrap(), 1);
}
