//! Driving the server with `wrk` (a separate process, `-t2 -c64 --latency`) and reading its
//! figures. Every script also tallies the answers that are not 2xx by status and by the `code` of
//! their problem body (wrk itself only counts them): each wrk thread keeps its own tally in a
//! `response` hook, which looks at the body only when the status is 300 or above, and `done`
//! prints the tallies as `tally STATUS CODE COUNT` lines. The hook makes wrk hand every answer
//! to Lua, which costs the load generator a little CPU on a shared machine; the anchors run
//! without it, so the ratios are if anything slightly pessimistic.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::seed::CENTRE;

/// What one wrk run measured.
#[derive(Debug, Default, Clone)]
pub struct Figures {
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub non_2xx: u64,
    /// Connect, read, write errors and timeouts, added up.
    pub socket_errors: u64,
    /// `"STATUS CODE"` (`-` when the body has no `code`) → answers.
    pub by_code: BTreeMap<String, u64>,
}

impl Figures {
    /// The tally as `409 signup.full ×12, 503 unavailable ×1`.
    pub fn breakdown(&self) -> String {
        self.by_code.iter().map(|(k, n)| format!("{k} ×{n}")).collect::<Vec<_>>().join(", ")
    }
}

/// Runs wrk for `seconds` against `base` with the script `lua` (its `DIR` replaced by `dir`,
/// where `tokens.txt` and `tasks.txt` are).
pub fn run(dir: &Path, lua: &str, base: &str, seconds: u64) -> anyhow::Result<(Figures, String)> {
    let path = dir.join("s.lua");
    std::fs::write(&path, lua.replace("DIR", &dir.display().to_string()))?;
    let out = Command::new("wrk")
        .args(["-t2", "-c64", &format!("-d{seconds}s"), "--latency", "-s"])
        .arg(&path)
        .arg(base)
        .output()
        .map_err(|e| anyhow::anyhow!("running wrk (is it on the PATH?): {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    anyhow::ensure!(out.status.success(), "wrk failed: {}{}", text, String::from_utf8_lossy(&out.stderr));
    Ok((parse(&text), text))
}

const PRELUDE: &str = r#"
local function lines(path)
  local t = {}
  for l in io.lines(path) do t[#t + 1] = l end
  return t
end
tokens = lines("DIR/tokens.txt")
tasks = lines("DIR/tasks.txt")
local counter = 0
local threads = {}
local thread_no = 0
function setup(thread)
  thread_no = thread_no + 1
  thread:set("offset", thread_no * 7919)
  table.insert(threads, thread)
end
function init(args)
  counter = offset or 0
  tally = {}
end
function response(status, headers, body)
  if status >= 300 then
    local code = body and string.match(body, '"code"%s*:%s*"([^"]+)"') or "-"
    local key = status .. " " .. code
    tally[key] = (tally[key] or 0) + 1
  end
end
function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    local counts = t:get("tally")
    if counts then
      for k, v in pairs(counts) do io.write("tally " .. k .. " " .. v .. "\n") end
    end
  end
end
"#;

/// `GET path`, signed in as a different volunteer each request when `auth`.
pub fn get(path: &str, auth: bool) -> String {
    get_as(path, if auth { Some(usize::MAX) } else { None })
}

/// `GET path`, signed in in turn as the first `among` volunteers (all of them at most), or
/// anonymously when `None`.
pub fn get_as(path: &str, among: Option<usize>) -> String {
    let header = match among {
        Some(n) => {
            format!("h['Authorization'] = 'Bearer ' .. tokens[(counter % math.min(#tokens, {})) + 1]", n.min(1 << 30))
        }
        None => String::new(),
    };
    format!(
        "{PRELUDE}\nrequest = function()\n  counter = counter + 1\n  local h = {{}}\n  {header}\n  return wrk.format('GET', '{path}', h)\nend\n"
    )
}

/// Tasks within 3 km of a random point of the city, as a different volunteer each request.
pub fn browse() -> String {
    format!(
        "{PRELUDE}\nrequest = function()\n  counter = counter + 1\n  local lat = {} + (math.random() - 0.5) * 0.7\n  local lng = {} + (math.random() - 0.5) * 0.9\n  local h = {{}}\n  h['Authorization'] = 'Bearer ' .. tokens[(counter % #tokens) + 1]\n  return wrk.format('GET', string.format('/api/v1/tasks?near=%.5f,%.5f&radiusKm=3', lat, lng), h)\nend\n",
        CENTRE.0, CENTRE.1
    )
}

/// Each request pairs a different volunteer with a task (or the one race task).
pub fn signup(race: Option<&str>) -> String {
    let task = match race {
        Some(id) => format!("'{id}'"),
        None => "tasks[((counter * 104729) % #tasks) + 1]".to_string(),
    };
    format!(
        "{PRELUDE}\nrequest = function()\n  counter = counter + 1\n  local h = {{}}\n  h['Authorization'] = 'Bearer ' .. tokens[(counter % #tokens) + 1]\n  h['Content-Type'] = 'application/json'\n  return wrk.format('POST', '/api/v1/tasks/' .. {task} .. '/signups', h, '{{}}')\nend\n"
    )
}

/// Requests/s, p50 and p99 in ms, non-2xx, socket errors and the tally from wrk's output.
pub fn parse(out: &str) -> Figures {
    let ms = |s: &str| -> f64 {
        let s = s.trim();
        if let Some(v) = s.strip_suffix("us") {
            v.parse::<f64>().unwrap_or(0.0) / 1000.0
        } else if let Some(v) = s.strip_suffix("ms") {
            v.parse().unwrap_or(0.0)
        } else if let Some(v) = s.strip_suffix('s') {
            v.parse::<f64>().unwrap_or(0.0) * 1000.0
        } else {
            0.0
        }
    };
    let mut f = Figures::default();
    for line in out.lines() {
        let l = line.trim();
        if let Some(v) = l.strip_prefix("Requests/sec:") {
            f.rps = v.trim().parse().unwrap_or(0.0);
        } else if let Some(v) = l.strip_prefix("50%") {
            f.p50_ms = ms(v);
        } else if let Some(v) = l.strip_prefix("99%") {
            f.p99_ms = ms(v);
        } else if let Some(v) = l.strip_prefix("Non-2xx or 3xx responses:") {
            f.non_2xx = v.trim().parse().unwrap_or(0);
        } else if let Some(v) = l.strip_prefix("Socket errors:") {
            // "connect 0, read 0, write 0, timeout 12"
            f.socket_errors = v.split(',').filter_map(|p| p.split_whitespace().nth(1)?.parse::<u64>().ok()).sum();
        } else if let Some(v) = l.strip_prefix("tally ") {
            let mut parts = v.rsplitn(2, ' ');
            if let (Some(n), Some(key)) = (parts.next(), parts.next()) {
                *f.by_code.entry(key.to_string()).or_default() += n.parse::<u64>().unwrap_or(0);
            }
        }
    }
    f
}
