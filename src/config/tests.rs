//! Reading the configuration: defaults, every variable, and what is refused.

use super::*;
use std::collections::HashMap;

fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let mut map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    map.entry("WUSHE_DATA_DIR".into()).or_insert_with(|| dir.path().display().to_string());
    let result = Config::from_lookup(|k| map.get(k).cloned());
    drop(dir);
    result
}

#[test]
fn defaults_run_embedded() {
    let c = config(&[]).unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
    assert!(c.database_url.starts_with("sqlite://"));
    assert!(c.redis_url.is_none());
    assert_eq!(c.access_token_ttl, Duration::from_secs(900));
    assert!(c.jwt_secret.expose().len() >= 32);
    assert!(c.data_key.expose().len() >= 32);
    assert_eq!(c.rate_limits, RateLimits::default());
}

#[test]
fn generated_secret_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let a = generated_secret(dir.path(), "s").unwrap();
    let b = generated_secret(dir.path(), "s").unwrap();
    assert_eq!(a.expose(), b.expose());
}

#[test]
fn bad_values_name_the_variable() {
    for (var, value) in [
        ("WUSHE_LISTEN", "nope"),
        ("WUSHE_DATABASE_URL", "mysql://x"),
        ("WUSHE_ACCESS_TOKEN_TTL", "ten minutes"),
        ("WUSHE_REFRESH_TOKEN_TTL", "0"),
        ("WUSHE_LOG_FORMAT", "xml"),
        ("WUSHE_JWT_SECRET", "short"),
        ("WUSHE_REDIS_URL", "http://x"),
        ("WUSHE_DB_MAX_CONNECTIONS", "0"),
        ("WUSHE_WORKER_CONCURRENCY", "0"),
        ("WUSHE_JOB_LEASE", "soon"),
        ("WUSHE_STAR_THRESHOLDS_HOURS", "300,100"),
        ("WUSHE_STAR_THRESHOLDS_HOURS", "a,b"),
        ("WUSHE_PUBLIC_URL", "ftp://x"),
        ("WUSHE_DATA_KEY", "short"),
        ("WUSHE_RATE_LIMIT_WRITE_USER", "lots"),
        ("WUSHE_RATE_LIMIT_AUTH_IP", "0/1m"),
        ("WUSHE_TRUSTED_PROXY_HOPS", "99"),
    ] {
        let err = config(&[(var, value)]).unwrap_err().to_string();
        assert!(err.contains(var), "{var}: {err}");
    }
}

#[test]
fn postgres_requires_a_jwt_secret_and_a_data_key() {
    let err = config(&[("WUSHE_DATABASE_URL", "postgres://u@h/db")]).unwrap_err().to_string();
    assert!(err.contains("WUSHE_JWT_SECRET"), "{err}");
    let err = config(&[("WUSHE_DATABASE_URL", "postgres://u@h/db"), ("WUSHE_JWT_SECRET", &"j".repeat(32))])
        .unwrap_err()
        .to_string();
    assert!(err.contains("WUSHE_DATA_KEY"), "{err}");
}

#[test]
fn limits() {
    assert_eq!(Limit::parse("300/1m"), Some(Limit::per(300, 60)));
    assert_eq!(Limit::parse(" 5 / 30s "), Some(Limit::per(5, 30)));
    assert_eq!(Limit::parse("5"), None);
    assert_eq!(Limit::parse("0/1m"), None);
    let c = config(&[("WUSHE_RATE_LIMIT_STRICT_IP", "7/1h")]).unwrap();
    assert_eq!(c.rate_limits.strict_per_ip, Limit::per(7, 3600));
}

#[test]
fn durations() {
    assert_eq!(parse_duration("900"), Some(Duration::from_secs(900)));
    assert_eq!(parse_duration("15m"), Some(Duration::from_secs(900)));
    assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
    assert_eq!(parse_duration("30d"), Some(Duration::from_secs(30 * 86400)));
    assert_eq!(parse_duration("0"), None);
    assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
    assert_eq!(parse_duration("0ms"), None);
    assert_eq!(parse_duration("5y"), None);
    assert_eq!(parse_duration(""), None);
}

#[test]
fn urls_are_redacted() {
    assert_eq!(redact_url("postgres://u:pw@h:5432/db"), "postgres://u:***@h:5432/db");
    assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
}

#[test]
fn oppo_vivo_and_apns_take_all_their_credentials_or_none() {
    let c = config(&[]).unwrap();
    assert!(c.jobs.vendors.oppo.is_none() && c.jobs.vendors.vivo.is_none() && c.jobs.vendors.apns.is_none());
    let c = config(&[
        ("WUSHE_OPPO_APP_KEY", "k"),
        ("WUSHE_OPPO_MASTER_SECRET", "s"),
        ("WUSHE_VIVO_APP_ID", "1"),
        ("WUSHE_VIVO_APP_KEY", "k"),
        ("WUSHE_VIVO_APP_SECRET", "s"),
        ("WUSHE_APNS_KEY_FILE", "/keys/AuthKey.p8"),
        ("WUSHE_APNS_KEY_ID", "K"),
        ("WUSHE_APNS_TEAM_ID", "T"),
        ("WUSHE_APNS_TOPIC", "cn.wushe.app"),
        ("WUSHE_APNS_CONCURRENCY", "100"),
    ])
    .unwrap();
    let v = &c.jobs.vendors;
    assert_eq!(v.oppo.as_ref().map(|o| o.app_key.as_str()), Some("k"));
    assert_eq!(v.vivo.as_ref().map(|o| o.app_id.as_str()), Some("1"));
    let apns = v.apns.as_ref().unwrap();
    assert_eq!((apns.topic.as_str(), apns.concurrency), ("cn.wushe.app", 100));
    for partial in [
        &[("WUSHE_OPPO_APP_KEY", "k")][..],
        &[("WUSHE_VIVO_APP_ID", "1"), ("WUSHE_VIVO_APP_SECRET", "s")][..],
        &[("WUSHE_APNS_KEY_FILE", "/k.p8"), ("WUSHE_APNS_KEY_ID", "K"), ("WUSHE_APNS_TEAM_ID", "T")][..],
        &[("WUSHE_OPPO_APP_KEY", "k"), ("WUSHE_OPPO_MASTER_SECRET", " ")][..],
    ] {
        assert!(matches!(config(partial), Err(ConfigError::Invalid { .. })), "{partial:?}");
    }
}
