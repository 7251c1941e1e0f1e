//! `/api/v1/charity-funds`: donations, grants proposed by one administrator and decided by
//! another, disbursements within a grant, an append-only ledger the database itself guards, a
//! public disclosure naming only donors who agreed, refusals that change nothing, and 50
//! concurrent approvals that never commit more than was donated.

use crate::helpers::{Resp, Session, TestApp, TwoStations, credit_code, spawn_app};
use entity::{charity_fund, fund_entry};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

const FUNDS: &str = "/api/v1/charity-funds";

async fn new_fund(app: &TestApp, admin: &Session, unit: &str) -> String {
    app.post(FUNDS, Some(&admin.access), json!({"orgUnitId": unit, "name": "双塔街道社区慈善基金"}))
        .await
        .expect(201)
        .str("id")
}

async fn donate(app: &TestApp, admin: &Session, fund: &str, body: Value) -> Resp {
    app.post(format!("{FUNDS}/{fund}/donations"), Some(&admin.access), body).await
}

async fn propose(app: &TestApp, who: &Session, fund: &str, fen: i64, recipient: Option<&str>) -> Resp {
    let body = json!({"amountFen": fen, "purpose": "困境老人助餐", "recipientOrganisationId": recipient});
    app.post(format!("{FUNDS}/{fund}/grants"), Some(&who.access), body).await
}

async fn decide(app: &TestApp, who: &Session, fund: &str, grant: &str, approve: bool) -> Resp {
    let body = json!({"approve": approve, "reason": "基金管理委员会审议"});
    app.post(format!("{FUNDS}/{fund}/grants/{grant}/decision"), Some(&who.access), body).await
}

async fn disburse(app: &TestApp, who: &Session, fund: &str, grant: &str, fen: i64) -> Resp {
    let body = json!({"amountFen": fen, "paidOn": "2026-11-20", "reference": "BANK-001"});
    app.post(format!("{FUNDS}/{fund}/grants/{grant}/disbursements"), Some(&who.access), body).await
}

async fn totals(app: &TestApp, fund: &str) -> (i64, i64, i64) {
    let f =
        charity_fund::Entity::find_by_id(uuid::Uuid::parse_str(fund).unwrap()).one(app.db()).await.unwrap().unwrap();
    (f.donated_fen, f.granted_fen, f.disbursed_fen)
}

async fn entries(app: &TestApp) -> u64 {
    fund_entry::Entity::find().count(app.db()).await.unwrap()
}

#[tokio::test]
async fn a_fund_takes_donations_grants_and_disbursements_into_its_ledger_and_discloses_them() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let east = &f.stations[0];
    let org = app
        .post(
            "/api/v1/social-organisations",
            Some(&east.admin.access),
            json!({"creditCode": credit_code(), "name": "阳光助老服务社", "kind": "social_service",
                   "registrationAuthority": "姑苏区民政局", "serviceUnitId": east.room}),
        )
        .await
        .expect(201)
        .str("id");
    let fund = new_fund(&app, &east.admin, &east.room).await;

    let named = json!({"amountFen": 10_000, "donorName": "张先生", "discloseDonor": true, "channel": "bank_transfer",
                       "reference": "R-1", "receivedOn": "2026-11-01"});
    let d = donate(&app, &east.admin, &fund, named).await.expect(201);
    assert_eq!((d.body["kind"].as_str(), d.body["donatedAfter"].as_i64()), (Some("donation"), Some(10_000)));
    let anonymous = json!({"amountFen": 5_000, "donorName": "李女士", "anonymous": true, "discloseDonor": true,
                           "channel": "wechat", "receivedOn": "2026-11-02"});
    let d = donate(&app, &east.admin, &fund, anonymous).await.expect(201);
    assert_eq!(d.body["donorName"], Value::Null, "an anonymous gift keeps no name");
    assert_eq!(d.body["discloseDonor"], false);
    let private = json!({"amountFen": 2_000, "donorName": "王先生", "channel": "cash", "receivedOn": "2026-11-03"});
    donate(&app, &east.admin, &fund, private).await.expect(201);
    assert_eq!(totals(&app, &fund).await, (17_000, 0, 0));

    // Proposed by the station, decided by the city: separation of duties.
    let grant = propose(&app, &east.admin, &fund, 12_000, Some(&org)).await.expect(201);
    assert_eq!(grant.body["status"], "proposed");
    let grant = grant.str("id");
    assert_eq!(totals(&app, &fund).await, (17_000, 0, 0), "a proposal commits nothing");
    decide(&app, &east.admin, &fund, &grant, true).await.expect_problem(409, "separation_of_duties");
    let decided = decide(&app, &f.city_admin, &fund, &grant, true).await.expect(200);
    assert_eq!(decided.body["status"], "approved");
    assert_eq!(decided.body["decidedBy"], f.city_admin.user_id.as_str());
    decide(&app, &f.city_admin, &fund, &grant, false).await.expect_problem(409, "grant_decided");
    assert_eq!(totals(&app, &fund).await, (17_000, 12_000, 0));
    // 5,000 left to grant: 6,000 is refused at once.
    propose(&app, &east.admin, &fund, 6_000, None).await.expect_problem(409, "insufficient_fund_balance");
    let rejected = propose(&app, &east.admin, &fund, 5_000, None).await.expect(201).str("id");
    decide(&app, &f.city_admin, &fund, &rejected, false).await.expect(200);
    disburse(&app, &east.admin, &fund, &rejected, 1).await.expect_problem(409, "grant_not_approved");

    disburse(&app, &east.admin, &fund, &grant, 7_000).await.expect(201);
    let last = disburse(&app, &east.admin, &fund, &grant, 5_000).await.expect(201);
    assert_eq!(last.body["disbursedAfter"], 12_000);
    disburse(&app, &east.admin, &fund, &grant, 1).await.expect_problem(409, "disbursement_exceeds_grant");
    assert_eq!(totals(&app, &fund).await, (17_000, 12_000, 12_000));

    // The ledger, newest first, each entry with the totals after it.
    let ledger = app.get(format!("{FUNDS}/{fund}/ledger"), Some(&east.admin.access)).await.expect(200);
    let rows: Vec<(String, i64, i64, i64, i64)> = ledger.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let n = |k: &str| e[k].as_i64().unwrap();
            (
                e["kind"].as_str().unwrap().to_string(),
                n("amountFen"),
                n("donatedAfter"),
                n("grantedAfter"),
                n("disbursedAfter"),
            )
        })
        .collect();
    let expected = [
        ("disbursement", 5_000, 17_000, 12_000, 12_000),
        ("disbursement", 7_000, 17_000, 12_000, 7_000),
        ("grant", 12_000, 17_000, 12_000, 0),
        ("donation", 2_000, 17_000, 0, 0),
        ("donation", 5_000, 15_000, 0, 0),
        ("donation", 10_000, 10_000, 0, 0),
    ];
    let expected: Vec<(String, i64, i64, i64, i64)> =
        expected.iter().map(|(k, a, b, c, d)| (k.to_string(), *a, *b, *c, *d)).collect();
    assert_eq!(rows, expected);

    // The disclosure, for anyone: only the donor who agreed is named.
    let public = app.get(format!("{FUNDS}/{fund}/disclosure"), None).await.expect(200);
    assert_eq!(public.body["fund"]["availableFen"], 5_000);
    let donors: Vec<&Value> = public.body["donations"].as_array().unwrap().iter().map(|d| &d["donor"]).collect();
    assert_eq!(donors, [&Value::Null, &Value::Null, &json!("张先生")]);
    let grants = public.body["grants"].as_array().unwrap();
    assert_eq!(grants.len(), 1, "the rejected grant is not disclosed: {grants:?}");
    assert_eq!(grants[0]["recipient"], "阳光助老服务社");
    assert_eq!(grants[0]["disbursedFen"], 12_000);
    let listed = app.get(FUNDS, Some(&east.volunteer.access)).await.expect(200);
    assert_eq!(listed.body["items"][0]["grantedFen"], 12_000);

    // The ledger cannot be rewritten, even straight in the database.
    for sql in ["UPDATE fund_entries SET amount_fen = 1", "DELETE FROM fund_entries"] {
        let refused = app.db().execute_unprepared(sql).await;
        assert!(refused.is_err(), "{sql} was allowed");
    }
    assert_eq!(entries(&app).await, 6);
}

#[tokio::test]
async fn bad_amounts_dates_and_callers_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let f: TwoStations = app.two_stations().await;
    let [east, west] = &f.stations;
    let fund = new_fund(&app, &east.admin, &east.room).await;
    let ok = json!({"amountFen": 1_000, "donorName": "赵女士", "channel": "alipay", "receivedOn": "2026-11-01"});
    donate(&app, &east.admin, &fund, ok.clone()).await.expect(201);
    let (before, before_entries) = (totals(&app, &fund).await, entries(&app).await);

    for amount in [json!(0), json!(-5), json!(1.5), json!("100"), json!(10_000_000_001_i64)] {
        let mut b = ok.clone();
        b["amountFen"] = amount;
        donate(&app, &east.admin, &fund, b).await.expect_problem(400, "validation_failed");
    }
    let mut future = ok.clone();
    future["receivedOn"] = json!("2099-01-01");
    donate(&app, &east.admin, &fund, future).await.expect_problem(400, "invalid_dates");
    let mut nameless = ok.clone();
    nameless["donorName"] = Value::Null;
    donate(&app, &east.admin, &fund, nameless).await.expect_problem(400, "validation_failed");
    donate(&app, &east.volunteer, &fund, ok.clone()).await.expect_problem(403, "forbidden");
    donate(&app, &west.admin, &fund, ok.clone()).await.expect_problem(404, "not_found");
    propose(&app, &east.admin, &fund, 1_001, None).await.expect_problem(409, "insufficient_fund_balance");
    let nowhere = uuid::Uuid::now_v7().to_string();
    propose(&app, &east.admin, &fund, 100, Some(&nowhere)).await.expect_problem(400, "recipient_not_found");
    propose(&app, &west.admin, &fund, 100, None).await.expect_problem(404, "not_found");
    let grant = propose(&app, &east.admin, &fund, 100, None).await.expect(201).str("id");
    disburse(&app, &f.city_admin, &fund, &grant, 100).await.expect_problem(409, "grant_not_approved");
    decide(&app, &west.admin, &fund, &grant, true).await.expect_problem(404, "not_found");
    let elsewhere = new_fund(&app, &f.city_admin, &west.room).await;
    decide(&app, &f.city_admin, &elsewhere, &grant, true).await.expect_problem(404, "not_found");
    assert_eq!(totals(&app, &fund).await, before);
    assert_eq!(entries(&app).await, before_entries);

    app.post(FUNDS, Some(&f.city_admin.access), json!({"orgUnitId": east.room, "name": "又一个"}))
        .await
        .expect_problem(409, "fund_exists");
    app.post(FUNDS, Some(&east.admin.access), json!({"orgUnitId": nowhere, "name": "无"}))
        .await
        .expect_problem(400, "org_unit_not_found");
    app.post(FUNDS, Some(&east.admin.access), json!({"orgUnitId": west.id, "name": "越界"}))
        .await
        .expect_problem(403, "forbidden");
    assert_eq!(charity_fund::Entity::find().count(app.db()).await.unwrap(), 2);
}

#[tokio::test]
async fn fifty_concurrent_approvals_never_commit_more_than_was_donated() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let east = &f.stations[0];
    let fund = new_fund(&app, &east.admin, &east.room).await;
    let gift = json!({"amountFen": 10_000, "anonymous": true, "channel": "bank_transfer", "receivedOn": "2026-11-01"});
    donate(&app, &east.admin, &fund, gift).await.expect(201);
    let mut grants = Vec::new();
    for _ in 0..50 {
        grants.push(propose(&app, &f.city_admin, &fund, 300, None).await.expect(201).str("id"));
    }
    let answers = futures::future::join_all(grants.iter().map(|g| decide(&app, &east.admin, &fund, g, true))).await;
    let approved = answers.iter().filter(|r| r.status == 200).count();
    // 33 × 300 = 9,900 fits in 10,000; a 34th would not.
    assert_eq!(approved, 33, "{:?}", answers.iter().map(|r| r.status).collect::<Vec<_>>());
    for r in answers.into_iter().filter(|r| r.status != 200) {
        r.expect_problem(409, "insufficient_fund_balance");
    }
    assert_eq!(totals(&app, &fund).await, (10_000, 9_900, 0));
    let ledger = app.get(format!("{FUNDS}/{fund}/ledger?limit=100"), Some(&east.admin.access)).await.expect(200);
    let granted: Vec<i64> = ledger.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "grant")
        .map(|e| e["grantedAfter"].as_i64().unwrap())
        .collect();
    let mut steps = granted.clone();
    steps.sort_unstable();
    assert_eq!(steps, (1..=33).map(|i| i * 300).collect::<Vec<i64>>(), "each approval saw the one before it");
    let still_proposed = app.get(format!("{FUNDS}/{fund}/grants"), Some(&east.admin.access)).await.expect(200);
    let proposed = still_proposed.body.as_array().unwrap().iter().filter(|g| g["status"] == "proposed").count();
    assert_eq!(proposed, 17, "a refused approval leaves its grant proposed");
}

#[tokio::test]
async fn once_a_fund_has_a_committee_only_its_members_decide() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let [east, west] = &f.stations;
    let fund = new_fund(&app, &east.admin, &east.id).await;
    let gift = json!({"amountFen": 10_000, "anonymous": true, "channel": "cash", "receivedOn": "2026-11-01"});
    donate(&app, &east.admin, &fund, gift).await.expect(201);
    let path = format!("{FUNDS}/{fund}/committee");
    let admin = Some(east.admin.access.as_str());

    for outsider in [&west.admin.user_id, &east.volunteer.user_id, &east.social_worker.user_id] {
        app.put(&path, admin, json!({"memberIds": [outsider]})).await.expect_problem(400, "invalid_committee_member");
    }
    let set =
        app.put(&path, admin, json!({"memberIds": [f.city_admin.user_id, f.city_admin.user_id]})).await.expect(200);
    assert_eq!(set.body.as_array().unwrap().len(), 1, "named twice, seated once");
    assert_eq!(set.body[0]["id"], f.city_admin.user_id.as_str());
    app.get(&path, Some(&east.volunteer.access)).await.expect_problem(403, "forbidden");
    app.get(&path, Some(&west.admin.access)).await.expect_problem(404, "not_found");

    let first = propose(&app, &east.admin, &fund, 1_000, None).await.expect(201).str("id");
    decide(&app, &f.district_admin, &fund, &first, true).await.expect_problem(409, "not_on_committee");
    assert_eq!(totals(&app, &fund).await, (10_000, 0, 0));
    decide(&app, &f.city_admin, &fund, &first, true).await.expect(200);

    // Without a committee, any other administrator over the fund decides again.
    app.put(&path, admin, json!({"memberIds": []})).await.expect(200);
    let second = propose(&app, &east.admin, &fund, 1_000, None).await.expect(201).str("id");
    decide(&app, &f.district_admin, &fund, &second, true).await.expect(200);
    assert_eq!(totals(&app, &fund).await, (10_000, 2_000, 0));
}
