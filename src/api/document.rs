//! The last touches to the OpenAPI document so that strict linters (Redocly) and client
//! generators (openapi-python-client, @hey-api/openapi-ts; `.ci/clients`) read it as meant.
//! poem-openapi writes a documented enum field as `allOf: [$ref, {description}]`, which
//! generators refuse ("cannot take allOf a non-object") and drop the whole schema with every
//! operation that uses it; OpenAPI 3.0 ignores `nullable` without a sibling `type`, so a
//! nullable reference has to name `null` as an alternative of its own.

use serde_json::{Map, Value, json};

/// Rewrites the document in place: references with a description or `nullable`, typeless
/// nullable schemas, `naive-date`, operations open to anyone, and the server list.
pub fn for_clients(doc: &mut Value) {
    walk(doc);
    let paths = doc.get_mut("paths").and_then(Value::as_object_mut);
    for op in
        paths.into_iter().flat_map(|p| p.values_mut()).flat_map(|i| i.as_object_mut()).flat_map(|i| i.values_mut())
    {
        // No security requirement means "open to anyone": say so, rather than leave it unsaid.
        if let Some(op) = op.as_object_mut() {
            op.entry("security").or_insert_with(|| json!([]));
        }
    }
    if doc["servers"].as_array().is_none_or(Vec::is_empty) {
        doc["servers"] = json!([{"url": "/", "description": "The host that serves this document."}]);
    }
}

fn walk(value: &mut Value) {
    match value {
        Value::Object(obj) => {
            for child in obj.values_mut() {
                walk(child);
            }
            reshape(obj);
        }
        Value::Array(items) => items.iter_mut().for_each(walk),
        _ => {}
    }
}

/// `{allOf: [{$ref}, {description}…], description?, nullable?}` becomes `{allOf: [{$ref}],
/// description?}`, or `{anyOf: [{$ref}, null], description?}` when nullable; `nullable` on a
/// schema without `type` (any JSON value, which includes null) is dropped.
fn reshape(obj: &mut Map<String, Value>) {
    // poem-openapi names `NaiveDate` `naive-date`; on the wire it is the standard `date`.
    if obj.get("format").and_then(Value::as_str) == Some("naive-date") {
        obj.insert("format".into(), json!("date"));
    }
    let nullable = obj.get("nullable").and_then(Value::as_bool).unwrap_or(false);
    let Some(all_of) = obj.get("allOf").and_then(Value::as_array) else {
        if nullable && !obj.contains_key("type") && !obj.contains_key("$ref") {
            obj.remove("nullable");
        }
        return;
    };
    let refs: Vec<&Value> = all_of.iter().filter(|s| s.get("$ref").is_some()).collect();
    let only_docs = all_of
        .iter()
        .all(|s| s.get("$ref").is_some() || s.as_object().is_some_and(|o| o.keys().all(|k| k == "description")));
    if refs.len() != 1 || !only_docs {
        return;
    }
    let reference = json!({"$ref": refs[0]["$ref"].clone()});
    obj.remove("allOf");
    obj.remove("nullable");
    if nullable {
        // The only 3.0 schema that admits just null: a nullable type whose one value is null.
        obj.insert("anyOf".into(), json!([reference, {"type": "string", "nullable": true, "enum": [null]}]));
    } else {
        obj.insert("allOf".into(), json!([reference]));
    }
}
