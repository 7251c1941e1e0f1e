//! A thin W3C WebDriver client (https://www.w3.org/TR/webdriver2/) over reqwest, driving
//! Debian's `chromedriver` and headless `chromium`: only the commands the journeys use.
//!
//! The browser tests run when a ChromeDriver is found (`WUSHE_TEST_CHROMEDRIVER`, else
//! `/usr/bin/chromedriver`); `.ci/run` installs it and sets the variable, so CI always runs them.

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};

/// The ChromeDriver to use, if there is one (saying so when a browser test is skipped).
pub fn chromedriver() -> Option<String> {
    match std::env::var("WUSHE_TEST_CHROMEDRIVER") {
        Ok(path) => {
            assert!(std::path::Path::new(&path).exists(), "WUSHE_TEST_CHROMEDRIVER={path} does not exist");
            Some(path)
        }
        Err(_) => {
            let found = Some("/usr/bin/chromedriver".to_string()).filter(|p| std::path::Path::new(p).exists());
            if found.is_none() {
                eprintln!("skipped: no chromedriver (set WUSHE_TEST_CHROMEDRIVER)");
            }
            found
        }
    }
}

/// A browser session: its ChromeDriver process, killed when dropped.
pub struct Browser {
    driver: Child,
    base: String,
    client: reqwest::Client,
}

/// An element of the page.
pub struct Element(String);

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    /// Starts ChromeDriver on a free port and a headless Chromium session in it.
    pub async fn start(driver_path: &str) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut b = Browser { driver, base: format!("http://127.0.0.1:{port}"), client: reqwest::Client::new() };
        let (client, status) = (b.client.clone(), format!("{}/status", b.base));
        crate::helpers::eventually(20, "chromedriver to answer", || {
            let (client, status) = (client.clone(), status.clone());
            async move { client.get(status).send().await.is_ok_and(|r| r.status().is_success()) }
        })
        .await;
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": std::env::var("WUSHE_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                         "--window-size=1280,1000", "--lang=zh-CN"],
                "prefs": {"intl.accept_languages": "zh-CN,zh"}
            }
        }}});
        let v = b.send(reqwest::Method::POST, "/session", Some(caps)).await;
        let id = v["sessionId"].as_str().unwrap_or_else(|| panic!("a WebDriver session: {v}")).to_string();
        b.base = format!("{}/session/{id}", b.base);
        // Finding an element waits for it.
        b.send(reqwest::Method::POST, "/timeouts", Some(json!({"implicit": 10_000}))).await;
        b
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut r = self.client.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.expect("chromedriver answers");
        let status = resp.status();
        let v: Value = resp.json().await.expect("WebDriver answers JSON");
        assert!(status.is_success(), "WebDriver {path}: {status} {v}");
        v["value"].clone()
    }

    /// Opens a URL and waits for the page to load.
    pub async fn go(&self, url: &str) {
        self.send(reqwest::Method::POST, "/url", Some(json!({ "url": url }))).await;
    }

    /// The address of the page shown.
    pub async fn url(&self) -> String {
        self.send(reqwest::Method::GET, "/url", None).await.as_str().unwrap_or_default().to_string()
    }

    /// The element matching a CSS selector (it must be there).
    pub async fn find(&self, css: &str) -> Element {
        let v =
            self.send(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css}))).await;
        Element(v[ELEMENT_KEY].as_str().unwrap_or_else(|| panic!("no element {css}: {v}")).to_string())
    }

    /// How many elements match a CSS selector.
    pub async fn count(&self, css: &str) -> usize {
        let v =
            self.send(reqwest::Method::POST, "/elements", Some(json!({"using": "css selector", "value": css}))).await;
        v.as_array().map_or(0, Vec::len)
    }

    /// Types into an element.
    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.send(reqwest::Method::POST, &format!("/element/{}/value", e.0), Some(json!({ "text": text }))).await;
    }

    /// Replaces what an input holds with `text`.
    pub async fn retype(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.send(reqwest::Method::POST, &format!("/element/{}/clear", e.0), Some(json!({}))).await;
        self.send(reqwest::Method::POST, &format!("/element/{}/value", e.0), Some(json!({ "text": text }))).await;
    }

    /// Clicks an element. A button or a link waits for the next page: WebDriver's click returns
    /// once the click is dispatched, so without the wait the next command could read the page
    /// being left; the old page's root going stale says the new one has replaced it.
    pub async fn click(&self, css: &str) {
        let e = self.find(css).await;
        let tag = self.send(reqwest::Method::GET, &format!("/element/{}/name", e.0), None).await;
        let leaves = matches!(tag.as_str(), Some("button" | "a"));
        let root = if leaves { Some(self.find("html").await) } else { None };
        self.send(reqwest::Method::POST, &format!("/element/{}/click", e.0), Some(json!({}))).await;
        if let Some(root) = root {
            let (client, probe) = (self.client.clone(), format!("{}/element/{}/name", self.base, root.0));
            crate::helpers::eventually(10, "the next page after a click", || {
                let (client, probe) = (client.clone(), probe.clone());
                async move { client.get(probe).send().await.is_ok_and(|r| !r.status().is_success()) }
            })
            .await;
        }
    }

    /// An element's visible text.
    pub async fn text(&self, css: &str) -> String {
        let e = self.find(css).await;
        self.send(reqwest::Method::GET, &format!("/element/{}/text", e.0), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// What an input holds.
    pub async fn value(&self, css: &str) -> String {
        let e = self.find(css).await;
        self.send(reqwest::Method::GET, &format!("/element/{}/property/value", e.0), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Runs a script in the page and returns its value (for measuring layout, not for acting:
    /// the journeys act as a person would).
    pub async fn execute(&self, script: &str) -> Value {
        self.send(reqwest::Method::POST, "/execute/sync", Some(json!({ "script": script, "args": [] }))).await
    }

    /// Resizes the window (a tablet is 768 by 1024).
    pub async fn resize(&self, width: u32, height: u32) {
        self.send(reqwest::Method::POST, "/window/rect", Some(json!({ "width": width, "height": height }))).await;
    }

    /// Whether a checkbox is ticked.
    pub async fn selected(&self, css: &str) -> bool {
        let e = self.find(css).await;
        self.send(reqwest::Method::GET, &format!("/element/{}/selected", e.0), None).await.as_bool().unwrap_or(false)
    }

    /// Saves a PNG of the window under `target/console/` (a CI artefact) and returns its path.
    pub async fn screenshot(&self, name: &str) -> std::path::PathBuf {
        use base64::Engine;
        let v = self.send(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap_or_default()).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/console");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Errors the page's scripts reported to the console (CSP refusals among them).
    pub async fn severe_logs(&self) -> Vec<String> {
        let r = self.client.post(format!("{}/se/log", self.base)).json(&json!({"type": "browser"})).send().await;
        let Ok(r) = r else { return Vec::new() };
        let v: Value = r.json().await.unwrap_or(Value::Null);
        v["value"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
