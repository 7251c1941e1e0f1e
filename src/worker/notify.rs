//! `notify`: delivers one [`Message`] to one person. The delivery (inbox row, preferences, push
//! scheduling) is `domain::messaging::delivery`; a message whose template cannot be rendered is a
//! dead letter at once. Afterwards the person's open live event streams are woken.

use crate::domain::messaging::delivery::{self, DeliveryError};
use crate::domain::messaging::notifications::Message;
use crate::state::AppState;
use jobs::{JobContext, JobError, Perform};

impl Perform<AppState> for Message {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        delivery::deliver(&state.db, &self, state.clock.now()).await.map_err(|e| match e {
            DeliveryError::Template(e) => JobError::fatal(e.to_string()),
            DeliveryError::Db(e) => e.into(),
        })?;
        // Open apps learn of the new inbox row (a redelivery wakes them for nothing new).
        state.live.publish(crate::live::Signal::News(self.recipient)).await;
        Ok(())
    }
}
