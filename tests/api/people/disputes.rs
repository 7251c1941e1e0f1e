//! An identity number claimed by a second account: reviewed, not refused; both people told; a
//! city administrator decides; the claim is kept sealed and forgotten once decided.

use crate::helpers::{eventually, id_number, spawn_app};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

fn identity(number: &str, name: &str) -> Value {
    json!({"idNumber": number, "realName": name, "consentVersion": "v1"})
}

#[tokio::test]
async fn a_second_claim_is_reviewed_both_are_told_and_a_city_administrator_decides() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let (holder, claimant) = (&f.stations[0].volunteer, &f.stations[1].volunteer);
    let number = id_number();
    app.put("/api/v1/me/identity", Some(&holder.access), identity(&number, "张真")).await.expect(200);
    let r = app.put("/api/v1/me/identity", Some(&claimant.access), identity(&number, "李冒")).await.expect(202);
    let dispute = r.str("disputeId");
    assert!(!r.body.to_string().contains(&number) && !r.body.to_string().contains("张"), "no trace of the holder");
    // Asking again refreshes the same dispute.
    app.put("/api/v1/me/identity", Some(&claimant.access), identity(&number, "李冒")).await.expect(202);
    assert_eq!(app.count("identity_disputes").await, 1);
    assert!(!String::from_utf8_lossy(&app.raw_dump()).contains(&number), "the claim is sealed");

    app.start_workers();
    for who in [holder, claimant] {
        let access = who.access.clone();
        eventually(20, "told of the review", || async {
            let inbox = app.get("/api/v1/me/notifications", Some(&access)).await.expect(200);
            inbox.body["items"].as_array().unwrap().iter().any(|n| n["title"] == "实名信息待核实")
        })
        .await;
    }

    // Only a city administrator sees and decides disputes.
    app.get("/api/v1/identity-disputes", Some(&f.stations[0].admin.access)).await.expect_problem(403, "forbidden");
    let open = app.get("/api/v1/identity-disputes", Some(&f.city_admin.access)).await.expect(200);
    assert_eq!(open.body[0]["id"], dispute.as_str());
    assert_eq!(open.body[0]["claimant"]["id"], claimant.user_id.as_str());
    assert_eq!(open.body[0]["holder"]["id"], holder.user_id.as_str());
    let path = format!("/api/v1/identity-disputes/{dispute}/decision");
    app.post(&path, Some(&f.city_admin.access), json!({"award": "claimant"}))
        .await
        .expect_problem(400, "validation_failed");
    let d = app
        .post(&path, Some(&f.city_admin.access), json!({"award": "claimant", "reason": "户籍证明核实"}))
        .await
        .expect(200);
    assert_eq!(d.body["status"], "awarded_to_claimant");
    app.post(&path, Some(&f.city_admin.access), json!({"award": "holder", "reason": "again"}))
        .await
        .expect_problem(409, "dispute_closed");
    let mine = app.get("/api/v1/me/sensitive", Some(&claimant.access)).await.expect(200);
    assert_eq!(mine.body["realName"], "李*");
    assert_eq!(app.get("/api/v1/me/sensitive", Some(&holder.access)).await.expect(200).body["idNumber"], Value::Null);
    assert!(app.get("/api/v1/identity-disputes", Some(&f.city_admin.access)).await.expect(200).body[0].is_null());
    for who in [holder, claimant] {
        let access = who.access.clone();
        eventually(20, "told of the decision", || async {
            let inbox = app.get("/api/v1/me/notifications", Some(&access)).await.expect(200);
            inbox.body["items"].as_array().unwrap().iter().any(|n| n["title"] == "实名核实已完成")
        })
        .await;
    }
    let export = app.get("/api/v1/me/export", Some(&claimant.access)).await.expect(200);
    let theirs = &export.body["sections"]["sensitive"]["identityDisputes"][0];
    assert_eq!((theirs["side"].as_str(), theirs["status"].as_str()), (Some("claimant"), Some("awarded_to_claimant")));
    // The claim's sealed copy is gone once decided.
    let row = entity::identity_dispute::Entity::find().one(app.db()).await.unwrap().unwrap();
    assert!(row.claim_sealed.is_none());
}

#[tokio::test]
async fn withdrawing_the_identity_consent_drops_ones_open_claims() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let (holder, claimant) = (&f.stations[0].volunteer, &f.stations[1].volunteer);
    let number = id_number();
    app.put("/api/v1/me/identity", Some(&holder.access), identity(&number, "张真")).await.expect(200);
    app.put("/api/v1/me/identity", Some(&claimant.access), identity(&number, "李冒")).await.expect(202);
    let consents = app.get("/api/v1/me/consents", Some(&claimant.access)).await.expect(200);
    let mine = consents.body.as_array().unwrap().iter().find(|c| c["purpose"] == "identity").cloned();
    // The consent of a claim under review is recorded when it is decided, not before.
    assert!(mine.is_none());
    let c = app
        .post("/api/v1/me/consents", Some(&claimant.access), json!({"purpose": "identity", "version": "v1"}))
        .await
        .expect(201);
    app.post(&format!("/api/v1/me/consents/{}/withdraw", c.str("id")), Some(&claimant.access), json!(null))
        .await
        .expect(200);
    assert_eq!(app.count("identity_disputes").await, 0);
}
