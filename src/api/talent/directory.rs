//! The talent directory (`/api/v1/talent`, `/api/v1/talent.csv`): people in scope by
//! qualification level, credential kind, skill and continuing-education standing, as a page or a
//! streamed CSV. Rules: `domain::talent::directory`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::csv::{self, CsvFile};
use crate::api::error::ApiResult;
use crate::api::talent::learning::TrainingProgress;
use crate::api::types::{QualificationLevel, page_of};
use crate::domain::kernel::page::PageRequest;
use crate::domain::people::phone;
use crate::domain::talent::directory;
use crate::state::AppState;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::{Object, OpenApi, payload::Json};
use uuid::Uuid;

/// The talent directory.
pub struct TalentDirectoryApi;

/// A person in the talent directory.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct TalentLine {
    pub person_id: Uuid,
    pub name: String,
    pub volunteer_number: String,
    /// Masked.
    pub phone: String,
    pub org_unit_id: Option<Uuid>,
    /// Verified credential kinds.
    pub credential_kinds: Vec<String>,
    pub skills: Vec<String>,
    pub progress: TrainingProgress,
}

impl From<directory::Line> for TalentLine {
    fn from(l: directory::Line) -> Self {
        TalentLine {
            person_id: l.person.id,
            name: l.person.name,
            volunteer_number: l.person.volunteer_number,
            phone: phone::mask(&l.person.phone),
            org_unit_id: l.person.org_unit_id,
            credential_kinds: l.kinds,
            skills: l.skills,
            progress: l.standing.into(),
        }
    }
}

page_of!(TalentPage, TalentLine);

#[OpenApi(tag = "Tag::Training")]
impl TalentDirectoryApi {
    /// The talent directory: people in one's scope by qualification level, credential kind,
    /// skill and continuing-education status (administrators).
    #[oai(path = "/api/v1/talent", method = "get", operation_id = "searchTalent")]
    #[allow(clippy::too_many_arguments, reason = "one extractor per query parameter, as poem-openapi declares them")]
    async fn talent(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// At least this level.
        #[oai(name = "minLevel")]
        min_level: Query<Option<QualificationLevel>>,
        #[oai(name = "credentialKind", validator(max_length = 64))] credential_kind: Query<Option<String>>,
        #[oai(validator(max_length = 50))] skill: Query<Option<String>>,
        /// Only those behind (true) or on track with (false) their CE requirement.
        #[oai(name = "ceBehind")]
        ce_behind: Query<Option<bool>>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<TalentPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        let f = directory::Filter {
            min_level: min_level.0.map(Into::into),
            credential_kind: credential_kind.0,
            skill: skill.0,
            ce_behind: ce_behind.0,
        };
        directory::check_filter(&state.db, &f).await?;
        let p =
            directory::search(&state.db, &state.config.talent, &auth.0.actor(), state.clock.now(), &f, page).await?;
        Ok(Json(p.into()))
    }

    /// The talent directory as CSV, streamed (administrators). Phone numbers are masked unless
    /// `fullPhones` is set, which is recorded in the audit log.
    #[oai(path = "/api/v1/talent.csv", method = "get", operation_id = "exportTalent")]
    #[allow(clippy::too_many_arguments, reason = "one extractor per query parameter, as poem-openapi declares them")]
    async fn talent_csv(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(name = "minLevel")] min_level: Query<Option<QualificationLevel>>,
        #[oai(name = "credentialKind", validator(max_length = 64))] credential_kind: Query<Option<String>>,
        #[oai(validator(max_length = 50))] skill: Query<Option<String>>,
        #[oai(name = "ceBehind")] ce_behind: Query<Option<bool>>,
        /// Whole phone numbers instead of masked ones (audited).
        #[oai(name = "fullPhones")]
        full_phones: Query<Option<bool>>,
    ) -> ApiResult<CsvFile> {
        let actor = auth.0.actor();
        actor.admin_scope_root()?;
        let f = directory::Filter {
            min_level: min_level.0.map(Into::into),
            credential_kind: credential_kind.0,
            skill: skill.0,
            ce_behind: ce_behind.0,
        };
        directory::check_filter(&state.db, &f).await?;
        let full = full_phones.0.unwrap_or(false);
        let now = state.clock.now();
        if full {
            directory::audit_full_phones(&state.db, &actor, now).await?;
        }
        let (db, cfg) = (state.db.clone(), state.config.talent.clone());
        let header = [
            "name",
            "volunteer_number",
            "phone",
            "level",
            "credential_kinds",
            "skills",
            "ce_required_hours",
            "ce_completed_hours",
            "ce_missing_hours",
        ];
        Ok(csv::stream("talent.csv", &header, move |after: Option<String>| {
            let (db, cfg, actor, f) = (db.clone(), cfg.clone(), actor.clone(), f.clone());
            async move {
                let page = PageRequest::parse(after.as_deref(), Some(100)).map_err(|e| e.to_string())?;
                let p = directory::search(&db, &cfg, &actor, now, &f, page).await.map_err(|e| e.to_string())?;
                let rows = p
                    .items
                    .into_iter()
                    .map(|l| {
                        let progress = TrainingProgress::from(l.standing.clone());
                        let level =
                            l.standing.level.map(crate::domain::talent::credentials::kind_of).unwrap_or_default();
                        vec![
                            l.person.name.clone(),
                            l.person.volunteer_number.clone(),
                            if full { l.person.phone.clone() } else { phone::mask(&l.person.phone) },
                            level.to_string(),
                            l.kinds.join(" "),
                            l.skills.join(" "),
                            progress.required_hours.to_string(),
                            progress.completed_hours.to_string(),
                            progress.missing_hours.to_string(),
                        ]
                    })
                    .collect();
                Ok((rows, p.next_cursor))
            }
        }))
    }
}
