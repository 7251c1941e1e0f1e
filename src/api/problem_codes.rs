//! The problem codes each operation can answer beyond the generic ones, so a client knows what to
//! handle: [`CODES`] maps every operationId to its codes, and [`annotate`] writes them into the
//! OpenAPI document (an `x-problem-codes` list and a "Problem codes:" line in the description).
//!
//! The table is kept true by its tests: every operation in the document has a row and every row
//! names an operation; every code listed is raised somewhere in `src/` (a `DomainError::invalid`,
//! `conflict`, `unauthenticated`, `ApiError::bad_request`, `ApiError::new(StatusCode::…, …)` or a
//! `code: "…"` field); and every code raised in `src/` is listed for some operation, is generic,
//! or is in [`NOT_FROM_THE_API`]. A new code therefore fails the tests until it is placed here.
//! The rows were derived by following each handler's calls into `domain/` and collecting the
//! codes raised on the way, then checked by hand for the main mutating operations.

use serde_json::Value;

/// Codes any operation may answer, listed once in the document's description rather than per
/// operation: authentication and authorization, missing things, malformed input, limits, the
/// `Idempotency-Key` rules (described on the header itself) and failures on our side.
pub const GENERIC: &[&str] = &[
    "unauthorized",
    "forbidden",
    "not_found",
    "validation_failed",
    "invalid_cursor",
    "invalid_text",
    "rate_limited",
    "payload_too_large",
    "method_not_allowed",
    "invalid_idempotency_key",
    "idempotency_key_in_use",
    "idempotency_key_reused",
    "internal_error",
    "unavailable",
];

/// Codes raised in `src/` that no HTTP operation answers, with the reason.
pub const NOT_FROM_THE_API: &[(&str, &str)] = &[
    ("already_seeded", "`wushe seed-demo` on a loaded database"),
    ("code", "not a problem: the SMS template of a verification code (`config/sms.rs`)"),
];

/// Every operation's codes beyond [`GENERIC`], by operationId (alphabetical).
pub const CODES: &[(&str, &[&str])] = &[
    (
        "acceptCoverOffer",
        &[
            "already_signed_up",
            "guardian_consent_required",
            "prerequisite_missing",
            "schedule_conflict",
            "seat_taken",
            "signup_closed",
        ],
    ),
    (
        "acceptPairing",
        &["mentee_has_mentor", "mentor_at_capacity", "mentor_not_qualified", "not_proposed", "person_inactive"],
    ),
    ("acknowledgeMentoringSession", &["session_answered"]),
    ("addProjectFunding", &["funding_outside_project", "invalid_grant", "project_closed"]),
    ("advanceHonourProgramme", &["decision_required", "invalid_transition", "notice_running", "objections_open"]),
    ("allowCourseOrganiser", &[]),
    ("answerNeed", &["need_answered", "project_closed", "project_not_found"]),
    ("appointHonourPanel", &["invalid_reviewer", "review_closed", "reviewer_has_scored", "reviewer_not_qualified"]),
    ("approveSignup", &["decision_not_yours", "not_pending"]),
    ("browseTasks", &["invalid_coordinates"]),
    ("cancelEnrolment", &["enrolment_not_live", "session_started"]),
    ("cancelHonourProgramme", &["programme_locked"]),
    ("cancelSignup", &["signup_not_live", "task_started"]),
    ("cancelTask", &["task_closed"]),
    ("changePassword", &["weak_password", "wrong_password"]),
    ("changePhone", &["code_attempts_exhausted", "code_expired", "code_invalid", "invalid_phone", "phone_taken"]),
    ("checkHonourEligibility", &[]),
    (
        "checkIn",
        &[
            "check_in_code_expired",
            "check_in_code_invalid",
            "check_in_code_wrong_kind",
            "check_in_code_wrong_task",
            "invalid_coordinates",
            "location_required",
            "not_confirmed",
            "outside_check_in_window",
            "strict_check_in",
            "task_closed",
            "too_far",
        ],
    ),
    (
        "checkOut",
        &[
            "already_checked_out",
            "before_check_in",
            "check_in_code_expired",
            "check_in_code_invalid",
            "check_in_code_wrong_kind",
            "check_in_code_wrong_task",
            "invalid_coordinates",
            "location_required",
            "not_checked_in",
            "not_confirmed",
            "strict_check_in",
            "task_closed",
            "too_far",
        ],
    ),
    (
        "claimHours",
        &[
            "date_in_future",
            "date_too_old",
            "day_limit_exceeded",
            "invalid_minutes",
            "org_unit_not_found",
            "overlaps_recorded_stay",
            "starts_at_not_on_date",
        ],
    ),
    ("claimTraining", &["invalid_dates", "invalid_minutes"]),
    ("confirmGuardian", &["code_attempts_exhausted", "code_expired", "code_invalid", "invalid_phone", "no_guardian"]),
    (
        "correctHours",
        &[
            "day_limit_exceeded",
            "decision_not_yours",
            "exceeds_entry_window",
            "exceeds_task_length",
            "invalid_minutes",
            "not_correctable",
        ],
    ),
    ("correctHonourProgrammeRules", &["invalid_rule", "programme_locked"]),
    ("createAnnouncement", &["org_unit_required"]),
    ("createCharityFund", &["fund_exists", "org_unit_not_found"]),
    ("createCourse", &["invalid_minutes", "unit_not_found"]),
    ("createCredentialKind", &["duplicate_kind", "invalid_kind_code"]),
    (
        "createHonourProgramme",
        &["invalid_criteria", "invalid_notice_period", "invalid_rule", "invalid_time_zone", "invalid_windows"],
    ),
    ("createOrgUnit", &["invalid_coordinates", "invalid_placement", "invalid_time_zone", "parent_not_found"]),
    ("createProject", &["invalid_dates", "org_unit_not_found", "recipient_not_found"]),
    (
        "createTask",
        &[
            "invalid_capacity",
            "invalid_coordinates",
            "invalid_deadline",
            "invalid_time_range",
            "leader_not_found",
            "org_unit_not_found",
            "project_closed",
            "project_not_found",
            "task_outside_project",
        ],
    ),
    ("createTrainingSession", &["invalid_capacity", "invalid_times", "trainer_not_found"]),
    (
        "createUser",
        &[
            "invalid_phone",
            "invalid_time_zone",
            "org_unit_not_found",
            "org_unit_required",
            "phone_taken",
            "weak_password",
        ],
    ),
    ("decideFundGrant", &["grant_decided", "insufficient_fund_balance", "not_on_committee", "separation_of_duties"]),
    (
        "decideHonours",
        &[
            "deviation_reason_required",
            "invalid_awardee",
            "invalid_awardee_count",
            "invalid_transition",
            "review_not_closed",
        ],
    ),
    ("decideHours", &["already_decided", "day_limit_exceeded", "decision_not_yours", "reason_required"]),
    ("decideIdentityDispute", &["dispute_closed", "invalid_id_number"]),
    (
        "decideManualAttendance",
        &[
            "already_checked_in",
            "already_checked_out",
            "before_check_in",
            "decision_not_yours",
            "not_checked_in",
            "not_confirmed",
            "not_pending",
            "outside_check_in_window",
            "own_attendance",
            "task_closed",
        ],
    ),
    ("decideTrainingClaim", &["already_decided", "decision_not_yours"]),
    ("declineHonourNomination", &["cannot_decline"]),
    ("declinePairing", &["mentee_has_mentor", "mentor_at_capacity", "not_proposed", "person_inactive"]),
    ("deleteDevice", &[]),
    ("denySignup", &["decision_not_yours", "not_pending", "signup_not_live"]),
    ("discardDeadJob", &[]),
    ("disputeHours", &["already_disputed"]),
    ("disputeMentoringSession", &["session_answered"]),
    ("endPairing", &["not_active"]),
    ("enrol", &["enrolment_closed", "guardian_consent_required", "prerequisite_missing"]),
    (
        "enterTaskHours",
        &[
            "day_limit_exceeded",
            "decision_not_yours",
            "exceeds_task_length",
            "invalid_minutes",
            "not_signed_up",
            "task_not_started",
        ],
    ),
    ("eraseMe", &["already_erased", "wrong_password"]),
    ("eraseUser", &["already_erased"]),
    ("exportHours", &[]),
    ("exportMe", &[]),
    ("exportRoster", &[]),
    ("exportStatsHours", &["invalid_month", "invalid_month_range", "month_range_too_long"]),
    ("exportStatsHoursXlsx", &["invalid_month", "invalid_month_range", "month_range_too_long"]),
    ("exportStatsOverview", &["invalid_month", "invalid_month_range", "month_range_too_long"]),
    ("exportStatsOverviewXlsx", &["invalid_month", "invalid_month_range", "month_range_too_long"]),
    ("exportTalent", &["unknown_kind"]),
    ("getAnnouncement", &[]),
    ("getCeReport", &[]),
    ("getCheckInCode", &["task_closed"]),
    ("getCourse", &[]),
    ("getCoursePrerequisites", &[]),
    ("getCredential", &[]),
    ("getFundCommittee", &[]),
    ("getFundDisclosure", &[]),
    ("getHonourNomination", &[]),
    ("getHonourProgramme", &[]),
    ("getHonourRanking", &[]),
    ("getProject", &[]),
    ("getSocialOrganisation", &[]),
    ("listCharityFunds", &[]),
    ("listFundGrants", &[]),
    ("listFundLedger", &[]),
    ("listHonourPanel", &[]),
    ("getLeaderboard", &[]),
    ("getMe", &[]),
    ("getMentoringOversight", &[]),
    ("getMentoringRecord", &[]),
    ("getMentoringSession", &[]),
    ("getMyHours", &[]),
    ("getMyMentoring", &[]),
    ("getMySensitive", &[]),
    ("getMyTraining", &[]),
    ("getNotificationPreferences", &[]),
    ("getOrgUnit", &[]),
    ("getOrgUnitAncestors", &[]),
    ("getPairing", &[]),
    ("getPresenceCode", &["not_confirmed", "task_closed"]),
    ("getSignup", &[]),
    ("getStatsHours", &["invalid_month", "invalid_month_range", "month_range_too_long"]),
    ("getStatsOverview", &["invalid_month", "invalid_month_range", "month_range_too_long"]),
    ("getTask", &[]),
    ("getTaskPrerequisites", &[]),
    ("getTrainingSession", &[]),
    ("getUser", &[]),
    ("getUserSensitive", &[]),
    ("giveConsent", &["guardian_confirmation_required"]),
    ("healthz", &[]),
    ("honourWall", &[]),
    ("listAnnouncements", &[]),
    ("listAuditLog", &[]),
    ("listCourses", &[]),
    ("listCredentialKinds", &[]),
    ("listCredentials", &[]),
    ("listDeadJobs", &[]),
    ("listDevices", &[]),
    ("listHonourNominations", &[]),
    ("listHonourNotices", &[]),
    ("listHonourObjections", &[]),
    ("listHonourProgrammes", &[]),
    ("listHonourReviewQueue", &["not_a_reviewer", "review_not_open"]),
    ("listHoursForReview", &[]),
    ("listIdentityDisputes", &[]),
    ("listManagedTasks", &[]),
    ("listMentoringSessions", &[]),
    ("listMyConsents", &[]),
    ("listMyCredentials", &[]),
    ("listMyAnnouncements", &[]),
    ("listMyEnrolments", &[]),
    ("listMyHonours", &[]),
    ("listMyLearning", &[]),
    ("listMyServiceRecords", &[]),
    ("listMySignups", &[]),
    ("listNeeds", &[]),
    ("listNotifications", &[]),
    ("listOrgUnits", &[]),
    ("listPairMessages", &[]),
    ("listPairings", &[]),
    ("listProjects", &[]),
    ("listResources", &[]),
    ("listSessionEnrolments", &[]),
    ("listPendingAttendance", &[]),
    ("listSocialOrganisations", &[]),
    ("listTaskSignups", &[]),
    ("listTrainingClaims", &[]),
    ("listTrainingSessions", &[]),
    ("listUsers", &[]),
    (
        "logMentoringSession",
        &["invalid_correction", "invalid_duration", "pairing_not_active", "session_in_future", "task_required"],
    ),
    ("login", &["account_locked", "account_suspended", "invalid_credentials"]),
    (
        "loginWithCode",
        &[
            "account_suspended",
            "code_attempts_exhausted",
            "code_expired",
            "code_invalid",
            "invalid_birth_date",
            "invalid_phone",
            "invalid_time_zone",
            "org_unit_not_found",
            "phone_taken",
            "registration_required",
            "weak_password",
        ],
    ),
    ("logout", &[]),
    ("lookupIdentity", &["invalid_id_number"]),
    ("markAllNotificationsRead", &[]),
    ("markNotificationRead", &[]),
    ("markPairMessagesRead", &[]),
    ("messageTaskPeople", &["task_not_published", "text_too_long"]),
    ("metrics", &[]),
    (
        "nominateForHonour",
        &[
            "already_nominated",
            "decision_not_yours",
            "nomination_closed",
            "not_eligible",
            "override_not_allowed",
            "quota_exceeded",
            "self_nomination",
            "wrong_role",
        ],
    ),
    ("objectToHonour", &["already_objected", "notice_closed"]),
    ("offerResource", &["org_unit_not_found", "recipient_not_found", "resource_source_required"]),
    ("proposeFundGrant", &["insufficient_fund_balance", "recipient_not_found"]),
    (
        "proposePairing",
        &[
            "different_station",
            "mentee_has_mentor",
            "mentee_not_volunteer",
            "mentor_at_capacity",
            "mentor_not_qualified",
            "mentor_not_social_worker",
            "pairing_exists",
            "person_inactive",
        ],
    ),
    ("publishTask", &["insurance_required", "not_a_draft", "starts_in_past"]),
    ("readyz", &[]),
    (
        "recordAttendance",
        &[
            "already_checked_in",
            "already_checked_out",
            "before_check_in",
            "decision_not_yours",
            "not_checked_in",
            "not_confirmed",
            "outside_check_in_window",
            "own_attendance",
            "task_closed",
            "time_in_future",
        ],
    ),
    ("recordFundDonation", &["invalid_dates"]),
    ("recordGrantDisbursement", &["disbursement_exceeds_grant", "grant_not_approved", "invalid_dates"]),
    ("recordNeed", &["consent_required", "org_unit_not_found"]),
    ("recordRegistration", &["ce_incomplete", "invalid_dates", "not_registrable", "not_verified", "renewal_not_open"]),
    ("recordTrainingAttendance", &["attendance_recorded", "not_enrolled", "own_attendance", "session_not_started"]),
    ("recuseFromHonourNomination", &["already_scored", "conflict_of_interest", "not_a_reviewer"]),
    ("refresh", &["invalid_refresh_token", "refresh_token_reused"]),
    (
        "register",
        &[
            "code_attempts_exhausted",
            "code_expired",
            "code_invalid",
            "invalid_birth_date",
            "invalid_phone",
            "invalid_time_zone",
            "org_unit_not_found",
            "phone_taken",
            "weak_password",
        ],
    ),
    ("registerDevice", &["invalid_token"]),
    (
        "registerSocialOrganisation",
        &["credit_code_taken", "invalid_credit_code", "invalid_evaluation", "org_unit_not_found"],
    ),
    ("rejectCredential", &["decision_not_yours", "invalid_credential_state"]),
    ("removeSignup", &["signup_not_live"]),
    ("requestCode", &["code_requested_too_often", "invalid_phone"]),
    ("requestPhoneChangeCode", &["code_requested_too_often", "invalid_phone"]),
    ("requestServiceRecord", &["invalid_period", "nothing_to_certify", "org_unit_not_found", "real_name_unavailable"]),
    (
        "resetPassword",
        &[
            "account_suspended",
            "code_attempts_exhausted",
            "code_expired",
            "code_invalid",
            "invalid_phone",
            "weak_password",
        ],
    ),
    ("resolveHonourObjection", &["already_resolved", "notice_closed"]),
    ("respondToReminder", &["not_confirmed", "signup_not_live", "task_started"]),
    ("retryDeadJob", &[]),
    ("revokeCredential", &["decision_not_yours", "invalid_credential_state"]),
    ("revokeHonour", &["not_published"]),
    ("revokeServiceRecord", &["already_revoked"]),
    (
        "scoreHonourNomination",
        &[
            "already_scored",
            "conflict_of_interest",
            "decision_not_yours",
            "invalid_scores",
            "nomination_not_open",
            "not_a_reviewer",
            "review_closed",
            "score_out_of_range",
        ],
    ),
    (
        "scanPresenceCode",
        &[
            "already_checked_out",
            "check_in_code_expired",
            "check_in_code_invalid",
            "check_in_code_wrong_kind",
            "check_in_code_wrong_task",
            "invalid_coordinates",
            "location_required",
            "not_checked_in",
            "not_confirmed",
            "outside_check_in_window",
            "own_attendance",
            "task_closed",
        ],
    ),
    ("searchTalent", &["unknown_kind"]),
    ("sendPairMessage", &["thread_read_only"]),
    ("sendPasswordResetCode", &["code_requested_too_often", "invalid_phone"]),
    ("serviceRecordPage", &[]),
    ("setCoursePrerequisites", &["course_not_found", "unknown_kind"]),
    ("setFundCommittee", &["invalid_committee_member"]),
    ("setMyGuardian", &["code_requested_too_often", "guardian_phone_not_allowed", "invalid_phone"]),
    ("setMyHealthNotes", &[]),
    ("setMyIdentity", &["invalid_id_number"]),
    ("setPairingGoals", &["pairing_closed"]),
    ("setTaskPrerequisites", &["course_not_found", "unknown_kind"]),
    (
        "signUp",
        &[
            "guardian_consent_required",
            "prerequisite_missing",
            "schedule_conflict",
            "signup_closed",
            "signup_refused",
            "skills_missing",
        ],
    ),
    ("streamEvents", &[]),
    ("submitCredential", &["duplicate_number", "invalid_dates", "not_registrable", "unknown_kind"]),
    ("suggestMentors", &["mentee_not_volunteer"]),
    ("suggestResources", &[]),
    ("unreadNotificationCount", &[]),
    ("updateCredential", &["credential_locked", "duplicate_number", "invalid_dates", "not_registrable"]),
    (
        "updateHonourProgramme",
        &[
            "invalid_criteria",
            "invalid_notice_period",
            "invalid_rule",
            "invalid_time_zone",
            "invalid_windows",
            "programme_locked",
        ],
    ),
    ("updateMe", &["invalid_coordinates", "invalid_time_zone", "not_a_social_worker", "org_unit_not_found"]),
    ("updateNotificationPreferences", &["category_not_mutable", "invalid_time"]),
    (
        "updateOrgUnit",
        &["invalid_coordinates", "invalid_placement", "invalid_time_zone", "org_unit_cycle", "parent_not_found"],
    ),
    ("updateProject", &["funding_outside_project", "invalid_dates", "project_closed"]),
    ("updateSocialOrganisation", &["invalid_evaluation", "org_unit_not_found"]),
    (
        "updateTask",
        &[
            "capacity_below_confirmed",
            "insurance_required",
            "invalid_capacity",
            "invalid_coordinates",
            "invalid_deadline",
            "invalid_time_range",
            "leader_not_found",
            "project_closed",
            "project_not_found",
            "starts_in_past",
            "task_closed",
            "task_outside_project",
        ],
    ),
    ("updateUser", &["org_unit_not_found", "org_unit_required"]),
    ("verifyCredential", &["credential_expired", "decision_not_yours", "invalid_credential_state"]),
    ("verifyServiceRecord", &[]),
    ("withdrawAsGuardian", &["code_attempts_exhausted", "code_expired", "code_invalid", "invalid_phone"]),
    ("withdrawConsent", &["use_erasure"]),
];

/// The codes of an operation beyond [`GENERIC`], or `None` for an operationId without a row.
pub fn codes_for(operation_id: &str) -> Option<&'static [&'static str]> {
    CODES.iter().find(|(id, _)| *id == operation_id).map(|(_, codes)| *codes)
}

/// Writes each operation's codes into the document: `x-problem-codes` (always, possibly empty)
/// and, when there are any, a "Problem codes:" line at the end of its description.
pub fn annotate(doc: &mut Value) {
    let paths = doc.get_mut("paths").and_then(|p| p.as_object_mut());
    for item in paths.into_iter().flat_map(|p| p.values_mut()) {
        for op in item.as_object_mut().into_iter().flat_map(|i| i.values_mut()) {
            let Some(codes) = op["operationId"].as_str().and_then(codes_for) else {
                continue;
            };
            op["x-problem-codes"] = Value::from(codes.to_vec());
            if codes.is_empty() {
                continue;
            }
            let line = format!(
                "Problem codes (besides the generic ones): {}.",
                codes.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
            );
            let description = match op["description"].as_str() {
                Some(d) if !d.is_empty() => format!("{d}\n\n{line}"),
                _ => line,
            };
            op["description"] = Value::String(description);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    /// What a code is raised with, just before its string literal.
    const RAISERS: &[&str] = &["invalid(", "conflict(", "unauthenticated(", "bad_request(", "code:"];

    /// The codes `source` raises: string literals right after a raiser or after
    /// `StatusCode::<NAME>,`.
    fn raised(source: &str) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        for (i, _) in source.match_indices('"') {
            let before = source[..i].trim_end();
            let after_status = before.strip_suffix(',').map(str::trim_end).and_then(|b| {
                let name_start = b.rfind(|c: char| !(c.is_ascii_uppercase() || c == '_'))? + 1;
                b[..name_start].ends_with("StatusCode::").then_some(())
            });
            if !RAISERS.iter().any(|r| before.ends_with(r)) && after_status.is_none() {
                continue;
            }
            let rest = &source[i + 1..];
            let literal: String = rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
            if !literal.is_empty() && rest[literal.len()..].starts_with('"') {
                found.insert(literal);
            }
        }
        found
    }

    /// Every code raised anywhere in `src/` outside tests (this file's table aside).
    fn raised_in_src() -> BTreeSet<String> {
        fn walk(dir: &Path, out: &mut BTreeSet<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("api/problem_codes.rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    // Tests raise made-up codes; only what the service raises counts.
                    out.extend(raised(text.split("#[cfg(test)]").next().unwrap_or_default()));
                }
            }
        }
        let mut out = BTreeSet::new();
        walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
        out
    }

    #[test]
    fn the_scanner_finds_raised_codes_and_nothing_else() {
        let source = r#"
            return Err(DomainError::conflict("seat_gone", "taken"));
            DomainError::invalid(
                "bad_thing", "no");
            ApiError::new(StatusCode::CONFLICT, "state_moved", "later");
            DomainError::TooMany { code: "slow_down", detail: d, retry_after_secs: 1 };
            let label = "not_a_code";
            t.kind == "also_not"
        "#;
        let expected: BTreeSet<String> =
            ["seat_gone", "bad_thing", "state_moved", "slow_down"].iter().map(|s| s.to_string()).collect();
        assert_eq!(raised(source), expected);
    }

    #[test]
    fn every_listed_code_is_raised_somewhere() {
        let raised = raised_in_src();
        for (op, codes) in CODES {
            for code in *codes {
                assert!(raised.contains(*code), "{op} lists `{code}`, which nothing in src/ raises");
                assert!(!GENERIC.contains(code), "{op} lists the generic `{code}`");
            }
        }
        for code in GENERIC {
            assert!(raised.contains(*code), "the generic `{code}` is raised nowhere in src/");
        }
    }

    #[test]
    fn every_raised_code_is_listed() {
        let listed: BTreeSet<&str> = CODES.iter().flat_map(|(_, c)| c.iter().copied()).collect();
        let unlisted: Vec<String> = raised_in_src()
            .into_iter()
            .filter(|code| {
                !listed.contains(code.as_str())
                    && !GENERIC.contains(&code.as_str())
                    && !NOT_FROM_THE_API.iter().any(|(c, _)| c == code)
            })
            .collect();
        assert!(
            unlisted.is_empty(),
            "raised in src/ but listed for no operation in api::problem_codes::CODES: {unlisted:?}"
        );
    }

    #[test]
    fn every_operation_has_exactly_one_row() {
        let doc: Value = serde_json::from_str(&crate::api::service().spec()).unwrap();
        let mut in_doc = BTreeSet::new();
        for item in doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                let id = op["operationId"].as_str().unwrap();
                assert!(codes_for(id).is_some(), "{id} has no row in api::problem_codes::CODES");
                in_doc.insert(id.to_string());
            }
        }
        let mut rows = BTreeSet::new();
        for (id, _) in CODES {
            assert!(rows.insert(*id), "{id} has two rows");
            assert!(in_doc.contains(*id), "{id} has a row but is no operation of the document");
        }
    }
}
