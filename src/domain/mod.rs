//! Business rules, grouped by area. Functions take a connection or transaction, return
//! [`DomainError`], and know nothing of HTTP.
//!
//! # The area map
//!
//! The same areas appear in `src/domain/`, `src/api/` and the policy table. Imports go one way:
//! toward the kernel, and from an area to the areas whose facts it reads (listed below). An area
//! never imports one that reads it; where a lower area must let a higher one know something, it
//! calls a hook in [`registry`] instead. `tests::imports_follow_the_area_map` enforces the map.
//!
//! | area | owns | may import |
//! | --- | --- | --- |
//! | [`kernel`] | the acting person, scope, the org tree, time, geography, paging, seat capacity, audit, idempotency | — |
//! | [`people`] | accounts, sessions, real-name identity, consents, personal data, phones | kernel |
//! | [`messaging`] | notifications, templates, devices, announcements, preferences | kernel, people |
//! | [`talent`] | credentials, registration, training, continuing education, prerequisites, the directory | kernel, people, messaging |
//! | [`volunteering`] | tasks, sign-ups, seats, dispatch, reminders, attendance, hours, stars, service records | kernel, people, messaging, talent, organisations |
//! | [`mentoring`] | pairings, progress, sessions, threads, oversight, suggestions | kernel, people, messaging, talent, volunteering |
//! | [`honours`] | programmes, eligibility, nominations, review, notice, the wall | kernel, people, messaging, talent, volunteering, mentoring |
//! | [`organisations`] | the social organisations' registry (credit codes, kinds, grades, service areas); community charity funds, their grants and append-only ledger; service projects and their funding | kernel, people |
//! | [`statistics`] | hours, active-volunteer and people rollups, the figures of a unit and its children | every other area |
//!
//! [`registry`] is where the areas are known together: the personal-data registry that export
//! and erasure walk, and the hooks through which volunteering tells honours and statistics of new
//! hours, people, volunteering and honours tell statistics of accounts, star levels and honours,
//! and the kernel tells statistics of a moved subtree.

pub mod honours;
pub mod kernel;
pub mod mentoring;
pub mod messaging;
pub mod organisations;
pub mod people;
pub mod registry;
pub mod statistics;
pub mod talent;
pub mod volunteering;

use sea_orm::DbErr;

/// What went wrong, for a person to read: always in English, and in Chinese where the words
/// are specific to this case (how many tries are left, which rule failed). Without a Chinese
/// text a Chinese reader gets the catalogue's words for the problem's code
/// ([`kernel::catalogue::problem`]), never English.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Detail {
    pub en: String,
    pub zh: Option<String>,
}

impl Detail {
    /// The same detail with its Chinese text.
    pub fn zh(mut self, zh: impl Into<String>) -> Self {
        self.zh = Some(zh.into());
        self
    }
}

/// A detail in both languages.
pub fn both(en: impl Into<String>, zh: impl Into<String>) -> Detail {
    Detail { en: en.into(), zh: Some(zh.into()) }
}

impl From<String> for Detail {
    fn from(en: String) -> Self {
        Detail { en, zh: None }
    }
}

impl From<&str> for Detail {
    fn from(en: &str) -> Self {
        Detail { en: en.to_string(), zh: None }
    }
}

impl From<&String> for Detail {
    fn from(en: &String) -> Self {
        Detail { en: en.clone(), zh: None }
    }
}

impl std::fmt::Display for Detail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

/// Why a domain operation refused or failed. Each variant maps to one HTTP status in
/// `crate::api::error`, and carries a stable code.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// 400: the input breaks a rule.
    #[error("{detail}")]
    Invalid { code: &'static str, detail: Detail },
    /// 401: not signed in, or the credentials are wrong or stale.
    #[error("{detail}")]
    Unauthenticated { code: &'static str, detail: Detail },
    /// 403: signed in, but not allowed.
    #[error("{detail}")]
    Forbidden { code: &'static str, detail: Detail },
    /// 404: no such thing, or one the caller may not know of.
    #[error("{what} not found")]
    NotFound { what: &'static str },
    /// 409: conflicts with the current state.
    #[error("{detail}")]
    Conflict { code: &'static str, detail: Detail },
    /// 422: understood but not processable as sent.
    #[error("{detail}")]
    Unprocessable { code: &'static str, detail: Detail },
    /// 429: too many attempts.
    #[error("{detail}")]
    TooMany { code: &'static str, detail: Detail, retry_after_secs: u64 },
    /// 503: a dependency is down.
    #[error("{detail}")]
    Unavailable { detail: Detail },
    /// 500: the database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
    /// 500: a bug or an unexpected state.
    #[error("{0}")]
    Internal(String),
}

impl DomainError {
    /// 400 with a code.
    pub fn invalid(code: &'static str, detail: impl Into<Detail>) -> Self {
        DomainError::Invalid { code, detail: detail.into() }
    }
    /// 400 `validation_failed`.
    pub fn validation(detail: impl Into<Detail>) -> Self {
        Self::invalid("validation_failed", detail)
    }
    /// 403 `forbidden`.
    pub fn forbidden(detail: impl Into<Detail>) -> Self {
        DomainError::Forbidden { code: "forbidden", detail: detail.into() }
    }
    /// 404.
    pub fn not_found(what: &'static str) -> Self {
        DomainError::NotFound { what }
    }
    /// 409 with a code.
    pub fn conflict(code: &'static str, detail: impl Into<Detail>) -> Self {
        DomainError::Conflict { code, detail: detail.into() }
    }
    /// 401 with a code.
    pub fn unauthenticated(code: &'static str, detail: impl Into<Detail>) -> Self {
        DomainError::Unauthenticated { code, detail: detail.into() }
    }
}

/// What domain functions return.
pub type DomainResult<T> = Result<T, DomainError>;

/// Trims a required text field and checks it is not empty.
pub fn required_text(field: &str, value: &str) -> DomainResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(DomainError::validation(format!("{field} must not be empty")));
    }
    Ok(v.to_string())
}

/// Trims an optional text field; blank becomes absent.
pub fn optional_text(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The area map of the module header: each area and the areas it may import.
    const MAP: &[(&str, &[&str])] = &[
        ("kernel", &[]),
        ("people", &["kernel"]),
        ("messaging", &["kernel", "people"]),
        ("talent", &["kernel", "people", "messaging"]),
        ("volunteering", &["kernel", "people", "messaging", "talent", "organisations"]),
        ("mentoring", &["kernel", "people", "messaging", "talent", "volunteering"]),
        ("honours", &["kernel", "people", "messaging", "talent", "volunteering", "mentoring"]),
        ("organisations", &["kernel", "people"]),
        (
            "statistics",
            &["kernel", "people", "messaging", "talent", "volunteering", "mentoring", "honours", "organisations"],
        ),
    ];

    /// The areas a source file names as `crate::domain::<area>`, also inside `crate::domain::{…}`.
    fn areas_named(source: &str) -> Vec<String> {
        let mut found = Vec::new();
        for (i, _) in source.match_indices("crate::domain::") {
            let rest = &source[i + "crate::domain::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let inner = &group[..group.find('}').unwrap_or(group.len())];
                found.extend(inner.split(',').map(|item| item.trim().split("::").next().unwrap_or("").to_string()));
            } else {
                found.push(rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect());
            }
        }
        found.retain(|a| MAP.iter().any(|(name, _)| name == a));
        found
    }

    fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn imports_follow_the_area_map() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain");
        let mut files = Vec::new();
        rust_files(&root, &mut files);
        let mut wrong = Vec::new();
        for file in &files {
            let relative = file.strip_prefix(&root).unwrap();
            let Some(area) = relative.components().next().and_then(|c| c.as_os_str().to_str()) else { continue };
            let Some((_, allowed)) = MAP.iter().find(|(name, _)| *name == area) else {
                continue; // mod.rs and registry.rs: where the areas meet
            };
            let source = std::fs::read_to_string(file).unwrap();
            for named in areas_named(&source) {
                if named != area && !allowed.contains(&named.as_str()) {
                    wrong.push(format!("{} imports {named}", relative.display()));
                }
            }
        }
        wrong.sort();
        wrong.dedup();
        assert!(wrong.is_empty(), "imports against the area map (see src/domain/mod.rs):\n{}", wrong.join("\n"));
    }

    #[test]
    fn the_scan_sees_paths_and_groups() {
        let source = "use crate::domain::kernel::page;\nuse crate::domain::{DomainError, honours::notice};\n";
        assert_eq!(areas_named(source), vec!["kernel", "honours"]);
    }
}
