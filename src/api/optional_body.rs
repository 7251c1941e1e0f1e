//! An optional JSON request body: documented as `required: false`, and a request with no body
//! at all (no `Content-Type`, nothing sent) is taken as "no body", which poem-openapi's `Json`
//! refuses ("the client request does not include the `Content-Type` header"). Generated
//! clients send neither header nor body when the caller passes none.

use poem::{FromRequest, Request, RequestBody, Result};
use poem_openapi::error::ContentTypeError;
use poem_openapi::payload::{Json, ParsePayload, Payload};
use poem_openapi::registry::{MetaMediaType, MetaRequest, Registry};
use poem_openapi::types::ParseFromJSON;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

/// A JSON body the client may leave out: `None` when it did.
pub struct OptionalJson<T>(pub Option<T>);

impl<'a, T: ParseFromJSON> ApiExtractor<'a> for OptionalJson<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Json<T> as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: <Json<T> as Payload>::CONTENT_TYPE,
                schema: <Json<T> as Payload>::schema_ref(),
            }],
            required: false,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> Result<Self> {
        match request.content_type() {
            Some(content_type) if <Json<T> as Payload>::check_content_type(content_type) => {
                let Json(value) = <Json<Option<T>> as ParsePayload>::from_request(request, body).await?;
                Ok(Self(value))
            }
            Some(content_type) => Err(ContentTypeError::NotSupported { content_type: content_type.to_string() }.into()),
            None => {
                if <Vec<u8> as FromRequest>::from_request(request, body).await?.is_empty() {
                    Ok(Self(None))
                } else {
                    Err(ContentTypeError::ExpectContentType.into())
                }
            }
        }
    }
}
