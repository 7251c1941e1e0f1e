//! The unified social credit code (统一社会信用代码) of GB 32100-2015: 18 characters.
//!
//! | positions | meaning |
//! | --- | --- |
//! | 1 | registration department (`5` civil affairs, `9` market regulation, …) |
//! | 2 | kind of organisation within the department (civil affairs: `1` social group, `2` social-service organisation, `3` foundation) |
//! | 3–8 | administrative division code of the registering authority |
//! | 9–17 | the organisation code (GB 11714), with its own check character at 17 |
//! | 18 | the check character over the first 17 |
//!
//! Characters are the digits and 21 capital letters (no I, O, Z, S, V). The check character is
//! `31 - (Σ value(cᵢ) × 3^(i-1) mod 31) mod 31`, the weights taken mod 31; the embedded
//! organisation code's is `11 - (Σ value(cᵢ) × wᵢ mod 11)`, weights 3, 7, 9, 10, 5, 8, 4, 2,
//! with 10 written `X` and 11 written `0`. Checked against published codes (the tests below).

use crate::domain::{DomainError, DomainResult, both};

/// The 31 characters of a code, in value order.
const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1–17: 3^(i-1) mod 31.
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/// Weights of the organisation code's first eight characters (GB 11714).
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

fn value(c: u8) -> Option<u32> {
    CHARSET.iter().position(|&x| x == c).map(|p| p as u32)
}

fn org_check(first8: &[u8]) -> Option<u8> {
    let mut sum = 0u32;
    for (c, w) in first8.iter().zip(ORG_WEIGHTS) {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return None,
        };
        sum += v * w;
    }
    Some(match 11 - sum % 11 {
        10 => b'X',
        11 => b'0',
        n => b'0' + n as u8,
    })
}

fn check(first17: &[u32]) -> u32 {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    (31 - sum % 31) % 31
}

/// Completes the first 16 characters of a code with its two check characters (for seeding and
/// tests); `None` when they hold a character a code may not.
pub fn with_checks(first16: &str) -> Option<String> {
    let b = first16.as_bytes();
    if b.len() != 16 {
        return None;
    }
    let mut code = b.to_vec();
    code.push(org_check(&b[8..16])?);
    let values = code.iter().map(|&c| value(c)).collect::<Option<Vec<u32>>>()?;
    code.push(CHARSET[check(&values) as usize]);
    String::from_utf8(code).ok()
}

/// What is wrong with a code, if anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    Length,
    Character,
    OrganisationCheck,
    Check,
}

/// Checks `code` (already upper-cased and trimmed).
pub fn fault(code: &str) -> Option<Fault> {
    let bytes = code.as_bytes();
    if bytes.len() != 18 {
        return Some(Fault::Length);
    }
    let Some(values) = bytes.iter().map(|&c| value(c)).collect::<Option<Vec<u32>>>() else {
        return Some(Fault::Character);
    };
    // The organisation code (positions 9–17): its first eight are digits or letters, its check
    // a digit or X.
    let Some(expected) = org_check(&bytes[8..16]) else { return Some(Fault::Character) };
    if bytes[16] != expected {
        return Some(Fault::OrganisationCheck);
    }
    if values[17] != check(&values[..17]) {
        return Some(Fault::Check);
    }
    None
}

/// Parses a code as typed: spaces around it dropped, letters upper-cased. 400
/// `invalid_credit_code` saying what is wrong.
pub fn parse(raw: &str) -> DomainResult<String> {
    let code = raw.trim().to_ascii_uppercase();
    match fault(&code) {
        None => Ok(code),
        Some(f) => {
            let (en, zh) = match f {
                Fault::Length => ("a unified social credit code has 18 characters", "统一社会信用代码应为 18 位"),
                Fault::Character => (
                    "a unified social credit code holds only digits and the letters it allows (no I, O, Z, S, V)",
                    "统一社会信用代码含有不允许的字符",
                ),
                Fault::OrganisationCheck => (
                    "the organisation code inside the credit code (characters 9 to 17) fails its check",
                    "统一社会信用代码中的组织机构代码校验位不符",
                ),
                Fault::Check => (
                    "the credit code's last character does not match the others (a typing mistake?)",
                    "统一社会信用代码校验位不符，请核对",
                ),
            };
            Err(DomainError::invalid("invalid_credit_code", both(en, zh)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Codes published by their holders (civil-affairs registrations, a company).
    const PUBLISHED: [&str; 4] =
        ["91350100M000100Y43", "91110000600037341L", "53100000500021676K", "51100000500010993L"];

    #[test]
    fn published_codes_pass() {
        for c in PUBLISHED {
            assert_eq!(fault(c), None, "{c}");
            assert_eq!(parse(&format!("  {}  ", c.to_lowercase())).unwrap(), c);
        }
    }

    #[test]
    fn every_single_character_change_is_caught() {
        for c in PUBLISHED {
            for i in 0..18 {
                for &r in CHARSET.iter() {
                    let mut b = c.as_bytes().to_vec();
                    if b[i] == r {
                        continue;
                    }
                    b[i] = r;
                    let changed = String::from_utf8(b).unwrap();
                    assert!(fault(&changed).is_some(), "{changed} (from {c}) passed");
                }
            }
        }
    }

    #[test]
    fn checks_are_completed() {
        for c in PUBLISHED {
            assert_eq!(with_checks(&c[..16]).as_deref(), Some(c));
        }
        assert_eq!(with_checks("53100000I0002167"), None, "I is not a code character");
        assert_eq!(with_checks("531"), None);
    }

    #[test]
    fn faults_are_named() {
        assert_eq!(fault("5310000050002167"), Some(Fault::Length));
        assert_eq!(fault("53100000500021676I"), Some(Fault::Character));
        assert_eq!(fault("53100000500021677K"), Some(Fault::OrganisationCheck));
        assert_eq!(fault("53100000500021676L"), Some(Fault::Check));
        let err = parse("53100000500021676L").unwrap_err();
        assert!(matches!(err, DomainError::Invalid { code: "invalid_credit_code", .. }));
    }
}
