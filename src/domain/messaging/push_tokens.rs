//! The push providers a device may be registered with, by the name its row carries, and the
//! shape of each provider's registration token: a token of the wrong shape is refused (400
//! `invalid_token`) before it is stored, so a phone that sends, say, an FCM token as a Xiaomi
//! regid learns it at once instead of never receiving anything.
//!
//! Shapes (length and characters; the vendors publish no grammar, so these are loose bounds
//! around the tokens their SDKs hand out): FCM any token without spaces (as before); Huawei and
//! Honor 32–512 characters of letters, digits and `._:+/=-`; Xiaomi 20–256 characters of letters,
//! digits and `+/=_-` (regids are joined by commas in a batch send, so a comma is never valid).

use crate::domain::{DomainError, DomainResult};

pub const FCM: &str = "fcm";
pub const HUAWEI: &str = "huawei";
pub const HONOR: &str = "honor";
pub const XIAOMI: &str = "xiaomi";

/// Refuses a token that cannot be one of `provider`'s (400 `invalid_token`). Which providers a
/// device may name is `devices::PROVIDERS`; those without a shape here (OPPO, vivo, APNs) take
/// any token without spaces, as FCM does.
pub fn check(provider: &str, token: &str) -> DomainResult<()> {
    let shaped = |len: std::ops::RangeInclusive<usize>, extra: &str| {
        len.contains(&token.len()) && token.chars().all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
    };
    let ok = match provider {
        HUAWEI | HONOR => shaped(32..=512, "._:+/=-"),
        XIAOMI => shaped(20..=256, "+/=_-"),
        _ => !token.is_empty() && !token.chars().any(char::is_whitespace),
    };
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid("invalid_token", format!("token is not a {provider} registration token")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_provider_refuses_tokens_of_the_wrong_shape() {
        let hms = "IQAAAACy0kYcAADe5b1mX0zN7tq3Vh8_wQ-6d2bV5Rk9rNwQpLx4oIzZ1hT7cFgYwA";
        let regid = "d//igwEhgBGCI2TG6lWqlK0ZKI4w5rB1kmRp3s+YkQ0=";
        assert!(check(FCM, "ok-1").is_ok());
        assert!(check(FCM, "a b").is_err());
        assert!(check(HUAWEI, hms).is_ok());
        assert!(check(HONOR, hms).is_ok());
        assert!(check(HUAWEI, "short").is_err());
        assert!(check(HUAWEI, &format!("{hms} x")).is_err());
        assert!(check(XIAOMI, regid).is_ok());
        assert!(check(XIAOMI, &format!("{regid},{regid}")).is_err(), "a comma would split a batch");
        assert!(check(XIAOMI, "tiny").is_err());
        assert!(check("apns", "a b").is_err(), "providers without a shape still refuse spaces");
    }
}
