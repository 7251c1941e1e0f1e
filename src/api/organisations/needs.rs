//! `/api/v1/needs` and `/api/v1/resources`: the "three lists" (三张清单): residents' needs a
//! community records, the resources on offer, suggestions matching the two with their reasons,
//! and a need answered by a project. Rules: `domain::organisations::needs`.

use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::types::{page_of, wire_enum};
use crate::api::{Created, Tag};
use crate::domain::kernel::page::PageRequest;
use crate::domain::organisations::needs::{self, NewNeed, NewResource, Reason};
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use entity::{community_need, community_resource};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Needs and resources.
pub struct NeedsApi;

wire_enum! {
    /// What kind of need.
    NeedKind mirrors community_need::NeedKind {
        /// 养老
        ElderlyCare = "elderly_care",
        /// 儿童
        ChildCare = "child_care",
        /// 助残
        Disability = "disability",
        /// 困难帮扶
        Hardship = "hardship",
        /// 健康
        Health = "health",
        /// 环境
        Environment = "environment",
        /// 安全
        Safety = "safety",
        /// 文体
        Culture = "culture",
        Other = "other",
    }
}

wire_enum! {
    /// How soon a need must be met.
    Urgency mirrors community_need::Urgency { Low = "low", Normal = "normal", High = "high", Urgent = "urgent" }
}

wire_enum! {
    /// Where a need stands.
    NeedStatus mirrors community_need::NeedStatus {
        Open = "open",
        /// A project answers it.
        Answered = "answered",
    }
}

wire_enum! {
    /// What a resource offers.
    ResourceKind mirrors community_resource::ResourceKind {
        VolunteerSkill = "volunteer_skill",
        /// A social organisation's service (`organisationId`).
        OrganisationService = "organisation_service",
        /// A charity fund's money (`fundId`).
        FundMoney = "fund_money",
        Venue = "venue",
        Goods = "goods",
        Other = "other",
    }
}

/// Why a resource was suggested.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum SuggestionReason {
    /// Offered at the need's own unit.
    SameUnit,
    /// Offered by a unit above the need's.
    FromAbove,
    /// Offered elsewhere in the need's station.
    Nearby,
    /// Meant for this kind of need.
    FitsKind,
    /// Meant for any need.
    General,
    /// Money, for an urgent need.
    QuickMoney,
    /// Run by an organisation graded 4A or 5A.
    GradedOrganisation,
}

impl From<Reason> for SuggestionReason {
    fn from(r: Reason) -> Self {
        match r {
            Reason::SameUnit => SuggestionReason::SameUnit,
            Reason::FromAbove => SuggestionReason::FromAbove,
            Reason::Nearby => SuggestionReason::Nearby,
            Reason::FitsKind => SuggestionReason::FitsKind,
            Reason::General => SuggestionReason::General,
            Reason::QuickMoney => SuggestionReason::QuickMoney,
            Reason::GradedOrganisation => SuggestionReason::GradedOrganisation,
        }
    }
}

/// A need.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Need {
    pub id: Uuid,
    pub org_unit_id: Uuid,
    pub kind: NeedKind,
    pub title: String,
    pub description: Option<String>,
    pub households: Option<i32>,
    pub people: Option<i32>,
    pub urgency: Urgency,
    pub place: Option<String>,
    /// A resident's contact, kept only with their consent.
    pub contact: Option<String>,
    pub status: NeedStatus,
    /// The project answering it.
    pub project_id: Option<Uuid>,
    pub answered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<community_need::Model> for Need {
    fn from(m: community_need::Model) -> Self {
        Need {
            id: m.id,
            org_unit_id: m.org_unit_id,
            kind: m.kind.into(),
            title: m.title,
            description: m.description,
            households: m.households,
            people: m.people,
            urgency: m.urgency.into(),
            place: m.place,
            contact: m.contact,
            status: m.status.into(),
            project_id: m.project_id,
            answered_at: m.answered_at,
            created_at: m.created_at,
        }
    }
}

page_of!(NeedPage, Need);

/// A resource on offer.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Resource {
    pub id: Uuid,
    pub org_unit_id: Uuid,
    pub kind: ResourceKind,
    pub title: String,
    pub description: Option<String>,
    /// The kind of need it is meant for; absent: any.
    pub serves: Option<NeedKind>,
    pub organisation_id: Option<Uuid>,
    pub fund_id: Option<Uuid>,
    pub available_until: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

impl From<community_resource::Model> for Resource {
    fn from(m: community_resource::Model) -> Self {
        Resource {
            id: m.id,
            org_unit_id: m.org_unit_id,
            kind: m.kind.into(),
            title: m.title,
            description: m.description,
            serves: m.serves.map(Into::into),
            organisation_id: m.organisation_id,
            fund_id: m.fund_id,
            available_until: m.available_until,
            created_at: m.created_at,
        }
    }
}

page_of!(ResourcePage, Resource);

/// A resource suggested for a need.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Suggestion {
    pub resource: Resource,
    /// Higher is better.
    pub score: i32,
    pub reasons: Vec<SuggestionReason>,
}

/// A need to record. No resident's name; a contact only with `contactConsented`.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecordNeed {
    pub org_unit_id: Uuid,
    pub kind: NeedKind,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub title: String,
    #[oai(validator(max_length = 4000))]
    pub description: Option<String>,
    #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
    pub households: Option<i32>,
    #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
    pub people: Option<i32>,
    pub urgency: Urgency,
    #[oai(validator(max_length = 500))]
    pub place: Option<String>,
    #[oai(default)]
    pub contact_consented: bool,
    /// Only with `contactConsented` (400 `consent_required`).
    #[oai(validator(max_length = 200))]
    pub contact: Option<String>,
}

/// A resource to offer.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct OfferResource {
    pub org_unit_id: Uuid,
    pub kind: ResourceKind,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub title: String,
    #[oai(validator(max_length = 4000))]
    pub description: Option<String>,
    pub serves: Option<NeedKind>,
    /// Required for `organisation_service`.
    pub organisation_id: Option<Uuid>,
    /// Required for `fund_money`.
    pub fund_id: Option<Uuid>,
    pub available_until: Option<NaiveDate>,
}

/// The project answering a need.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnswerNeed {
    pub project_id: Uuid,
}

#[OpenApi(tag = "Tag::Projects")]
impl NeedsApi {
    /// Record a resident need at a unit one serves (social workers and administrators).
    #[oai(path = "/api/v1/needs", method = "post", operation_id = "recordNeed")]
    async fn record(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<RecordNeed>,
    ) -> ApiResult<Created<Need>> {
        let b = body.0;
        let n = NewNeed {
            org_unit_id: b.org_unit_id,
            kind: b.kind.into(),
            title: b.title,
            description: b.description,
            households: b.households,
            people: b.people,
            urgency: b.urgency.into(),
            place: b.place,
            contact_consented: b.contact_consented,
            contact: b.contact,
        };
        let m = needs::record_need(&state.db, &auth.0.actor(), state.clock.now(), n).await?;
        Ok(Created::Created(Json(m.into())))
    }

    /// The needs of the units one serves (within `under`, in a `status`), oldest first.
    #[oai(path = "/api/v1/needs", method = "get", operation_id = "listNeeds")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        under: Query<Option<Uuid>>,
        status: Query<Option<NeedStatus>>,
        cursor: Query<Option<String>>,
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<NeedPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        let p = needs::list_needs(&state.db, &auth.0.actor(), under.0, status.0.map(Into::into), page).await?;
        Ok(Json(p.into()))
    }

    /// Resources suggested for a need, best first, each with the reasons it was chosen.
    #[oai(path = "/api/v1/needs/:id/suggestions", method = "get", operation_id = "suggestResources")]
    async fn suggest(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<Vec<Suggestion>>> {
        let (_, found) = needs::suggest(&state.db, &auth.0.actor(), state.clock.now(), id.0).await?;
        Ok(Json(
            found
                .into_iter()
                .map(|s| Suggestion {
                    resource: s.resource.into(),
                    score: s.score,
                    reasons: s.reasons.into_iter().map(Into::into).collect(),
                })
                .collect(),
        ))
    }

    /// Record that a project of the need's unit (or one above it) answers the need
    /// (administrators); once (409 `need_answered`).
    #[oai(path = "/api/v1/needs/:id/answer", method = "post", operation_id = "answerNeed")]
    async fn answer(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<AnswerNeed>,
    ) -> ApiResult<Json<Need>> {
        let m = needs::answer(&state.db, &auth.0.actor(), state.clock.now(), id.0, body.project_id).await?;
        Ok(Json(m.into()))
    }

    /// Offer a resource at a unit one serves (social workers and administrators).
    #[oai(path = "/api/v1/resources", method = "post", operation_id = "offerResource")]
    async fn offer(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<OfferResource>,
    ) -> ApiResult<Created<Resource>> {
        let b = body.0;
        let r = NewResource {
            org_unit_id: b.org_unit_id,
            kind: b.kind.into(),
            title: b.title,
            description: b.description,
            serves: b.serves.map(Into::into),
            organisation_id: b.organisation_id,
            fund_id: b.fund_id,
            available_until: b.available_until,
        };
        let m = needs::offer_resource(&state.db, &auth.0.actor(), state.clock.now(), r).await?;
        Ok(Created::Created(Json(m.into())))
    }

    /// Open resources (of a unit's subtree, of a kind), oldest first; everyone signed in.
    #[oai(path = "/api/v1/resources", method = "get", operation_id = "listResources")]
    async fn resources(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        under: Query<Option<Uuid>>,
        kind: Query<Option<ResourceKind>>,
        cursor: Query<Option<String>>,
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<ResourcePage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(needs::list_resources(&state.db, under.0, kind.0.map(Into::into), page).await?.into()))
    }
}
