//! People under 14: the birth date given at registration holds them until a guardian confirms
//! with a code sent to the guardian's own phone; no consent the child controls gets around it;
//! the guardian's withdrawal ends their sign-ups and tells the organisers.

use crate::helpers::{Session, eventually, id_number};
use crate::service_fixture::Service;
use serde_json::json;

async fn register_child(s: &Service) -> Session {
    let birth = (s.now().date_naive() - chrono::Duration::days(365 * 10)).to_string();
    let phone = s.app.new_phone();
    let code = s.app.request_code(&phone, "registration").await;
    let details = crate::helpers::new_volunteer("王小明", &birth);
    let r = s
        .app
        .post("/api/v1/auth/register", None, json!({"phone": phone, "code": code, "registration": details}))
        .await
        .expect(201);
    crate::helpers::session_from(&r)
}

#[tokio::test]
async fn a_child_signs_up_only_once_a_guardian_confirms_and_the_guardians_withdrawal_ends_it() {
    let s = Service::new().await;
    let app = &s.app;
    let task = s.task(5).await;
    let child = register_child(&s).await;
    let path = format!("/api/v1/tasks/{task}/signups");
    app.post(&path, Some(&child.access), json!({})).await.expect_problem(403, "guardian_consent_required");

    // Ways around it that do not work: the child's own number, a consent the child gives, an
    // identity saying they are an adult, then withdrawn.
    app.put(
        "/api/v1/me/guardian",
        Some(&child.access),
        json!({"name": "我", "phone": child.phone, "relationship": "parent"}),
    )
    .await
    .expect_problem(400, "guardian_phone_not_allowed");
    app.post("/api/v1/me/consents", Some(&child.access), json!({"purpose": "guardian", "version": "g1"}))
        .await
        .expect_problem(409, "guardian_confirmation_required");
    let identity = json!({"idNumber": id_number(), "realName": "王小明", "consentVersion": "v1"});
    app.put("/api/v1/me/identity", Some(&child.access), identity).await.expect(200);
    app.post(&path, Some(&child.access), json!({})).await.expect_problem(403, "guardian_consent_required");
    let consents = app.get("/api/v1/me/consents", Some(&child.access)).await.expect(200);
    let identity_consent = consents.body.as_array().unwrap().iter().find(|c| c["purpose"] == "identity").unwrap();
    app.post(
        &format!("/api/v1/me/consents/{}/withdraw", identity_consent["id"].as_str().unwrap()),
        Some(&child.access),
        json!(null),
    )
    .await
    .expect(200);
    app.post(&path, Some(&child.access), json!({})).await.expect_problem(403, "guardian_consent_required");
    assert_eq!(app.count("signups").await, 0);

    // The guardian confirms with the code sent to their own phone.
    let guardian = "+8613911112222";
    app.put(
        "/api/v1/me/guardian",
        Some(&child.access),
        json!({"name": "王爸爸", "phone": guardian, "relationship": "parent"}),
    )
    .await
    .expect(200);
    let code = app.code_sent_to(guardian).await.expect("the guardian's code");
    let text = app.sms().into_iter().rev().find(|m| m.phone == "13911112222").unwrap();
    assert_eq!(text.template, "guardian");
    assert_eq!(text.params["name"], "王**", "the child's name, masked");
    app.post("/api/v1/me/guardian/confirm", Some(&child.access), json!({"code": "000000", "consentVersion": "g1"}))
        .await;
    app.post("/api/v1/me/guardian/confirm", Some(&child.access), json!({"code": code, "consentVersion": "g1"}))
        .await
        .expect(200);
    app.post(&path, Some(&child.access), json!({})).await.expect(201);

    // The guardian withdraws, without an account, with a code sent to their phone.
    app.clock.advance(chrono::Duration::seconds(61));
    let code = app.request_code(guardian, "guardianWithdrawal").await;
    app.post("/api/v1/guardian-withdrawals", None, json!({"phone": guardian, "code": code})).await.expect(204);
    let mine = app.get("/api/v1/me/signups", Some(&child.access)).await.expect(200);
    assert_eq!(mine.body["items"][0]["signup"]["status"], "cancelled");
    app.post(&path, Some(&child.access), json!({})).await.expect_problem(403, "guardian_consent_required");
    app.start_workers();
    let organiser = s.organiser.access.clone();
    eventually(20, "the organiser is told", || async {
        let inbox = app.get("/api/v1/me/notifications", Some(&organiser)).await.expect(200);
        inbox.body["items"].as_array().unwrap().iter().any(|n| n["body"].as_str().unwrap_or("").contains("监护人撤回"))
    })
    .await;
    // A number that is nobody's guardian is sent no withdrawal code.
    let stranger = app.new_phone();
    app.post("/api/v1/auth/codes", None, json!({"phone": stranger, "purpose": "guardianWithdrawal"})).await.expect(202);
    app.deliver_codes().await;
    assert!(app.sms().iter().all(|m| m.phone != stranger.trim_start_matches("+86")));
}
