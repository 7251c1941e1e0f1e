//! The OpenAPI document: snapshotted, so every contract change shows in review, and checked for
//! the conventions every operation must follow.

use serde_json::Value;

/// The document is kept with `insta` in `tests/snapshots/openapi.snap`: a change fails the test
/// and leaves `openapi.snap.new` beside it; `cargo insta review` (or `INSTA_UPDATE=always cargo
/// test --test api openapi`) accepts it.
#[test]
fn document_matches_the_snapshot() {
    let current = wushe::api::openapi_json();
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!("openapi", current);
    });
}

#[test]
fn every_operation_is_named_tagged_and_documents_its_errors() {
    let doc: Value = serde_json::from_str(&wushe::api::openapi_json()).unwrap();
    let mut ids = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(ids.insert(id.to_string()), "duplicate operationId {id}");
            assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{id} has no tag");
            assert!(op["summary"].is_string() || op["description"].is_string(), "{id} is undocumented");
            let responses = op["responses"].as_object().unwrap();
            if path.starts_with("/api/v1") {
                assert!(responses.contains_key("400"), "{id} does not document 400");
                let problem = &responses["400"]["content"]["application/problem+json"];
                assert!(problem.is_object(), "{id}: errors are problem+json");
                assert!(op["x-problem-codes"].is_array(), "{id} does not list its problem codes");
            }
        }
    }
    assert!(ids.len() >= 15, "only {} operations", ids.len());
}

#[test]
fn wire_names_are_camel_case() {
    let doc: Value = serde_json::from_str(&wushe::api::openapi_json()).unwrap();
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        if let Some(props) = schema["properties"].as_object() {
            for prop in props.keys() {
                assert!(!prop.contains('_'), "{name}.{prop} is not camelCase");
            }
        }
    }
}

/// Each path belongs to one API struct: two structs declaring the same path and method would
/// race for the route, and two declaring the same path (even with different methods) would each
/// write the path into the document, where the later one hides the other's operations.
#[test]
fn no_path_is_declared_by_two_apis() {
    use poem_openapi::OpenApi;
    let mut owner: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut seen = std::collections::HashSet::new();
    for (i, api) in <wushe::api::Apis as OpenApi>::meta().iter().enumerate() {
        for path in &api.paths {
            for op in &path.operations {
                assert!(
                    seen.insert((path.path.clone(), op.method.clone())),
                    "{} {} is declared twice",
                    op.method,
                    path.path
                );
            }
            let first = *owner.entry(path.path.clone()).or_insert(i);
            assert_eq!(first, i, "{} is declared by two APIs (#{first} and #{i})", path.path);
        }
    }
    assert!(seen.len() >= 15, "only {} operations", seen.len());
}

/// Optional means optional: a body whose every field may be left out may itself be left out.
#[test]
fn bodies_with_only_optional_fields_are_optional() {
    let doc: Value = serde_json::from_str(&wushe::api::openapi_json()).unwrap();
    let body = &doc["paths"]["/api/v1/signups/{id}/cancel"]["post"]["requestBody"];
    assert_eq!(body["required"], false, "cancelSignup: {body}");
}
