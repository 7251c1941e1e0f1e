//! The anchors each figure is compared with (see `../shared/bench/README.md`): what poem alone,
//! poem with one sea-orm query, and PostgreSQL's raw sign-up transaction reach on this machine.
//! Absolute figures move between machines and runs, ratios taken in one sitting hold.
//!
//! `WUSHE_BENCH_ANCHORS` chooses where they come from: unset, `../shared/bench/anchors.sh`
//! (relative to the project root) runs when it exists, and its output is saved so that later
//! runs can reuse it; a file name reads `anchor NAME VALUE` lines from that file; `skip` runs
//! without anchors (no ratios).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Anchor name → figure (requests or transactions per second).
pub type Anchors = BTreeMap<String, f64>;

/// Where the last run of the anchor script was saved.
pub fn saved_path() -> PathBuf {
    std::env::temp_dir().join("wushe-bench-anchors.txt")
}

/// The anchors as `WUSHE_BENCH_ANCHORS` says, and a line saying where they came from.
pub fn resolve(seconds: u64) -> anyhow::Result<(Anchors, String)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/anchors.sh");
    match std::env::var("WUSHE_BENCH_ANCHORS").ok().as_deref() {
        Some("skip") => Ok((Anchors::new(), "anchors skipped (WUSHE_BENCH_ANCHORS=skip)".into())),
        Some(file) if !file.is_empty() => {
            let text =
                std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("reading anchors from {file}: {e}"))?;
            Ok((parse(&text), format!("anchors read from {file}")))
        }
        _ if script.exists() => {
            eprintln!("running {} {seconds} (anchors, same sitting)…", script.display());
            let out = Command::new("bash").arg(&script).arg(seconds.to_string()).stderr(Stdio::inherit()).output()?;
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            let saved = saved_path();
            std::fs::write(&saved, &text)?;
            Ok((
                parse(&text),
                format!(
                    "anchors measured now by {} (saved: rerun with WUSHE_BENCH_ANCHORS={})",
                    script.display(),
                    saved.display()
                ),
            ))
        }
        _ => Ok((Anchors::new(), format!("no anchors: {} is not there", script.display()))),
    }
}

/// `anchor NAME VALUE` lines; a value that is not a number (the script prints `?` for a
/// measurement that failed) is left out.
pub fn parse(text: &str) -> Anchors {
    text.lines()
        .filter_map(|l| {
            let mut p = l.split_whitespace();
            (p.next()? == "anchor").then_some(())?;
            let name = p.next()?.to_string();
            let value = p.next()?.parse::<f64>().ok()?;
            Some((name, value))
        })
        .collect()
}
