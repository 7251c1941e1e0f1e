//! Every migration applies and reverts cleanly on the test database's backend.

use crate::helpers::TestDb;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use sea_orm_migration::MigratorTrait;

async fn tables(db: &DatabaseConnection, postgres: bool) -> Vec<String> {
    let sql = if postgres {
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
    };
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.try_get::<String>("", "name").unwrap())
        .collect()
}

#[tokio::test]
async fn migrations_go_up_and_down() {
    let test_db = TestDb::new().await;
    // One connection: a pooled second one can see a stale schema between the down and the up.
    let db = wushe::db::connect(&test_db.url, 1, std::time::Duration::from_secs(10)).await.unwrap();
    let pg = test_db.is_postgres();
    migration::Migrator::up(&db, None).await.unwrap();
    let up = tables(&db, pg).await;
    for t in ["users", "org_units", "org_unit_closure", "sessions", "refresh_tokens", "audit_log", "seaql_migrations"] {
        assert!(up.contains(&t.to_string()), "{t} missing from {up:?}");
    }
    assert!(migration::Migrator::get_pending_migrations(&db).await.unwrap().is_empty());

    migration::Migrator::down(&db, None).await.unwrap();
    assert_eq!(tables(&db, pg).await, vec!["seaql_migrations".to_string()], "down leaves only the bookkeeping table");

    // And up again from nothing.
    migration::Migrator::up(&db, None).await.expect("migrations apply again after a full down");
    assert_eq!(tables(&db, pg).await, up);
}
