//! Phone numbers: parsed into E.164 (China, +86, when no country is given) and masked whenever
//! one must appear in a log line.

use crate::domain::{DomainError, DomainResult};
use std::fmt;

/// A phone number in E.164 form, e.g. `+8613800138000`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Parses what a person typed: spaces, dashes, dots and brackets are ignored; `00` is read as
    /// `+`; 11 digits starting with 1 are a mainland mobile number. Mainland numbers must be
    /// mobiles (1[3-9] and 9 more digits).
    pub fn parse(input: &str) -> DomainResult<Phone> {
        let bad = || DomainError::invalid("invalid_phone", "not a valid phone number");
        let cleaned: String = input.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
        let intl = if let Some(rest) = cleaned.strip_prefix('+') {
            rest.to_string()
        } else if let Some(rest) = cleaned.strip_prefix("00") {
            rest.to_string()
        } else if cleaned.len() == 11 && cleaned.starts_with('1') {
            format!("86{cleaned}")
        } else {
            return Err(bad());
        };
        if !intl.bytes().all(|b| b.is_ascii_digit()) || !(8..=15).contains(&intl.len()) || intl.starts_with('0') {
            return Err(bad());
        }
        if let Some(national) = intl.strip_prefix("86") {
            let b = national.as_bytes();
            if b.len() != 11 || b[0] != b'1' || !(b'3'..=b'9').contains(&b[1]) {
                return Err(bad());
            }
        }
        Ok(Phone(format!("+{intl}")))
    }

    /// The E.164 string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with its middle hidden, for logs and lists: `+86138****8000`.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Masks any stored E.164 number, keeping the country code, 3 leading and 4 trailing digits.
pub fn mask(e164: &str) -> String {
    let digits = e164.trim_start_matches('+');
    let (cc, rest) = if digits.starts_with("86") { digits.split_at(2) } else { digits.split_at(digits.len().min(1)) };
    if rest.len() <= 7 {
        return format!("+{cc}{}", "*".repeat(rest.len()));
    }
    format!("+{cc}{}****{}", &rest[..3], &rest[rest.len() - 4..])
}

// The number itself must never reach a log through `{:?}`.
impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mainland_numbers_default_to_86() {
        for input in ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "0086 13800138000"] {
            assert_eq!(Phone::parse(input).unwrap().as_str(), "+8613800138000", "{input}");
        }
    }

    #[test]
    fn other_countries_keep_their_code() {
        assert_eq!(Phone::parse("+1 (415) 555-2671").unwrap().as_str(), "+14155552671");
        assert_eq!(Phone::parse("+852 9123 4567").unwrap().as_str(), "+85291234567");
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        for input in [
            "",
            "abc",
            "12345",
            "+86 12800138000",
            "+86 1380013800",
            "23800138000",
            "+0123456789",
            "+1234567890123456",
            "138001380001",
        ] {
            assert!(Phone::parse(input).is_err(), "{input}");
        }
    }

    #[test]
    fn masks_the_middle() {
        let p = Phone::parse("13800138000").unwrap();
        assert_eq!(p.masked(), "+86138****8000");
        assert_eq!(format!("{p:?}"), "Phone(+86138****8000)");
        assert_eq!(mask("+14155552671"), "+1415****2671");
    }
}
