//! The `wushe` command as a new user meets it: create the first administrator (refusing a
//! duplicate), load the demo city, serve until SIGTERM, stopping cleanly, and rebuild the
//! statistics' rollups.

use crate::helpers::{TestDb, eventually, postgres_url};
use std::process::{Command, Stdio};

fn wushe(db: &TestDb) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wushe"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("WUSHE_DATABASE_URL", &db.url)
        .env("WUSHE_DATA_DIR", std::env::temp_dir())
        .env("WUSHE_JWT_SECRET", "a command-line test secret of 32+ bytes")
        .env("WUSHE_DATA_KEY", "a command-line test data key of 32+ bytes")
        .stdin(Stdio::null());
    cmd
}

#[tokio::test]
async fn create_admin_then_refuse_a_duplicate_phone() {
    let db = TestDb::new().await;
    let out = wushe(&db)
        .args(["create-admin", "--phone", "13800000001", "--name", "首任管理员"])
        .env("WUSHE_ADMIN_PASSWORD", "first admin password")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("+86138****0001"), "masked phone printed: {stdout}");
    assert!(!stdout.contains("13800000001"));

    let again = wushe(&db)
        .args(["create-admin", "--phone", "+86 138 0000 0001", "--name", "重复"])
        .env("WUSHE_ADMIN_PASSWORD", "another password")
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists"));
}

#[tokio::test]
async fn create_admin_reads_the_password_from_stdin() {
    use std::io::Write;
    let db = TestDb::new().await;
    let mut child = wushe(&db)
        .args(["create-admin", "--phone", "13800000002", "--name", "管理员"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"typed password\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn seed_demo_loads_once() {
    let db = TestDb::new().await;
    let out = wushe(&db).arg("seed-demo").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(wushe::seed::DEMO_PASSWORD));
    assert_eq!(stdout.matches("Volunteer").count(), 10);
    assert_eq!(stdout.matches("SocialWorker").count(), 3);
    assert_eq!(stdout.matches("StationAdmin").count(), 1);
    let again = wushe(&db).arg("seed-demo").output().unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already loaded"));
}

/// Starts `wushe serve` with `args` on a free port and waits until it is ready.
async fn serve(db: &TestDb, args: &[&str]) -> (std::process::Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = wushe(db)
        .arg("serve")
        .args(args)
        .env("WUSHE_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = crate::helpers::client();
    eventually(30, "the server to become ready", || async {
        client.get(format!("http://127.0.0.1:{port}/readyz")).send().await.is_ok_and(|r| r.status() == 200)
    })
    .await;
    (child, port)
}

/// Sends SIGTERM and asserts a clean exit within the deadline.
async fn stop(mut child: std::process::Child) {
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let mut status = None;
    eventually(30, "the process to stop", || {
        status = child.try_wait().unwrap();
        std::future::ready(status.is_some())
    })
    .await;
    let status = status.unwrap();
    assert!(status.success(), "clean exit on SIGTERM: {status:?}");
}

async fn metrics(port: u16) -> String {
    crate::helpers::client().get(format!("http://127.0.0.1:{port}/metrics")).send().await.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn serve_answers_and_stops_on_sigterm() {
    let db = TestDb::new().await;
    let (child, port) = serve(&db, &[]).await;
    let client = crate::helpers::client();
    let docs = client.get(format!("http://127.0.0.1:{port}/docs")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    let spec = client.get(format!("http://127.0.0.1:{port}/api/openapi.json")).send().await.unwrap();
    assert_eq!(spec.status(), 200);
    // Workers and the scheduler run in-process: the current minute's reminder scan runs.
    eventually(30, "a job to run in serve", || async {
        metrics(port).await.contains("wushe_jobs_processed_total{kind=\"scheduled.scan\"} 1")
    })
    .await;
    stop(child).await;
}

#[tokio::test]
async fn serve_without_workers_runs_no_jobs_and_worker_runs_them() {
    let db = TestDb::new().await;
    let (child, port) = serve(&db, &["--no-workers"]).await;
    assert!(!metrics(port).await.contains("wushe_jobs_processed_total{"), "no jobs in --no-workers");
    stop(child).await;

    // A job committed to the outbox while no worker runs...
    let conn = sea_orm::Database::connect(&db.url).await.unwrap();
    jobs::outbox::enqueue(&conn, jobs::NewJob::new("outbox.sweep", serde_json::json!({}))).await.unwrap();
    let worker = wushe(&db).arg("worker").stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    // ...is relayed and run by `wushe worker`, whose scheduler also claims the current minute.
    eventually(30, "the worker to relay the job and run a cron job", || async {
        use sea_orm::{EntityTrait, PaginatorTrait};
        jobs::outbox::pending(&conn).await.unwrap_or(1) == 0
            && jobs::entity::job_key::Entity::find().count(&conn).await.unwrap_or(0) > 0
            && jobs::entity::job::Entity::find().count(&conn).await.unwrap_or(1) == 0
    })
    .await;
    stop(worker).await;
}

#[test]
fn postgres_without_a_jwt_secret_refuses_to_start() {
    let Some(url) = postgres_url() else { return };
    let out = Command::new(env!("CARGO_BIN_EXE_wushe"))
        .env_clear()
        .env("WUSHE_DATABASE_URL", url)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("WUSHE_JWT_SECRET"));
}

#[tokio::test]
async fn stats_rebuild_recomputes_the_rollups_from_the_ledger() {
    use entity::{hours_rollup, org_unit};
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, Database, EntityTrait, PaginatorTrait};
    let db = TestDb::new().await;
    let out = wushe(&db).arg("seed-demo").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // A row the demo city's empty ledger does not back: the rebuild removes it.
    let conn = Database::connect(&db.url).await.unwrap();
    let unit = org_unit::Entity::find().one(&conn).await.unwrap().unwrap();
    hours_rollup::ActiveModel {
        org_unit_id: Set(unit.id),
        month: Set("2026-01".into()),
        action_line: Set(entity::task::ActionLine::Help),
        minutes: Set(60),
        service_count: Set(1),
    }
    .insert(&conn)
    .await
    .unwrap();
    let out = wushe(&db).args(["stats", "rebuild"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(hours_rollup::Entity::find().count(&conn).await.unwrap(), 0);
}
