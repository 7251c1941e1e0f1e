//! The dashboard: a unit's statistics (`getStatsOverview`, `getStatsHours`) with two charts drawn
//! on the server as SVG (hours by action line, hours by month) and the units one level below,
//! each a link one level down: city → district → station → room.

use super::view::{self, refused};
use super::{Api, param, query, query_string};
use poem::http::{Method, StatusCode};
use poem::web::{Data, Path};
use poem::{Request, Response, handler};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The action lines in the order the charts show them.
const LINES: [&str; 6] = ["help", "governance", "epidemic", "home", "rescue", "other"];

#[handler]
pub async fn page(req: &Request, Data(api): Data<&Api>) -> Response {
    let (mut visit, p) = match super::admin(req, api).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let q = query(req);
    let param = |name: &str| param(&q, name);
    let qs = query_string(&args(&q, true));
    let form = json!({"from": param("from"), "to": param("to"), "unit": param("unit")});
    let download_query = query_string(&args(&q, false));
    let hours = match visit.api(Method::GET, &format!("/api/v1/stats/hours?{qs}"), None).await {
        Ok(a) => a,
        Err(r) => return refused(&mut visit, r),
    };
    if !hours.status.is_success() {
        let ctx = json!({"form": form, "problem": {"code": hours.code(), "detail": hours.body["detail"]}});
        return view::page(&visit, Some(&p), hours.status, "dashboard.html", ctx);
    }
    let overview = match visit.api(Method::GET, &format!("/api/v1/stats/overview?{qs}"), None).await {
        Ok(a) if a.status.is_success() => a.body,
        Ok(a) => {
            let ctx = json!({"form": form, "problem": {"code": a.code(), "detail": a.body["detail"]}});
            return view::page(&visit, Some(&p), a.status, "dashboard.html", ctx);
        }
        Err(r) => return refused(&mut visit, r),
    };
    let unit = &hours.body["unit"];
    let mut trail = Vec::new();
    if let Some(id) = unit["orgUnitId"].as_str()
        && let Ok(a) = visit.api(Method::GET, &format!("/api/v1/org-units/{id}/ancestors"), None).await
        && a.status.is_success()
    {
        // Every unit above this one, the city first (the unit itself is the trail's end).
        trail = a.body.as_array().cloned().unwrap_or_default();
        trail.retain(|u| u["id"].as_str() != Some(id));
    }
    let words = visit.lang.words();
    let ctx = json!({
        "form": form,
        "hours": hours.body,
        "overview": overview,
        "trail": trail,
        "lines": bars(&by_line(unit, &words)),
        "months": bars(&by_month(unit)),
        "children": children(&hours.body["children"]),
        "total_hours": unit["hours"],
        "download_query": download_query,
        "fill_percent": (overview["tasks"]["fillRate"].as_f64().unwrap_or(0.0) * 100.0).round(),
    });
    view::page(&visit, Some(&p), StatusCode::OK, "dashboard.html", ctx)
}

/// Hours per action line, every line shown (zero where none).
fn by_line(unit: &Value, words: &Value) -> Vec<(String, f64)> {
    let mut sums: BTreeMap<&str, f64> = LINES.iter().map(|l| (*l, 0.0)).collect();
    for r in unit["rows"].as_array().into_iter().flatten() {
        if let Some(s) = r["actionLine"].as_str().and_then(|l| sums.get_mut(l)) {
            *s += r["hours"].as_f64().unwrap_or(0.0);
        }
    }
    LINES.iter().map(|l| (words[format!("line_{l}")].as_str().unwrap_or(l).to_string(), sums[l])).collect()
}

/// Hours per month with service, oldest first.
fn by_month(unit: &Value) -> Vec<(String, f64)> {
    let mut sums: BTreeMap<String, f64> = BTreeMap::new();
    for r in unit["rows"].as_array().into_iter().flatten() {
        *sums.entry(r["month"].as_str().unwrap_or_default().to_string()).or_default() +=
            r["hours"].as_f64().unwrap_or(0.0);
    }
    sums.into_iter().collect()
}

/// Bars scaled to the largest (0–100), rounded for drawing.
fn bars(values: &[(String, f64)]) -> Vec<Value> {
    let max = values.iter().map(|(_, v)| *v).fold(0.0, f64::max);
    values
        .iter()
        .enumerate()
        .map(|(i, (label, v))| {
            let pct = if max > 0.0 { (v / max * 100.0).round() } else { 0.0 };
            json!({"i": i, "label": label, "value": (v * 100.0).round() / 100.0, "pct": pct})
        })
        .collect()
}

/// The units below with their share of the largest, for the table's bars.
fn children(list: &Value) -> Vec<Value> {
    let list = list.as_array().cloned().unwrap_or_default();
    let max = list.iter().filter_map(|c| c["hours"].as_f64()).fold(0.0, f64::max);
    list.into_iter()
        .map(|mut c| {
            let h = c["hours"].as_f64().unwrap_or(0.0);
            c["pct"] = json!(if max > 0.0 { (h / max * 100.0).round() } else { 0.0 });
            c
        })
        .collect()
}

/// The dashboard's parameters (`unit`, `from`, `to`) and the API's names for them.
const PARAMS: [(&str, &str); 3] = [("unit", "orgUnitId"), ("from", "from"), ("to", "to")];

/// The parameters given, named as the API names them (`api`) or as the dashboard does.
fn args(q: &[(String, String)], api: bool) -> Vec<(&'static str, String)> {
    PARAMS.iter().filter_map(|(own, key)| param(q, own).map(|v| (if api { *key } else { *own }, v))).collect()
}

/// The files the dashboard offers, by their name under `/console/stats/`.
const FILES: [&str; 4] = ["hours.csv", "hours.xlsx", "overview.csv", "overview.xlsx"];

/// A download of the dashboard's tables, as the API makes it (`exportStatsHours` and the rest),
/// for the unit and months the dashboard shows.
#[handler]
pub async fn download(req: &Request, Path(file): Path<String>, Data(api): Data<&Api>) -> Response {
    let (mut visit, _) = match super::admin(req, api).await {
        Ok(v) => v,
        Err(refusal) => return refusal,
    };
    let Some(file) = FILES.iter().find(|f| **f == file) else {
        return refused(&mut visit, super::Refusal::Forbidden);
    };
    match visit.file(&format!("/api/v1/stats/{file}?{}", query_string(&args(&query(req), true)))).await {
        Ok(resp) => visit.finish(resp),
        Err(r) => refused(&mut visit, r),
    }
}
