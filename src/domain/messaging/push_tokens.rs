//! The push providers a device may be registered with, by the name its row carries, and the
//! shape of each provider's registration token: a token of the wrong shape is refused (400
//! `invalid_token`) before it is stored, so a phone that sends, say, an FCM token as a Xiaomi
//! regid learns it at once instead of never receiving anything.
//!
//! Shapes (length and characters; the vendors publish no grammar, so these are loose bounds
//! around the tokens their SDKs hand out): FCM any token without spaces (as before); Huawei and
//! Honor 32–512 characters of letters, digits and `._:+/=-`; Xiaomi 20–256 characters of letters,
//! digits and `+/=_-` (regids are joined by commas in a batch send, so a comma is never valid);
//! OPPO 20–128 characters of letters, digits and `_-` (its registration ids are 32 hex digits,
//! optionally behind a region prefix: `CN_…`, `OPPO_CN_…`); vivo 20–128 characters of letters,
//! digits and `_-` (its regIds are 23 digits in the documents' examples); APNs exactly 64 hex
//! digits (a 32-byte device token in hex, as Apple hands it out today).

use crate::domain::{DomainError, DomainResult};

pub const FCM: &str = "fcm";
pub const HUAWEI: &str = "huawei";
pub const HONOR: &str = "honor";
pub const XIAOMI: &str = "xiaomi";
pub const OPPO: &str = "oppo";
pub const VIVO: &str = "vivo";
pub const APNS: &str = "apns";

/// Refuses a token that cannot be one of `provider`'s (400 `invalid_token`). Which providers a
/// device may name is `devices::PROVIDERS`.
pub fn check(provider: &str, token: &str) -> DomainResult<()> {
    let shaped = |len: std::ops::RangeInclusive<usize>, extra: &str| {
        len.contains(&token.len()) && token.chars().all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
    };
    let ok = match provider {
        HUAWEI | HONOR => shaped(32..=512, "._:+/=-"),
        XIAOMI => shaped(20..=256, "+/=_-"),
        OPPO | VIVO => shaped(20..=128, "_-"),
        APNS => token.len() == 64 && token.chars().all(|c| c.is_ascii_hexdigit()),
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
        assert!(check(OPPO, "CN_078ad8b8a137cadb14ae5b70cf846312").is_ok());
        assert!(check(OPPO, "078ad8b8a137cadb14ae5b70cf846312").is_ok());
        assert!(check(OPPO, "CN_078ad8b8,a137cadb14ae5b70cf846312").is_err());
        assert!(check(VIVO, "16005080910330978890938").is_ok());
        assert!(check(VIVO, "short").is_err());
        let apns = "a1".repeat(32);
        assert!(check(APNS, &apns).is_ok());
        assert!(check(APNS, &apns[..62]).is_err(), "64 hex digits");
        assert!(check(APNS, &"zz".repeat(32)).is_err());
        assert!(check(APNS, hms).is_err(), "a vendor token is no APNs token");
    }
}
