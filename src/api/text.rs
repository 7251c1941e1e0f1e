//! The one text rule every request passes: [`inspect`] is middleware that reads every string a
//! request carries (each path segment, each query parameter, and every key and string value of
//! a JSON body, however deeply nested) before any handler runs, so no wire type, old or new, can
//! forget it. A string breaking the rule is refused with 400 `invalid_text` and nothing changes;
//! the detail names the field and the rule, never the value.
//!
//! The rule depends on the kind of field, read from its JSON key ([`kind_of`]):
//! - **names** (keys ending in `name`, `title`, …): no control character at all, and none of the
//!   invisible formatting characters that make a name read differently from what it is (bidi
//!   overrides, embeddings and isolates, zero-width characters): a name shown to an administrator
//!   must be the name stored;
//! - **free text** (descriptions, reasons, comments, bodies, …): control characters refused
//!   except line feed and tab, which multi-line text needs;
//! - **every other string** (phones, codes, ids, query and path parameters): no control
//!   character.
//!
//! NUL is the reason this matters beyond tidiness: PostgreSQL cannot store it in text and would
//! fail the request after validation passed. Lengths are poem-openapi's `max_length`, which
//! counts characters, not bytes.

use crate::api::error::{ApiError, problem_response};
use crate::domain::both;
use poem::http::header;
use poem::{Endpoint, IntoResponse, Request, Response};
use serde_json::Value;

/// How strictly a string is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A person's, unit's or thing's name or title: one line of visible characters.
    Name,
    /// Multi-line free text: line feeds and tabs allowed.
    Text,
    /// Any other single-line value.
    Line,
}

/// The last word of a camelCase key that marks a name.
const NAME_WORDS: &[&str] = &["name", "title", "charge"];
/// The last word of a camelCase key that marks multi-line free text.
const TEXT_WORDS: &[&str] = &[
    "body",
    "bio",
    "citation",
    "comment",
    "content",
    "description",
    "message",
    "note",
    "notes",
    "reason",
    "resolution",
    "statement",
    "summary",
    "text",
];

/// The kind of the string under JSON key `key`, judged by the key's last camelCase word
/// (`realName` and `volunteerName` are names, `cancelReason` free text).
pub fn kind_of(key: &str) -> Kind {
    let start = key.char_indices().rev().find(|(_, c)| c.is_ascii_uppercase()).map_or(0, |(i, _)| i);
    let word = key[start..].to_ascii_lowercase();
    if NAME_WORDS.contains(&word.as_str()) {
        Kind::Name
    } else if TEXT_WORDS.contains(&word.as_str()) {
        Kind::Text
    } else {
        Kind::Line
    }
}

/// What is wrong with a string of kind `kind`, if anything.
pub fn breach(value: &str, kind: Kind) -> Option<Breach> {
    value.chars().find_map(|c| {
        if is_control(c) && !(kind == Kind::Text && (c == '\n' || c == '\t')) {
            Some(Breach::Control)
        } else if kind == Kind::Name && is_invisible_format(c) {
            Some(Breach::Invisible)
        } else {
            None
        }
    })
}

/// Why a string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breach {
    /// A control character (NUL included), or a line break where one line is expected.
    Control,
    /// An invisible formatting character in a name.
    Invisible,
}

/// C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
fn is_control(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

/// Characters that change how a name reads without being seen: soft hyphen, the Arabic letter
/// mark, the Mongolian vowel separator, zero-width characters and direction marks, bidi
/// embeddings, overrides and isolates, invisible operators, deprecated format characters, the
/// byte-order mark and interlinear annotation marks.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// A refused string: where it was and why.
struct Refusal {
    place: String,
    breach: Breach,
}

/// Walks a JSON value; `path` is where it sits, `kind` the kind its key gives it.
fn walk(value: &Value, path: &str, kind: Kind) -> Option<Refusal> {
    match value {
        Value::String(s) => breach(s, kind).map(|breach| Refusal { place: path.to_string(), breach }),
        Value::Array(items) => items.iter().find_map(|v| walk(v, path, kind)),
        Value::Object(map) => map.iter().find_map(|(key, v)| {
            let here = if path.is_empty() { printable(key) } else { format!("{path}.{}", printable(key)) };
            if let Some(breach) = breach(key, Kind::Name) {
                return Some(Refusal { place: here, breach });
            }
            walk(v, &here, kind_of(key))
        }),
        _ => None,
    }
}

/// A key as it may appear in a detail: keys are the client's text too, so only a plain
/// identifier is repeated.
fn printable(key: &str) -> String {
    let plain = !key.is_empty()
        && key.len() <= 64
        && key.starts_with(|c: char| c.is_ascii_alphabetic())
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain { key.to_string() } else { "?".to_string() }
}

fn refuse(r: &Refusal) -> Response {
    let detail = match r.breach {
        Breach::Control => both(
            format!("`{}` holds a control character (only free text may hold line breaks and tabs)", r.place),
            format!("`{}` 含有控制字符（只有多行文本可以包含换行和制表符）", r.place),
        ),
        Breach::Invisible => both(
            format!("`{}` holds an invisible formatting character (e.g. a text-direction override)", r.place),
            format!("`{}` 含有不可见的格式字符（例如文字方向控制符）", r.place),
        ),
    };
    problem_response(ApiError::bad_request("invalid_text", detail).problem())
}

/// A percent-encoded URL part as text (invalid UTF-8 becomes U+FFFD, which the rule allows and
/// the operation's own parser then judges).
fn decode(part: &str) -> String {
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).filter(|h| h.iter().all(u8::is_ascii_hexdigit));
        let hex = hex.and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The first string of a request that breaks the rule.
fn check(req: &Request, body: Option<&[u8]>) -> Option<Refusal> {
    for segment in req.uri().path().split('/') {
        if let Some(breach) = breach(&decode(segment), Kind::Line) {
            return Some(Refusal { place: "path".into(), breach });
        }
    }
    for pair in req.uri().query().unwrap_or("").split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode(&key.replace('+', " "));
        let value = decode(&value.replace('+', " "));
        if let Some(breach) = breach(&key, Kind::Line).or_else(|| breach(&value, Kind::Line)) {
            return Some(Refusal { place: printable(&key), breach });
        }
    }
    // A body that is not JSON is left to the operation's parser, which refuses it.
    let body: Value = serde_json::from_slice(body?).ok()?;
    walk(&body, "", Kind::Line)
}

/// Middleware: refuses a request with a string that breaks the rule, before its handler runs.
pub async fn inspect<E: Endpoint>(next: E, mut req: Request) -> poem::Result<Response> {
    let json = req.header(header::CONTENT_TYPE).is_some_and(|t| t.contains("json"));
    let body = if json { Some(req.take_body().into_bytes().await?) } else { None };
    if let Some(refusal) = check(&req, body.as_deref()) {
        return Ok(refuse(&refusal));
    }
    if let Some(body) = body {
        req.set_body(body);
    }
    next.call(req).await.map(IntoResponse::into_response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_last_word_of_the_key() {
        assert_eq!(kind_of("name"), Kind::Name);
        assert_eq!(kind_of("realName"), Kind::Name);
        assert_eq!(kind_of("title"), Kind::Name);
        assert_eq!(kind_of("personInCharge"), Kind::Name);
        assert_eq!(kind_of("description"), Kind::Text);
        assert_eq!(kind_of("cancelReason"), Kind::Text);
        assert_eq!(kind_of("phone"), Kind::Line);
        assert_eq!(kind_of("nameless"), Kind::Line);
    }

    #[test]
    fn each_kind_refuses_what_it_must() {
        assert_eq!(breach("a\0b", Kind::Text), Some(Breach::Control));
        assert_eq!(breach("line\nnext\tcol", Kind::Text), None);
        assert_eq!(breach("carriage\r", Kind::Text), Some(Breach::Control));
        assert_eq!(breach("two\nlines", Kind::Line), Some(Breach::Control));
        assert_eq!(breach("two\nlines", Kind::Name), Some(Breach::Control));
        assert_eq!(breach("\u{85}", Kind::Line), Some(Breach::Control));
        assert_eq!(breach("abc\u{202E}gpj.exe", Kind::Name), Some(Breach::Invisible));
        assert_eq!(breach("abc\u{2067}x", Kind::Name), Some(Breach::Invisible));
        assert_eq!(breach("abc\u{202E}x", Kind::Text), None);
        assert_eq!(breach("张三 O'Brien-Smith", Kind::Name), None);
    }

    #[test]
    fn url_parts_are_decoded() {
        assert_eq!(decode("a%00b%e5%AD%97+%2"), "a\0b字+%2");
    }

    #[test]
    fn nested_strings_and_keys_are_read() {
        let body = serde_json::json!({"registration": {"name": "a\u{202E}b"}});
        let r = walk(&body, "", Kind::Line).unwrap();
        assert_eq!((r.place.as_str(), r.breach), ("registration.name", Breach::Invisible));
        let body = serde_json::json!({"items": [{"note": "ok\n"}, {"note": "bad\0"}]});
        assert_eq!(walk(&body, "", Kind::Line).unwrap().place, "items.note");
        let body = serde_json::json!({"k\0": 1});
        assert_eq!(walk(&body, "", Kind::Line).unwrap().place, "?");
    }
}
