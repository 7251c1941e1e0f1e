//! Honours as shown: the public honour wall (`/api/v1/honours`, no sign-in) and one's own
//! honours (`/api/v1/me/honours`), with the wire types of an honour. Rules:
//! `domain::honours::notice`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::honours::programmes::HonourKind;
use crate::api::types::{page_of, wire_enum};
use crate::domain::honours::notice::{self, PublicHonour as DomainPublicHonour, WallFilter};
use crate::domain::kernel::page::PageRequest;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// The honour wall and one's own honours.
pub struct HonourWallApi;

wire_enum! {
    /// Where an honour stands.
    HonourStatus mirrors entity::honour::HonourStatus {
        /// Decided; in public notice while its programme is.
        Decided = "decided",
        /// Withdrawn after an upheld objection.
        Withdrawn = "withdrawn",
        Published = "published",
        /// Revoked after publication (fraud).
        Revoked = "revoked",
    }
}

/// An honour, in full (its holder and city administrators).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Honour {
    pub id: Uuid,
    /// Absent for automatic honours.
    pub programme_id: Option<Uuid>,
    pub recipient_id: Uuid,
    pub kind: HonourKind,
    pub year: i32,
    pub title: String,
    pub citation: String,
    pub status: HonourStatus,
    /// Why it was withdrawn or revoked.
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl From<entity::honour::Model> for Honour {
    fn from(h: entity::honour::Model) -> Self {
        Honour {
            id: h.id,
            programme_id: h.programme_id,
            recipient_id: h.recipient_id,
            kind: h.kind.into(),
            year: h.year,
            title: h.title,
            citation: h.citation,
            status: h.status.into(),
            reason: h.reason,
            created_at: h.created_at,
            published_at: h.published_at,
            ended_at: h.ended_at,
        }
    }
}

page_of!(HonourPage, Honour);

/// An honour as anyone may see it: no phone numbers, no private data.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct PublicHonour {
    pub id: Uuid,
    pub person_id: Uuid,
    pub name: String,
    /// The holder's station (社工站), if any.
    pub station: Option<String>,
    pub kind: HonourKind,
    pub title: String,
    pub year: i32,
    pub citation: String,
    pub published_at: Option<DateTime<Utc>>,
    /// In public notice: when the notice ends.
    pub notice_ends_at: Option<DateTime<Utc>>,
}

impl From<DomainPublicHonour> for PublicHonour {
    fn from(p: DomainPublicHonour) -> Self {
        let h = p.honour;
        PublicHonour {
            id: h.id,
            person_id: h.recipient_id,
            name: p.name,
            station: p.station,
            kind: h.kind.into(),
            title: h.title,
            year: h.year,
            citation: h.citation,
            published_at: h.published_at,
            notice_ends_at: p.notice_ends_at,
        }
    }
}

impl From<DomainPublicHonour> for Honour {
    fn from(p: DomainPublicHonour) -> Self {
        p.honour.into()
    }
}

page_of!(PublicHonourPage, PublicHonour);

#[OpenApi(tag = "Tag::Honours")]
impl HonourWallApi {
    /// The honour wall: published honours, newest first: name, station, award, year, citation.
    /// No sign-in needed; nothing private. `personId` gives one person's honours (their
    /// profile).
    #[oai(path = "/api/v1/honours", method = "get", operation_id = "honourWall")]
    async fn wall(
        &self,
        state: Data<&AppState>,
        year: Query<Option<i32>>,
        kind: Query<Option<HonourKind>>,
        #[oai(name = "personId")] person_id: Query<Option<Uuid>>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<PublicHonourPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        let f = WallFilter { year: year.0, kind: kind.0.map(Into::into), person: person_id.0 };
        Ok(Json(notice::wall(&state.db, f, page).await?.into()))
    }

    /// One's own honours, any status, newest first.
    #[oai(path = "/api/v1/me/honours", method = "get", operation_id = "listMyHonours")]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<HonourPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(notice::mine(&state.db, &auth.0.actor(), page).await?.into()))
    }
}
