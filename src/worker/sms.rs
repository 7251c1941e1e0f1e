//! `sms.code` and `sms.note`: text messages through the configured provider
//! (`jobs::sms`): a verification code (or the note that replaces it, see
//! `domain::people::codes::outgoing`), and notes without a code.
//!
//! Outcomes: sent, the code's number and code are forgotten; a per-number frequency limit or an
//! invalid number is final (the person may ask again); a configuration fault (template,
//! signature, credentials) is logged as an alert, counted in `wushe_sms_total{outcome=
//! "config_fault"}` and dead-letters the job at once; anything transient retries with the
//! job's backoff (`codes::SMS_OPTIONS`, within the code's validity).

use crate::config::{SmsConfig, SmsTemplates};
use crate::domain::people::codes::{self, Outgoing, SendCode, SendNote, Template};
use crate::state::AppState;
use jobs::sms::{Sms, SmsOutcome};
use jobs::{JobContext, JobError, Perform};

impl Perform<AppState> for SendCode {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        send_code(&state, self.code_id).await
    }
}

impl Perform<AppState> for SendNote {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        let out = codes::note_recipient(&state.data_key, &self)?;
        deliver(&state, &out).await.map(|_| ())
    }
}

/// Sends the text of one code row (what `sms.code` runs).
pub async fn send_code(state: &AppState, code_id: uuid::Uuid) -> Result<(), JobError> {
    let now = state.clock.now();
    let Some(out) = codes::outgoing(&state.db, &state.data_key, code_id, now).await? else {
        state.jobs.metrics.sms(state.jobs.sms.name(), "skipped");
        codes::mark_handled(&state.db, code_id, false, now).await?;
        return Ok(());
    };
    let sent = deliver(state, &out).await?;
    codes::mark_handled(&state.db, code_id, sent, now).await?;
    Ok(())
}

/// Sends one text; `Ok(false)` when the provider refused it for good for this number.
async fn deliver(state: &AppState, out: &Outgoing) -> Result<bool, JobError> {
    let provider = &state.jobs.sms;
    let sms = to_provider(&state.config.sms, out);
    let masked = jobs::sms::masked(&sms.phone);
    let outcome = provider.send(&sms).await;
    let (label, result) = match &outcome {
        SmsOutcome::Sent { .. } => ("sent", Ok(true)),
        SmsOutcome::RateLimited { detail } => {
            tracing::warn!(phone = %masked, %detail, "sms refused: the number's frequency limit");
            ("rate_limited", Ok(false))
        }
        SmsOutcome::InvalidNumber { detail } => {
            tracing::warn!(phone = %masked, %detail, "sms refused: not a number the provider sends to");
            ("invalid_number", Ok(false))
        }
        SmsOutcome::ConfigFault { detail } => {
            tracing::error!(alert = true, provider = provider.name(), template = %sms.template, %detail,
                "sms configuration refused by the provider: fix WUSHE_SMS_* (no retry)");
            ("config_fault", Err(JobError::fatal(format!("sms configuration fault: {detail}"))))
        }
        SmsOutcome::Transient { detail } => ("transient", Err(JobError::retry(format!("sms: {detail}")))),
    };
    state.jobs.metrics.sms(provider.name(), label);
    result
}

/// The provider's form of a text: its template id, and the number as the providers take it (a
/// mainland number as its 11 digits; others with their country code, without `+`).
fn to_provider(config: &SmsConfig, out: &Outgoing) -> Sms {
    let t: &SmsTemplates = &config.templates;
    let template = match out.template {
        Template::Code => &t.code,
        Template::Guardian => &t.guardian,
        Template::AccountExists => &t.account_exists,
        Template::PhoneChanged => &t.phone_changed,
    };
    let digits = out.phone.trim_start_matches('+');
    let phone = digits.strip_prefix("86").filter(|n| n.len() == 11).unwrap_or(digits).to_string();
    Sms {
        phone,
        template: template.clone(),
        params: out.params.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_templates_take_the_providers_form() {
        let config = SmsConfig::default();
        let out = Outgoing {
            phone: "+8613800138000".into(),
            template: Template::Code,
            params: vec![("code", "012345".into())],
        };
        let sms = to_provider(&config, &out);
        assert_eq!(sms.phone, "13800138000");
        assert_eq!(sms.template, config.templates.code);
        assert_eq!(sms.params.get("code").map(String::as_str), Some("012345"));
        let hk = Outgoing { phone: "+85291234567".into(), template: Template::PhoneChanged, params: vec![] };
        assert_eq!(to_provider(&config, &hk).phone, "85291234567");
    }
}
