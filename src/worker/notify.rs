//! `notify`: delivers one [`Message`] to one person. The delivery (inbox row, preferences, push
//! scheduling) is `domain::messaging::delivery`; a message whose template cannot be rendered is a
//! dead letter at once.

use crate::domain::messaging::delivery::{self, DeliveryError};
use crate::domain::messaging::notifications::Message;
use crate::state::AppState;
use jobs::{JobContext, JobError, Perform};

impl Perform<AppState> for Message {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        delivery::deliver(&state.db, &self, state.clock.now()).await.map_err(|e| match e {
            DeliveryError::Template(e) => JobError::fatal(e.to_string()),
            DeliveryError::Db(e) => e.into(),
        })
    }
}
