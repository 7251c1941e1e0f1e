//! The reader's language for what the API itself says (problem `title` and `detail`): chosen
//! by the request's `Accept-Language` (RFC 9110 §12.5.4, quality values honoured), zh-CN when
//! the header is absent or names nothing we speak. Messages a person receives later (inbox,
//! pushes, texts) are in the language of their profile instead, since they are read outside any
//! request.
//!
//! The language travels with the request as a task-local, set by the outermost middleware
//! ([`crate::api::error::problem_json`]), so an error raised anywhere below finds it.

use entity::user::Locale;
use std::future::Future;

tokio::task_local! {
    static LOCALE: Locale;
}

/// The language of the request being served; zh-CN outside one.
pub fn current() -> Locale {
    LOCALE.try_with(|l| *l).unwrap_or(Locale::ZhCn)
}

/// Runs `f` with `locale` as the request's language.
pub async fn scope<F: Future>(locale: Locale, f: F) -> F::Output {
    LOCALE.scope(locale, f).await
}

/// The BCP 47 tag of `locale`, for `Content-Language`.
pub fn tag(locale: Locale) -> &'static str {
    match locale {
        Locale::ZhCn => "zh-CN",
        Locale::En => "en",
    }
}

/// The language an `Accept-Language` header prefers among those we speak: the highest quality
/// wins, the earlier listed on a tie; `*` means our default; `q=0` means "not this one".
pub fn from_accept_language(header: Option<&str>) -> Locale {
    let mut best: Option<(Locale, u16)> = None;
    for item in header.unwrap_or("").split(',') {
        let mut parts = item.split(';');
        let range = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let quality =
            parts.filter_map(|p| p.trim().strip_prefix("q=").map(str::trim)).next().map_or(Some(1000), parse_quality);
        let Some(quality) = quality else { continue };
        let locale = match range.split('-').next().unwrap_or("") {
            "zh" | "*" => Locale::ZhCn,
            "en" => Locale::En,
            _ => continue,
        };
        if quality > 0 && best.is_none_or(|(_, q)| quality > q) {
            best = Some((locale, quality));
        }
    }
    best.map_or(Locale::ZhCn, |(l, _)| l)
}

/// A quality value in thousandths (`0.8` → 800); `None` when malformed.
fn parse_quality(q: &str) -> Option<u16> {
    let v: f32 = q.parse().ok()?;
    (0.0..=1.0).contains(&v).then(|| (v * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefers_the_highest_quality_we_speak_and_defaults_to_chinese() {
        assert_eq!(from_accept_language(None), Locale::ZhCn);
        assert_eq!(from_accept_language(Some("")), Locale::ZhCn);
        assert_eq!(from_accept_language(Some("en")), Locale::En);
        assert_eq!(from_accept_language(Some("en-US,en;q=0.9")), Locale::En);
        assert_eq!(from_accept_language(Some("zh-CN,zh;q=0.9,en;q=0.8")), Locale::ZhCn);
        assert_eq!(from_accept_language(Some("fr-FR, en;q=0.5, zh;q=0.7")), Locale::ZhCn);
        assert_eq!(from_accept_language(Some("fr-FR, en;q=0.5")), Locale::En);
        assert_eq!(from_accept_language(Some("de")), Locale::ZhCn, "nothing we speak");
        assert_eq!(from_accept_language(Some("zh;q=0, en")), Locale::En);
        assert_eq!(from_accept_language(Some("en;q=0")), Locale::ZhCn, "q=0 refuses");
        assert_eq!(from_accept_language(Some("en;q=abc, zh-Hant")), Locale::ZhCn, "a bad quality skips that item");
        assert_eq!(from_accept_language(Some("EN-gb")), Locale::En, "case-insensitive");
    }
}
