//! The migrations of the tables the job machinery owns (see [`crate::entity`]). The application's
//! migrator (`migration::Migrator`, run by `wushe migrate`) applies them in their place among
//! its own, under the same names as ever, so databases migrated before they moved here see
//! nothing new; [`Migrator`] applies them alone, for a database that holds only the queue.

use sea_orm_migration::prelude::*;

pub mod m20261128_100001_create_jobs;
pub mod m20261128_100002_create_job_keys;
pub mod m20261128_100003_create_outbox;
pub mod m20261128_100004_create_scheduled_jobs;

/// The job machinery's migrations, in the order they apply.
pub fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261128_100001_create_jobs::Migration),
        Box::new(m20261128_100002_create_job_keys::Migration),
        Box::new(m20261128_100003_create_outbox::Migration),
        Box::new(m20261128_100004_create_scheduled_jobs::Migration),
    ]
}

/// Only the job machinery's tables.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        migrations()
    }
}

/// An index on some columns of a table, named after them.
fn index(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("ix_{table}_{}", columns.join("_"))).table(table);
    for c in columns {
        stmt.col(*c);
    }
    stmt.to_owned()
}
