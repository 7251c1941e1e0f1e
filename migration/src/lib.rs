//! Schema migrations, written with the sea-query schema builder so the same files run on
//! PostgreSQL and SQLite. The job machinery's own tables are migrated by migrations the `jobs`
//! crate defines (`jobs::migrations`); [`Migrator`] lists them in their place, so `wushe
//! migrate` applies everything.
//!
//! Rules: one change per file (`mYYYYMMDD_HHMMSS_<verb>_<noun>.rs`), every `down` works, a merged
//! migration is never edited, one option per `alter_table` (SQLite accepts no more), foreign keys
//! only at table creation, enums stored as strings.

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_create_org_units;
mod m20261127_000002_create_org_unit_closure;
mod m20261127_000003_create_users;
mod m20261127_000004_create_volunteer_profiles;
mod m20261127_000005_create_user_skills;
mod m20261127_000006_create_social_worker_profiles;
mod m20261127_000007_create_sessions;
mod m20261127_000008_create_refresh_tokens;
mod m20261127_000009_create_login_failures;
mod m20261127_000010_create_login_locks;
mod m20261127_000011_create_audit_log;
mod m20261128_100005_create_devices;
mod m20261128_100006_create_notifications;
mod m20261128_100007_create_push_deliveries;
mod m20261128_100008_create_notification_preferences;
mod m20261128_100009_create_announcements;
mod m20261128_200001_create_idempotency_keys;
mod m20261128_200002_create_consents;
mod m20261128_200003_create_identities;
mod m20261128_200004_create_guardians;
mod m20261128_200005_create_health_notes;
mod m20261128_300001_add_issuer_fields_to_org_units;
mod m20261128_300002_create_tasks;
mod m20261128_300003_create_task_skills;
mod m20261128_300004_create_signups;
mod m20261128_300005_create_attendance;
mod m20261128_300006_create_hours_entries;
mod m20261128_300007_create_star_awards;
mod m20261128_300008_create_service_records;
mod m20261128_300009_index_tasks_for_nearby_browsing;
mod m20261128_300010_create_task_invitations;
mod m20261128_300011_create_dispatch_days;
mod m20261128_400001_create_credential_kinds;
mod m20261128_400002_create_credentials;
mod m20261128_400003_create_talent_reminders;
mod m20261128_400004_create_courses;
mod m20261128_400005_create_training_sessions;
mod m20261128_400006_create_enrolments;
mod m20261128_400007_create_learning_entries;
mod m20261128_400008_create_prerequisites;
mod m20261128_400009_create_course_organisers;
mod m20261128_500001_create_mentoring_pairings;
mod m20261128_500002_create_mentor_loads;
mod m20261128_500003_create_mentoring_sessions;
mod m20261128_500004_create_pair_messages;
mod m20261128_600001_create_honour_programmes;
mod m20261128_600002_create_honour_quota_uses;
mod m20261128_600003_create_honour_nominations;
mod m20261128_600004_create_honour_reviewers;
mod m20261128_600005_create_honour_scores;
mod m20261128_600006_create_honours;
mod m20261128_600007_create_honour_objections;
mod m20261128_600008_create_honour_recusals;
mod m20261130_000001_add_claim_job_id_to_push_deliveries;
mod m20261130_000002_index_push_deliveries_by_claim;
mod m20261130_100001_create_verification_codes;
mod m20261130_100002_create_birth_dates;
mod m20261130_100003_add_confirmation_to_guardians;
mod m20261130_100004_create_identity_disputes;
mod m20261130_200001_add_cancel_reason_to_honour_programmes;
mod m20261130_200002_add_skills_required_for_signup_to_tasks;
mod m20261201_100001_add_created_by_to_users;
mod m20261201_200001_create_hours_windows;
mod m20261201_300001_add_check_in_mode_to_tasks;
mod m20261201_300002_create_manual_attendance;
mod m20261201_500001_index_audit_log_by_target_id;
mod m20261202_700001_add_installation_id_to_devices;
mod m20261202_700002_add_app_id_to_devices;
mod m20261202_700003_add_session_id_to_devices;
mod m20261202_700004_index_devices_by_installation;
mod m20261202_700005_index_devices_by_session;
pub mod m20261203_100001_create_hours_totals;
pub mod m20261204_100001_create_hours_rollups;
pub mod m20261205_100001_create_active_volunteer_rollups;
pub mod m20261205_100002_create_people_rollups;
mod m20261206_100001_create_social_organisations;
mod m20261206_100002_create_charity_funds;
mod m20261206_100003_create_fund_grants;
mod m20261206_100004_create_fund_entries;
mod m20261206_100005_create_projects;
mod m20261206_100006_create_project_funding_lines;
mod m20261206_100007_add_project_id_to_tasks;
mod m20261206_100008_create_community_needs;
mod m20261206_100009_create_community_resources;
mod m20261206_100010_create_fund_committee_members;

/// Every migration, in the order it applies.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut all: Vec<Box<dyn MigrationTrait>> = vec![
            Box::new(m20261127_000001_create_org_units::Migration),
            Box::new(m20261127_000002_create_org_unit_closure::Migration),
            Box::new(m20261127_000003_create_users::Migration),
            Box::new(m20261127_000004_create_volunteer_profiles::Migration),
            Box::new(m20261127_000005_create_user_skills::Migration),
            Box::new(m20261127_000006_create_social_worker_profiles::Migration),
            Box::new(m20261127_000007_create_sessions::Migration),
            Box::new(m20261127_000008_create_refresh_tokens::Migration),
            Box::new(m20261127_000009_create_login_failures::Migration),
            Box::new(m20261127_000010_create_login_locks::Migration),
            Box::new(m20261127_000011_create_audit_log::Migration),
        ];
        // The job machinery's tables (queue, keys, outbox, keyed future jobs), defined in the
        // `jobs` crate, in the place they always had.
        all.extend(jobs::migrations::migrations());
        let rest: Vec<Box<dyn MigrationTrait>> = vec![
            Box::new(m20261128_100005_create_devices::Migration),
            Box::new(m20261128_100006_create_notifications::Migration),
            Box::new(m20261128_100007_create_push_deliveries::Migration),
            Box::new(m20261128_100008_create_notification_preferences::Migration),
            Box::new(m20261128_100009_create_announcements::Migration),
            Box::new(m20261128_200001_create_idempotency_keys::Migration),
            Box::new(m20261128_200002_create_consents::Migration),
            Box::new(m20261128_200003_create_identities::Migration),
            Box::new(m20261128_200004_create_guardians::Migration),
            Box::new(m20261128_200005_create_health_notes::Migration),
            Box::new(m20261128_300001_add_issuer_fields_to_org_units::Migration),
            Box::new(m20261128_300002_create_tasks::Migration),
            Box::new(m20261128_300003_create_task_skills::Migration),
            Box::new(m20261128_300004_create_signups::Migration),
            Box::new(m20261128_300005_create_attendance::Migration),
            Box::new(m20261128_300006_create_hours_entries::Migration),
            Box::new(m20261128_300007_create_star_awards::Migration),
            Box::new(m20261128_300008_create_service_records::Migration),
            Box::new(m20261128_300009_index_tasks_for_nearby_browsing::Migration),
            Box::new(m20261128_300010_create_task_invitations::Migration),
            Box::new(m20261128_300011_create_dispatch_days::Migration),
            Box::new(m20261128_600001_create_honour_programmes::Migration),
            Box::new(m20261128_600002_create_honour_quota_uses::Migration),
            Box::new(m20261128_600003_create_honour_nominations::Migration),
            Box::new(m20261128_600004_create_honour_reviewers::Migration),
            Box::new(m20261128_600005_create_honour_scores::Migration),
            Box::new(m20261128_600006_create_honours::Migration),
            Box::new(m20261128_600007_create_honour_objections::Migration),
            Box::new(m20261128_500001_create_mentoring_pairings::Migration),
            Box::new(m20261128_500002_create_mentor_loads::Migration),
            Box::new(m20261128_500003_create_mentoring_sessions::Migration),
            Box::new(m20261128_500004_create_pair_messages::Migration),
            Box::new(m20261128_600008_create_honour_recusals::Migration),
            Box::new(m20261128_400001_create_credential_kinds::Migration),
            Box::new(m20261128_400002_create_credentials::Migration),
            Box::new(m20261128_400003_create_talent_reminders::Migration),
            Box::new(m20261128_400004_create_courses::Migration),
            Box::new(m20261128_400005_create_training_sessions::Migration),
            Box::new(m20261128_400006_create_enrolments::Migration),
            Box::new(m20261128_400007_create_learning_entries::Migration),
            Box::new(m20261128_400008_create_prerequisites::Migration),
            Box::new(m20261128_400009_create_course_organisers::Migration),
            Box::new(m20261130_000001_add_claim_job_id_to_push_deliveries::Migration),
            Box::new(m20261130_000002_index_push_deliveries_by_claim::Migration),
            Box::new(m20261130_100001_create_verification_codes::Migration),
            Box::new(m20261130_100002_create_birth_dates::Migration),
            Box::new(m20261130_100003_add_confirmation_to_guardians::Migration),
            Box::new(m20261130_100004_create_identity_disputes::Migration),
            Box::new(m20261130_200001_add_cancel_reason_to_honour_programmes::Migration),
            Box::new(m20261130_200002_add_skills_required_for_signup_to_tasks::Migration),
            Box::new(m20261201_100001_add_created_by_to_users::Migration),
            Box::new(m20261201_200001_create_hours_windows::Migration),
            Box::new(m20261201_300001_add_check_in_mode_to_tasks::Migration),
            Box::new(m20261201_300002_create_manual_attendance::Migration),
            Box::new(m20261201_500001_index_audit_log_by_target_id::Migration),
            Box::new(m20261202_700001_add_installation_id_to_devices::Migration),
            Box::new(m20261202_700002_add_app_id_to_devices::Migration),
            Box::new(m20261202_700003_add_session_id_to_devices::Migration),
            Box::new(m20261202_700004_index_devices_by_installation::Migration),
            Box::new(m20261202_700005_index_devices_by_session::Migration),
            Box::new(m20261203_100001_create_hours_totals::Migration),
            Box::new(m20261204_100001_create_hours_rollups::Migration),
            Box::new(m20261205_100001_create_active_volunteer_rollups::Migration),
            Box::new(m20261205_100002_create_people_rollups::Migration),
            Box::new(m20261206_100001_create_social_organisations::Migration),
            Box::new(m20261206_100002_create_charity_funds::Migration),
            Box::new(m20261206_100003_create_fund_grants::Migration),
            Box::new(m20261206_100004_create_fund_entries::Migration),
            Box::new(m20261206_100005_create_projects::Migration),
            Box::new(m20261206_100006_create_project_funding_lines::Migration),
            Box::new(m20261206_100007_add_project_id_to_tasks::Migration),
            Box::new(m20261206_100008_create_community_needs::Migration),
            Box::new(m20261206_100009_create_community_resources::Migration),
            Box::new(m20261206_100010_create_fund_committee_members::Migration),
        ];
        all.extend(rest);
        all
    }
}

/// A foreign key from `table.column` to `target.id`.
pub(crate) fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(on_delete)
        .to_owned()
}

/// A (possibly unique) index on some columns of a table, named after them.
pub(crate) fn index(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("ix_{table}_{}", columns.join("_"))).table(table);
    for c in columns {
        stmt.col(*c);
    }
    stmt.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Databases record applied migrations by name: a name, or the order, that changed would
    /// make an existing database see a migration as missing or new.
    #[test]
    fn names_and_order_are_those_already_applied() {
        let names: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_string()).collect();
        let expected = [
            "m20261127_000001_create_org_units",
            "m20261127_000002_create_org_unit_closure",
            "m20261127_000003_create_users",
            "m20261127_000004_create_volunteer_profiles",
            "m20261127_000005_create_user_skills",
            "m20261127_000006_create_social_worker_profiles",
            "m20261127_000007_create_sessions",
            "m20261127_000008_create_refresh_tokens",
            "m20261127_000009_create_login_failures",
            "m20261127_000010_create_login_locks",
            "m20261127_000011_create_audit_log",
            "m20261128_100001_create_jobs",
            "m20261128_100002_create_job_keys",
            "m20261128_100003_create_outbox",
            "m20261128_100004_create_scheduled_jobs",
            "m20261128_100005_create_devices",
            "m20261128_100006_create_notifications",
            "m20261128_100007_create_push_deliveries",
            "m20261128_100008_create_notification_preferences",
            "m20261128_100009_create_announcements",
            "m20261128_200001_create_idempotency_keys",
            "m20261128_200002_create_consents",
            "m20261128_200003_create_identities",
            "m20261128_200004_create_guardians",
            "m20261128_200005_create_health_notes",
            "m20261128_300001_add_issuer_fields_to_org_units",
            "m20261128_300002_create_tasks",
            "m20261128_300003_create_task_skills",
            "m20261128_300004_create_signups",
            "m20261128_300005_create_attendance",
            "m20261128_300006_create_hours_entries",
            "m20261128_300007_create_star_awards",
            "m20261128_300008_create_service_records",
            "m20261128_300009_index_tasks_for_nearby_browsing",
            "m20261128_300010_create_task_invitations",
            "m20261128_300011_create_dispatch_days",
            "m20261128_600001_create_honour_programmes",
            "m20261128_600002_create_honour_quota_uses",
            "m20261128_600003_create_honour_nominations",
            "m20261128_600004_create_honour_reviewers",
            "m20261128_600005_create_honour_scores",
            "m20261128_600006_create_honours",
            "m20261128_600007_create_honour_objections",
            "m20261128_500001_create_mentoring_pairings",
            "m20261128_500002_create_mentor_loads",
            "m20261128_500003_create_mentoring_sessions",
            "m20261128_500004_create_pair_messages",
            "m20261128_600008_create_honour_recusals",
            "m20261128_400001_create_credential_kinds",
            "m20261128_400002_create_credentials",
            "m20261128_400003_create_talent_reminders",
            "m20261128_400004_create_courses",
            "m20261128_400005_create_training_sessions",
            "m20261128_400006_create_enrolments",
            "m20261128_400007_create_learning_entries",
            "m20261128_400008_create_prerequisites",
            "m20261128_400009_create_course_organisers",
            "m20261130_000001_add_claim_job_id_to_push_deliveries",
            "m20261130_000002_index_push_deliveries_by_claim",
            "m20261130_100001_create_verification_codes",
            "m20261130_100002_create_birth_dates",
            "m20261130_100003_add_confirmation_to_guardians",
            "m20261130_100004_create_identity_disputes",
            "m20261130_200001_add_cancel_reason_to_honour_programmes",
            "m20261130_200002_add_skills_required_for_signup_to_tasks",
            "m20261201_100001_add_created_by_to_users",
            "m20261201_200001_create_hours_windows",
            "m20261201_300001_add_check_in_mode_to_tasks",
            "m20261201_300002_create_manual_attendance",
            "m20261201_500001_index_audit_log_by_target_id",
            "m20261202_700001_add_installation_id_to_devices",
            "m20261202_700002_add_app_id_to_devices",
            "m20261202_700003_add_session_id_to_devices",
            "m20261202_700004_index_devices_by_installation",
            "m20261202_700005_index_devices_by_session",
            "m20261203_100001_create_hours_totals",
            "m20261204_100001_create_hours_rollups",
            "m20261205_100001_create_active_volunteer_rollups",
            "m20261205_100002_create_people_rollups",
            "m20261206_100001_create_social_organisations",
            "m20261206_100002_create_charity_funds",
            "m20261206_100003_create_fund_grants",
            "m20261206_100004_create_fund_entries",
            "m20261206_100005_create_projects",
            "m20261206_100006_create_project_funding_lines",
            "m20261206_100007_add_project_id_to_tasks",
            "m20261206_100008_create_community_needs",
            "m20261206_100009_create_community_resources",
            "m20261206_100010_create_fund_committee_members",
        ];
        assert_eq!(names, expected);
    }
}
