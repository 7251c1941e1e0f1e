//! Text messages (SMS): which provider sends them, its credentials, the approved templates, and
//! how often a phone, an address or a device may ask for a verification code.

use super::{ConfigError, Limit, Secret, invalid};

/// Which provider sends text messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SmsProviderConfig {
    /// Nothing leaves the machine: messages are kept in memory and logged (the code itself only
    /// in development mode). The embedded default.
    Log,
    /// Alibaba Cloud SMS.
    Aliyun { access_key_id: String, access_key_secret: Secret, endpoint: Option<String> },
    /// Tencent Cloud SMS.
    Tencent { secret_id: String, secret_key: Secret, sdk_app_id: String, region: String, endpoint: Option<String> },
}

/// The provider's template ids (approved with the provider beforehand) of each kind of message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmsTemplates {
    /// `WUSHE_SMS_TEMPLATE_CODE`: a verification code, parameter `code`.
    pub code: String,
    /// `WUSHE_SMS_TEMPLATE_GUARDIAN`: a guardian's code, parameters `code` and `name`.
    pub guardian: String,
    /// `WUSHE_SMS_TEMPLATE_ACCOUNT_EXISTS`: the number already has an account (no parameter).
    pub account_exists: String,
    /// `WUSHE_SMS_TEMPLATE_PHONE_CHANGED`: the account moved to another number (no parameter).
    pub phone_changed: String,
}

/// How codes are sent and how often they may be asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmsConfig {
    /// `WUSHE_SMS_PROVIDER`: `log` (default), `aliyun` or `tencent`, with
    /// `WUSHE_SMS_ACCESS_KEY_ID`/`WUSHE_SMS_ACCESS_KEY_SECRET` (Alibaba Cloud) or
    /// `WUSHE_SMS_SECRET_ID`/`WUSHE_SMS_SECRET_KEY`/`WUSHE_SMS_SDK_APP_ID`/`WUSHE_SMS_REGION`
    /// (Tencent Cloud), and `WUSHE_SMS_ENDPOINT` to point either at another address.
    pub provider: SmsProviderConfig,
    /// `WUSHE_SMS_SIGN_NAME`: the approved signature (签名) heading every message.
    pub sign_name: String,
    pub templates: SmsTemplates,
    /// `WUSHE_ENV=development` (the default) lets the log provider write codes to the log, so a
    /// developer can use them; `production` never does, and refuses the log provider.
    pub development: bool,
    /// `WUSHE_RATE_LIMIT_CODE_PHONE` (`1/1m,5/1h,10/1d`): codes per phone number.
    pub per_phone: Vec<Limit>,
    /// `WUSHE_RATE_LIMIT_CODE_IP` (`60/1h`): code requests per client IP (carrier NAT puts many
    /// phones behind one address).
    pub per_ip: Limit,
    /// `WUSHE_RATE_LIMIT_CODE_DEVICE` (`10/1h`): code requests per device id the app sends.
    pub per_device: Limit,
}

impl Default for SmsConfig {
    fn default() -> Self {
        SmsConfig {
            provider: SmsProviderConfig::Log,
            sign_name: "五社联动".into(),
            templates: SmsTemplates {
                code: "code".into(),
                guardian: "guardian".into(),
                account_exists: "account_exists".into(),
                phone_changed: "phone_changed".into(),
            },
            development: true,
            per_phone: vec![Limit::per(1, 60), Limit::per(5, 3600), Limit::per(10, 86_400)],
            per_ip: Limit::per(60, 3600),
            per_device: Limit::per(10, 3600),
        }
    }
}

impl SmsConfig {
    /// Reads the `WUSHE_SMS_*` variables through `var`.
    pub fn from_vars(var: &impl Fn(&'static str) -> Option<String>) -> Result<SmsConfig, ConfigError> {
        let d = SmsConfig::default();
        let development = match var("WUSHE_ENV").as_deref() {
            None | Some("development") => true,
            Some("production") => false,
            Some(_) => return Err(invalid("WUSHE_ENV", "must be development or production".into())),
        };
        let need = |name: &'static str| {
            var(name).ok_or_else(|| invalid(name, "is required by the chosen WUSHE_SMS_PROVIDER".into()))
        };
        let provider = match var("WUSHE_SMS_PROVIDER").as_deref() {
            None | Some("log") if development => SmsProviderConfig::Log,
            None | Some("log") => {
                return Err(invalid(
                    "WUSHE_SMS_PROVIDER",
                    "the log provider sends nothing; in production choose aliyun or tencent".into(),
                ));
            }
            Some("aliyun") => SmsProviderConfig::Aliyun {
                access_key_id: need("WUSHE_SMS_ACCESS_KEY_ID")?,
                access_key_secret: Secret::new(need("WUSHE_SMS_ACCESS_KEY_SECRET")?),
                endpoint: var("WUSHE_SMS_ENDPOINT"),
            },
            Some("tencent") => SmsProviderConfig::Tencent {
                secret_id: need("WUSHE_SMS_SECRET_ID")?,
                secret_key: Secret::new(need("WUSHE_SMS_SECRET_KEY")?),
                sdk_app_id: need("WUSHE_SMS_SDK_APP_ID")?,
                region: var("WUSHE_SMS_REGION").unwrap_or_else(|| "ap-guangzhou".into()),
                endpoint: var("WUSHE_SMS_ENDPOINT"),
            },
            Some(_) => return Err(invalid("WUSHE_SMS_PROVIDER", "must be log, aliyun or tencent".into())),
        };
        let real = provider != SmsProviderConfig::Log;
        let template = |name: &'static str, default: &str| match var(name) {
            Some(v) => Ok(v),
            None if real => Err(invalid(name, "is required by the chosen WUSHE_SMS_PROVIDER".into())),
            None => Ok(default.to_string()),
        };
        let templates = SmsTemplates {
            code: template("WUSHE_SMS_TEMPLATE_CODE", &d.templates.code)?,
            guardian: template("WUSHE_SMS_TEMPLATE_GUARDIAN", &d.templates.guardian)?,
            account_exists: template("WUSHE_SMS_TEMPLATE_ACCOUNT_EXISTS", &d.templates.account_exists)?,
            phone_changed: template("WUSHE_SMS_TEMPLATE_PHONE_CHANGED", &d.templates.phone_changed)?,
        };
        let sign_name = match var("WUSHE_SMS_SIGN_NAME") {
            Some(v) => v,
            None if real => return Err(invalid("WUSHE_SMS_SIGN_NAME", "is required by the chosen provider".into())),
            None => d.sign_name,
        };
        let limit = |name: &'static str, default: Limit| match var(name) {
            None => Ok(default),
            Some(v) => Limit::parse(&v).ok_or_else(|| invalid(name, format!("{v:?} is not a limit such as 10/1h"))),
        };
        let per_phone = match var("WUSHE_RATE_LIMIT_CODE_PHONE") {
            None => d.per_phone,
            Some(v) => {
                v.split(',').map(Limit::parse).collect::<Option<Vec<_>>>().filter(|l| !l.is_empty()).ok_or_else(
                    || invalid("WUSHE_RATE_LIMIT_CODE_PHONE", format!("{v:?} is not a list such as 1/1m,5/1h,10/1d")),
                )?
            }
        };
        Ok(SmsConfig {
            provider,
            sign_name,
            templates,
            development,
            per_phone,
            per_ip: limit("WUSHE_RATE_LIMIT_CODE_IP", d.per_ip)?,
            per_device: limit("WUSHE_RATE_LIMIT_CODE_DEVICE", d.per_device)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(vars: &[(&'static str, &str)]) -> Result<SmsConfig, ConfigError> {
        let map: HashMap<&str, String> = vars.iter().map(|(k, v)| (*k, v.to_string())).collect();
        SmsConfig::from_vars(&|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_to_the_log_provider_in_development() {
        let c = read(&[]).unwrap();
        assert_eq!(c, SmsConfig::default());
    }

    #[test]
    fn production_refuses_the_log_provider() {
        assert!(read(&[("WUSHE_ENV", "production")]).is_err());
        assert!(read(&[("WUSHE_ENV", "staging")]).is_err());
    }

    #[test]
    fn a_real_provider_needs_its_credentials_and_templates() {
        let err = read(&[("WUSHE_SMS_PROVIDER", "tencent")]).unwrap_err().to_string();
        assert!(err.contains("WUSHE_SMS_SECRET_ID"), "{err}");
        let full = [
            ("WUSHE_ENV", "production"),
            ("WUSHE_SMS_PROVIDER", "aliyun"),
            ("WUSHE_SMS_ACCESS_KEY_ID", "id"),
            ("WUSHE_SMS_ACCESS_KEY_SECRET", "secret"),
            ("WUSHE_SMS_SIGN_NAME", "苏州五社"),
            ("WUSHE_SMS_TEMPLATE_CODE", "SMS_1"),
            ("WUSHE_SMS_TEMPLATE_GUARDIAN", "SMS_2"),
            ("WUSHE_SMS_TEMPLATE_ACCOUNT_EXISTS", "SMS_3"),
            ("WUSHE_SMS_TEMPLATE_PHONE_CHANGED", "SMS_4"),
            ("WUSHE_RATE_LIMIT_CODE_PHONE", "2/1m,20/1d"),
        ];
        let c = read(&full).unwrap();
        assert!(!c.development);
        assert_eq!(c.templates.guardian, "SMS_2");
        assert_eq!(c.per_phone, vec![Limit::per(2, 60), Limit::per(20, 86_400)]);
        let without_template: Vec<_> = full.iter().filter(|(k, _)| *k != "WUSHE_SMS_TEMPLATE_CODE").cloned().collect();
        assert!(read(&without_template).unwrap_err().to_string().contains("WUSHE_SMS_TEMPLATE_CODE"));
    }

    #[test]
    fn limits_must_parse() {
        assert!(read(&[("WUSHE_RATE_LIMIT_CODE_PHONE", "often")]).is_err());
        assert!(read(&[("WUSHE_RATE_LIMIT_CODE_IP", "10 per hour")]).is_err());
    }
}
