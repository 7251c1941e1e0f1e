//! README truth: every API path and every JSON field name the README quotes exists in the
//! OpenAPI document, so the README cannot drift from the API unnoticed.
//!
//! What counts as quoted:
//! - a path: any `/api/v1/…` anywhere (prose or code blocks), and any backticked span that starts
//!   with a path (`/tasks/{id}/signups`, read as under `/api/v1`) or with methods and a path
//!   (`POST /signups/{id}/respond`, `GET/POST /courses`); `a|b` in a segment names each
//!   alternative; a path starting with `…/` abbreviates a longer one and must end some path of
//!   the document; `{…}` placeholders match whatever a path's parameter is called; `?name=`
//!   names query parameters;
//! - a field name: a key in a JSON body of a code block (`"orgUnitId":`), and a backticked
//!   camelCase identifier (`nextCursor`, `socialWorker.qualificationLevel`): each must be a
//!   property of some schema, a parameter, or an enum value (`signIn`) of the document. Lowercase
//!   single words in backticks are not checked: they are as often enum values and codes as
//!   fields;
//! - a problem code: a backticked word after a 4xx or 5xx status (409 `schedule_conflict`), and
//!   every backticked word of the README's **Errors** list: each must be a code the document
//!   names (an operation's `x-problem-codes`, or the generic ones of its description).

use serde_json::Value;
use std::collections::BTreeSet;

/// Paths the README names outside `/api/v1`.
const NOT_UNDER_API_V1: &[&str] = &["/healthz", "/readyz", "/metrics", "/docs", "/api/openapi.json"];

/// Backticked camelCase words that are not wire fields, and why.
const NOT_FIELDS: &[(&str, &str)] = &[
    ("operationId", "an OpenAPI term, not one of our fields"),
    ("collapseKey", "a key of a push's data payload, sent to devices, not over the API"),
    ("senderId", "a key of a push's data payload, sent to devices, not over the API"),
];

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

/// What the document offers: its paths (placeholders made `{}`) with their methods, and every
/// name a field can have: properties, parameters and enum values.
struct Contract {
    paths: Vec<(String, BTreeSet<String>)>,
    names: BTreeSet<String>,
    parameters: BTreeSet<String>,
    codes: BTreeSet<String>,
}

fn normalise(path: &str) -> String {
    let mut out = String::new();
    let mut in_placeholder = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_placeholder = true;
                out.push_str("{}");
            }
            '}' => in_placeholder = false,
            _ if !in_placeholder => out.push(c),
            _ => {}
        }
    }
    out
}

impl Contract {
    fn of(doc: &Value) -> Contract {
        let mut paths = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            let methods = item.as_object().unwrap().keys().map(|m| m.to_uppercase()).collect();
            paths.push((normalise(path), methods));
        }
        let mut contract =
            Contract { paths, names: BTreeSet::new(), parameters: BTreeSet::new(), codes: BTreeSet::new() };
        contract.collect(doc);
        let generic = doc["info"]["description"].as_str().unwrap_or_default();
        contract.codes.extend(backticked(generic).into_iter().filter(|w| is_code(w)).map(str::to_string));
        contract
    }

    fn collect(&mut self, v: &Value) {
        match v {
            Value::Object(map) => {
                if let Some(props) = map.get("properties").and_then(Value::as_object) {
                    self.names.extend(props.keys().cloned());
                }
                if let Some(codes) = map.get("x-problem-codes").and_then(Value::as_array) {
                    self.codes.extend(codes.iter().filter_map(Value::as_str).map(str::to_string));
                }
                if let Some(values) = map.get("enum").and_then(Value::as_array) {
                    self.names.extend(values.iter().filter_map(Value::as_str).map(str::to_string));
                }
                if let (Some(name), Some("query" | "path" | "header")) =
                    (map.get("name").and_then(Value::as_str), map.get("in").and_then(Value::as_str))
                {
                    self.parameters.insert(name.to_string());
                    self.names.insert(name.to_string());
                }
                map.values().for_each(|child| self.collect(child));
            }
            Value::Array(items) => items.iter().for_each(|child| self.collect(child)),
            _ => {}
        }
    }

    /// Whether `path` (normalised, under `/api/v1` or abbreviated with a leading `…`) exists,
    /// with `method` when one is given.
    fn has(&self, path: &str, method: Option<&str>) -> bool {
        self.paths.iter().any(|(p, methods)| {
            let matches = match path.strip_prefix('…') {
                Some(tail) => p.ends_with(tail),
                None => p == path,
            };
            matches && method.is_none_or(|m| methods.contains(m))
        })
    }
}

/// The backticked spans of `text` (code blocks' fences excluded).
fn backticked(text: &str) -> Vec<&str> {
    text.split("```").step_by(2).flat_map(|prose| prose.split('`').skip(1).step_by(2)).collect()
}

/// The code blocks of `text`.
fn code_blocks(text: &str) -> Vec<&str> {
    text.split("```").skip(1).step_by(2).collect()
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_./{}|…".contains(c)
}

/// Expands `a|b` in each segment.
fn alternatives(path: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    for (i, segment) in path.split('/').enumerate() {
        let options: Vec<&str> = if segment.starts_with('{') { vec![segment] } else { segment.split('|').collect() };
        out = out
            .iter()
            .flat_map(|prefix| {
                options.iter().map(move |o| if i == 0 { o.to_string() } else { format!("{prefix}/{o}") })
            })
            .collect();
    }
    out
}

/// Whether `word` looks like a problem code (`not_found`, `forbidden`); `code` itself is the field
/// that carries them.
fn is_code(word: &str) -> bool {
    !word.is_empty() && word != "code" && word.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

fn is_camel_case(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && word.chars().all(|c| c.is_ascii_alphanumeric())
        && word.chars().any(|c| c.is_ascii_uppercase())
}

/// What a README quotes and what of it the document lacks.
struct Drift {
    /// One line per quote the document lacks.
    problems: Vec<String>,
    /// The paths (with methods) and field names checked.
    checked: BTreeSet<String>,
}

/// Everything `readme` quotes that `doc` lacks, one line each.
fn drift(readme: &str, doc: &Value) -> Vec<String> {
    check(readme, doc).problems
}

fn check(readme: &str, doc: &Value) -> Drift {
    let contract = Contract::of(doc);
    let mut problems = BTreeSet::new();
    let mut checked = BTreeSet::new();
    let mut check_path = |methods: &[&str], raw: &str| {
        let (path, query) = raw.split_once('?').unwrap_or((raw, ""));
        let path = path.trim_end_matches(['.', ',', ':', ';']);
        for name in query.split('&').filter_map(|kv| kv.split('=').next()).filter(|n| !n.is_empty()) {
            if !contract.parameters.contains(name) {
                problems.insert(format!("query parameter `{name}` (in `{raw}`) is no parameter of the document"));
            }
        }
        // The console's pages are web pages, not operations of the document.
        if NOT_UNDER_API_V1.contains(&path) || path.is_empty() || path == "/api/v1" || path.starts_with("/console") {
            return;
        }
        let under = if path.starts_with('…') || path.starts_with("/api/") {
            path.to_string()
        } else {
            format!("/api/v1{path}")
        };
        for p in alternatives(&normalise(&under)) {
            let p = p.trim_end_matches('/');
            checked.insert(format!("{} {p}", methods.join("/")));
            if methods.is_empty() && !contract.has(p, None) {
                problems.insert(format!("path `{p}` is not in the document"));
            }
            for m in methods {
                if !contract.has(p, Some(m)) {
                    problems.insert(format!("`{m} {p}` is not in the document"));
                }
            }
        }
    };
    // `/api/v1/…` wherever it stands.
    for (i, _) in readme.match_indices("/api/v1/") {
        let rest = &readme[i..];
        let end = rest.find(|c: char| !(is_path_char(c) || c == '?' || c == '=' || c == '&')).unwrap_or(rest.len());
        check_path(&[], &rest[..end]);
    }
    // Backticked paths, with or without methods.
    for span in backticked(readme) {
        let mut words = span.split_whitespace();
        let (Some(first), second) = (words.next(), words.next()) else { continue };
        let methods: Vec<&str> = first.split('/').collect();
        if methods.iter().all(|m| METHODS.contains(m)) {
            if let Some(path) = second.filter(|p| p.starts_with('/') || p.starts_with('…')) {
                check_path(&methods, path);
            }
        } else if (first.starts_with('/') || first.starts_with("…/") || first.starts_with('?')) && second.is_none() {
            check_path(&[], first);
        }
    }
    // Field names.
    let mut check_name = |name: &str, context: &str| {
        checked.insert(name.to_string());
        if !contract.names.contains(name) && !NOT_FIELDS.iter().any(|(n, _)| *n == name) {
            problems.insert(format!("field `{name}` ({context}) is no property, parameter or enum value"));
        }
    };
    for block in code_blocks(readme) {
        for (i, _) in block.match_indices("\":") {
            let before = block[..i].trim_end_matches('\\');
            let name: String = before.chars().rev().take_while(|c| c.is_ascii_alphanumeric()).collect();
            let name: String = name.chars().rev().collect();
            if !name.is_empty() && before[..before.len() - name.len()].ends_with('"') {
                check_name(&name, "a JSON key in a code block");
            }
        }
    }
    for span in backticked(readme) {
        let words: Vec<&str> = span.split('.').collect();
        if words.iter().all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric()))
            && words.iter().any(|w| is_camel_case(w))
        {
            for w in words {
                check_name(w, &format!("`{span}`"));
            }
        }
    }
    // Problem codes: after a 4xx or 5xx status, and in the Errors list.
    let mut quoted_codes = BTreeSet::new();
    for prose in readme.split("```").step_by(2) {
        for (i, _) in prose.match_indices('`') {
            let before = prose[..i].trim_end();
            let status = before.get(before.len().saturating_sub(4)..).unwrap_or_default();
            let mut chars = status.chars();
            let (lead, digits) = (chars.next(), chars.as_str());
            if lead.is_some_and(|c| !c.is_ascii_alphanumeric())
                && digits.len() == 3
                && digits.chars().all(|c| c.is_ascii_digit())
                && (digits.starts_with('4') || digits.starts_with('5'))
            {
                let code = prose[i + 1..].split('`').next().unwrap_or_default();
                if is_code(code) {
                    quoted_codes.insert(code.to_string());
                }
            }
        }
    }
    if let Some(start) = readme.find("- **Errors**") {
        let list = &readme[start..];
        let list = &list[..list[2..].find("\n- ").map_or(list.len(), |e| e + 2)];
        quoted_codes.extend(backticked(list).into_iter().filter(|w| is_code(w)).map(str::to_string));
    }
    for code in quoted_codes {
        checked.insert(format!("code {code}"));
        if !contract.codes.contains(&code) {
            problems.insert(format!("problem code `{code}` is not one the document lists"));
        }
    }
    Drift { problems: problems.into_iter().collect(), checked }
}

fn document() -> Value {
    serde_json::from_str(&wushe::api::openapi_json()).unwrap()
}

#[test]
fn the_readme_quotes_only_paths_and_fields_the_api_has() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let Drift { problems, checked } = check(&readme, &document());
    assert!(problems.is_empty(), "README.md drifts from the OpenAPI document:\n{}", problems.join("\n"));
    // The README quotes well over a hundred paths and dozens of fields: far fewer means the
    // reading rules broke, not that the README is right.
    let paths = checked.iter().filter(|c| c.contains('/')).count();
    let codes = checked.iter().filter(|c| c.starts_with("code ")).count();
    let fields = checked.len() - paths - codes;
    assert!(
        paths >= 100 && fields >= 30 && codes >= 30,
        "only {paths} paths, {fields} fields and {codes} codes checked: {checked:#?}"
    );
}

#[test]
fn made_up_paths_methods_and_fields_are_caught() {
    let doc = document();
    let readme = r#"
Answer with `POST /signups/{id}/response`; the wall is `GET /honors`; `DELETE /tasks/{id}/signups`
is not a thing; see `/api/v1/nowhere/{id}`, `…/{id}/teleport`, `/credentials/{id}/verify|bless`,
`GET /tasks?near=1,2&madeUpFilter=3`, `?sinse=`, and the field `messageText`; a full task is
409 `task_overbooked`.

- **Errors**: `not_found`, `made_up_code`.
- Next.

```sh
curl localhost:8080/api/v1/tasks/madeup -d '{"phone":"1","bogusKey":"x"}'
```
"#;
    let problems = drift(readme, &doc);
    for expected in [
        "`POST /api/v1/signups/{}/response` is not in the document",
        "`GET /api/v1/honors` is not in the document",
        "`DELETE /api/v1/tasks/{}/signups` is not in the document",
        "path `/api/v1/nowhere/{}` is not in the document",
        "path `…/{}/teleport` is not in the document",
        "path `/api/v1/credentials/{}/bless` is not in the document",
        "path `/api/v1/tasks/madeup` is not in the document",
        "query parameter `madeUpFilter` (in `/tasks?near=1,2&madeUpFilter=3`) is no parameter of the document",
        "query parameter `sinse` (in `?sinse=`) is no parameter of the document",
        "field `messageText` (`messageText`) is no property, parameter or enum value",
        "field `bogusKey` (a JSON key in a code block) is no property, parameter or enum value",
        "problem code `task_overbooked` is not one the document lists",
        "problem code `made_up_code` is not one the document lists",
    ] {
        assert!(problems.iter().any(|p| p == expected), "not caught: {expected}\ncaught: {problems:#?}");
    }
    assert_eq!(problems.len(), 13, "only the made-up ones are reported: {problems:#?}");

    let fine = r#"`POST /signups/{id}/respond`, `GET /honours`, `…/{id}/accept`, `/credentials/{id}/verify|reject`,
`GET /tasks?near=1,2&radiusKm=3`, `?since=`, `nextCursor`, `signIn`, `/healthz`, 409 `schedule_conflict`,
200 `degraded`, 403 `forbidden`; `curl /api/v1/tasks -d '{"phone":"1"}'`"#;
    assert_eq!(drift(fine, &doc), Vec::<String>::new());
}
