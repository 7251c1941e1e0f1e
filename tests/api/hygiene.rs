//! What leaves the service, and what it leaves on disk: exports that a spreadsheet cannot run,
//! phones masked on lists, a 400 for a bad cursor on every list and queue backend, and data
//! files readable by their owner only.

use crate::helpers::Session;
use crate::service_fixture::Service;
use chrono::Duration;
use serde_json::{Value, json};

/// The cells of a CSV download (byte-order mark dropped).
async fn csv_cells(s: &Service, path: &str, token: &str) -> Vec<Vec<String>> {
    let r = s.app.client.get(format!("{}{path}", s.app.base)).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    let text = r.text().await.unwrap();
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect()
}

#[tokio::test]
async fn names_that_are_formulas_reach_every_export_as_text() {
    const FORMULA: &str = r#"=HYPERLINK("http://evil.example","点我")"#;
    const AT: &str = "@SUM(1+1)*cmd|' /C calc'!A0";
    let s = Service::new().await;
    let task = s.publish(s.task_body(Duration::days(1), 4, 50)).await;
    let v = s.app.quick_volunteers(1, Some(&s.room)).await.remove(0);
    s.app.patch("/api/v1/me", Some(&v.access), json!({"name": FORMULA})).await.expect(200);
    s.sign_up(&task, &v).await;
    s.app.clock.advance(Duration::days(1) + Duration::hours(5));
    let entry = json!({"kind": "leader_entry", "volunteerId": v.user_id, "minutes": 120, "reason": "-补录"});
    s.app.post(&format!("/api/v1/tasks/{task}/hours"), Some(&s.organiser.access), entry).await.expect(201);
    let sw = s.app.create_user(&s.admin, "social_worker", Some(&s.room)).await;
    s.app.patch(&format!("/api/v1/users/{}", sw.user_id), Some(&s.admin.access), json!({"name": AT})).await.expect(200);

    let exports = [
        (format!("/api/v1/tasks/{task}/roster.csv"), &s.organiser, FORMULA),
        ("/api/v1/hours/export.csv".to_string(), &s.admin, FORMULA),
        ("/api/v1/talent.csv".to_string(), &s.admin, AT),
    ];
    for (path, who, name) in exports {
        let cells = csv_cells(&s, &path, &who.access).await;
        let all: Vec<&String> = cells.iter().flatten().collect();
        assert!(all.iter().any(|c| **c == format!("'{name}")), "{path}: the name, quoted: {cells:?}");
        let formulas: Vec<&&String> = all
            .iter()
            .filter(|c| c.starts_with(['=', '+', '-', '@', '\t', '\r']) && c.parse::<f64>().is_err())
            .collect();
        assert!(formulas.is_empty(), "{path}: cells a spreadsheet would run: {formulas:?}");
    }
}

#[tokio::test]
async fn phones_are_masked_on_every_list_and_whole_on_the_record() {
    let s = Service::new().await;
    let task = s.publish(s.task_body(Duration::days(1), 4, 50)).await;
    let v = s.app.quick_volunteers(1, Some(&s.room)).await.remove(0);
    s.sign_up(&task, &v).await;
    let national = v.phone.trim_start_matches("+86");
    let masked = |body: &Value| {
        let text = body.to_string();
        assert!(!text.contains(national), "a whole phone on a list: {text}");
        assert!(text.contains("****"), "{text}");
    };
    let people = s.app.get(format!("/api/v1/users?q={national}"), Some(&s.admin.access)).await.expect(200);
    assert_eq!(people.body["items"].as_array().unwrap().len(), 1, "found by the whole number");
    masked(&people.body);
    let roster = s.app.get(format!("/api/v1/tasks/{task}/signups"), Some(&s.organiser.access)).await.expect(200);
    masked(&roster.body);
    let cells = csv_cells(&s, &format!("/api/v1/tasks/{task}/roster.csv"), &s.organiser.access).await;
    masked(&json!(cells));
    let record = s.app.get(format!("/api/v1/users/{}", v.user_id), Some(&s.admin.access)).await.expect(200);
    assert_eq!(record.body["phone"], v.phone.as_str(), "one person's record shows the number to their administrator");
}

/// Every list of the document (a GET with a `cursor` parameter), given a cursor it never gave
/// out, answers 400 `invalid_cursor`: on SQLite and on PostgreSQL with the queue on Redis.
#[tokio::test]
async fn a_bad_cursor_is_400_on_every_list() {
    let s = Service::new().await;
    let task = s.task(5).await;
    let v = s.app.quick_volunteers(1, Some(&s.room)).await.remove(0);
    let doc = s.app.get("/api/openapi.json", None).await.expect(200).body;
    let callers: [&Session; 4] = [&s.city_admin, &s.admin, &s.organiser, &v];
    let mut lists = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(op) = item.get("get") else { continue };
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        if !params.iter().any(|p| p["name"] == "cursor" && p["in"] == "query") {
            continue;
        }
        lists += 1;
        // Path parameters: a real task where one is named, a fresh id elsewhere.
        let path: String = path
            .split('/')
            .map(|seg| match seg {
                "{id}" if path.starts_with("/api/v1/tasks/") => task.clone(),
                s if s.starts_with('{') => uuid::Uuid::now_v7().to_string(),
                s => s.to_string(),
            })
            .collect::<Vec<_>>()
            .join("/");
        for cursor in ["!!!", "eyJ4IjoxfQ", "1-x", "0192f0b2-aaaa-7bbb-8ccc-garbage"] {
            let mut answers = Vec::new();
            for who in callers {
                let r = s.app.get(format!("{path}?cursor={cursor}"), Some(&who.access)).await;
                assert!(r.status.as_u16() < 500, "{path} cursor {cursor}: {} {}", r.status, r.body);
                answers.push((r.status.as_u16(), r.body["code"].as_str().unwrap_or_default().to_string()));
            }
            assert!(
                answers.iter().any(|(status, code)| *status == 400 && code == "invalid_cursor"),
                "{path} cursor {cursor}: {answers:?}"
            );
        }
    }
    assert!(lists > 20, "the document's lists were found ({lists})");
}

#[cfg(unix)]
#[tokio::test]
async fn data_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let lookup = |k: &str| (k == "WUSHE_DATA_DIR").then(|| dir.display().to_string());
    let config = wushe::config::Config::from_lookup(lookup).unwrap();
    // As `wushe serve` starts.
    let db = wushe::app::open_database(&config, true).await.unwrap();
    let mode = |name: &str| std::fs::metadata(dir.join(name)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(""), 0o700, "the data directory");
    for file in ["wushe.db", "wushe.db-wal", "wushe.db-shm", "jwt-secret", "data-key"] {
        assert_eq!(mode(file), 0o600, "{file}");
    }
    // Files an older version left open are closed at the next start.
    drop(db);
    for file in ["wushe.db", "jwt-secret"] {
        std::fs::set_permissions(dir.join(file), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let config = wushe::config::Config::from_lookup(lookup).unwrap();
    let _db = wushe::app::open_database(&config, true).await.unwrap();
    assert_eq!((mode("wushe.db"), mode("jwt-secret")), (0o600, 0o600));
}
