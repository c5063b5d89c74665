//! `audit --format html` in a real browser: Debian's `chromium`, headless, with the network off, loads the page
//! a fixture snapshot gives; the test checks the DOM it built (every finding there, hostile names as text),
//! that the page asked for nothing (no external reference in it, no request in chromium's net log, no
//! Content-Security-Policy refusal or script error in its console), and saves a screenshot to
//! `target/audit-report.png` for a person to look at.
//!
//! Without chromium the test fails and says how to install it, unless `SPOOFCTL_SKIP_BROWSER=1` is set: a
//! browser test that passes without a browser would prove nothing.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use spoofctl::model::characters::escaped;

const CHROMIUM: &str = "chromium";

fn target_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&dir).expect("target/");
    dir
}

/// Writes the page of the `audit-full` fixture (with its list) to `target/audit-report.html`.
fn write_page() -> (PathBuf, serde_json::Value) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshot");
    let page = target_dir().join("audit-report.html");
    let base = ["audit", "audit-full", "--list", "audit-contoso.yaml", "--today", "2026-12-07"];
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_spoofctl"))
            .current_dir(&fixtures)
            .args(base)
            .args(extra)
            .output()
            .expect("spoofctl runs")
    };
    let html = run(&["--format", "html", "-o", page.to_str().expect("a UTF-8 path"), "--force"]);
    assert_eq!(html.status.code(), Some(1), "{}", String::from_utf8_lossy(&html.stderr));
    let json = run(&["--format", "json"]);
    let report = serde_json::from_slice(&json.stdout).expect("the JSON report");
    (page, report)
}

/// Chromium with no network: every name resolves to nothing and every request goes to a proxy that is not
/// there; a fresh profile each time.
fn chromium(profile: &Path, args: &[&str]) -> std::process::Output {
    let _ = std::fs::remove_dir_all(profile);
    Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=http://127.0.0.1:9",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("chromium runs")
}

/// What the page loaded in chromium shows: its DOM, the URLs the page itself asked for (the net log's
/// requests with a page as initiator; the browser's own background requests have none), and the console's
/// messages (script errors, Content-Security-Policy refusals).
struct Loaded {
    dom: String,
    page_requests: Vec<String>,
    console: Vec<String>,
}

fn load(page: &Path, name: &str) -> Loaded {
    let target = target_dir();
    let net_log = target.join(format!("{name}-netlog.json"));
    let url = format!("file://{}", page.display());
    let out = chromium(
        &target.join(format!("{name}-chromium-profile")),
        &[&format!("--log-net-log={}", net_log.display()), "--dump-dom", &url],
    );
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&net_log).expect("the net log")).expect("the net log is JSON");
    let mut page_requests = Vec::new();
    for event in log["events"].as_array().expect("net log events") {
        let params = &event["params"];
        if let (Some(url), Some(initiator)) = (params["url"].as_str(), params["initiator"].as_str())
            && initiator != "not an origin"
        {
            page_requests.push(format!("{url} (from {initiator})"));
        }
    }
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Content Security Policy") || l.contains("Uncaught"))
        .map(str::to_string)
        .collect();
    Loaded { dom: String::from_utf8_lossy(&out.stdout).into_owned(), page_requests, console }
}

fn browser_present() -> bool {
    if Command::new(CHROMIUM).arg("--version").output().is_ok_and(|o| o.status.success()) {
        return true;
    }
    assert!(
        std::env::var("SPOOFCTL_SKIP_BROWSER").is_ok_and(|v| v == "1"),
        "the HTML report is tested in Debian's chromium, which is not installed: run `apt-get install -y chromium` \
         (or set SPOOFCTL_SKIP_BROWSER=1 to skip this test knowingly)"
    );
    false
}

/// The page holds every finding of the JSON report (same code, object and value), hostile names as text,
/// makes no request, has no script error, and prints a screenshot.
#[test]
fn audit_page_in_headless_chromium() {
    if !browser_present() {
        return;
    }
    let (page, report) = write_page();
    let html = std::fs::read_to_string(&page).expect("the page");
    // No reference to anything outside the page: links only to its own sections, no src at all.
    for attr in ["href=\"", "src=\""] {
        for (at, _) in html.match_indices(attr) {
            let value = &html[at + attr.len()..];
            assert!(
                value.starts_with('#'),
                "a reference outside the page: {}",
                &html[at..at + 60.min(html.len() - at)]
            );
        }
    }
    for tag in ["<script", "<img", "<link", "<iframe", "<object", "<embed", "@import", "url("] {
        assert!(!html.contains(tag), "the page holds {tag}");
    }

    let loaded = load(&page, "audit-report");
    std::fs::write(target_dir().join("audit-report-dom.html"), &loaded.dom).expect("write the DOM");
    assert!(loaded.page_requests.is_empty(), "the page asked for: {:?}", loaded.page_requests);
    assert!(loaded.console.is_empty(), "console messages: {:?}", loaded.console);
    let dom = &loaded.dom;
    // The hostile policy name is text in the DOM, never an element.
    assert!(dom.contains("&lt;script&gt;alert('x')&lt;/script&gt;"), "the hostile name is not shown as text");
    assert!(!dom.contains("<script") && !dom.contains("<img"), "a hostile name became markup");
    assert!(dom.contains("\\u{1b}[31mred"), "the escape character is not shown as an escape");

    // The page shows the findings in the report's order: each is looked for after the one before.
    let (mut findings, mut cursor) = (0, 0);
    for group in report["groups"].as_array().expect("groups") {
        assert!(dom.contains(&format!("id=\"{}\"", group["mechanism"].as_str().expect("mechanism"))));
        for f in group["findings"].as_array().expect("findings") {
            let (code, object, value) = (
                f["code"].as_str().expect("code"),
                f["object"].as_str().expect("object"),
                f["value"].as_str().expect("value"),
            );
            let article = format!("data-code=\"{code}\" data-object=\"{}\"", attribute(object));
            let at = cursor
                + dom[cursor..].find(&article).unwrap_or_else(|| panic!("no finding {code} for {object} in the DOM"));
            let rest = &dom[at..];
            cursor = at + article.len();
            let end = rest.find("</article>").expect("the finding's end");
            assert!(rest[..end].contains(&text(value)), "{code} {object}: the value {value} is not shown");
            findings += 1;
        }
    }
    assert_eq!(findings, dom.matches("<article").count(), "the page and the JSON report hold other findings");
    assert!(findings >= 25, "the fixture gives every kind of finding ({findings})");

    let screenshot = target_dir().join("audit-report.png");
    let _ = std::fs::remove_file(&screenshot);
    let shot = chromium(
        &target_dir().join("audit-report-shot-profile"),
        &[
            "--hide-scrollbars",
            "--window-size=1280,2600",
            &format!("--screenshot={}", screenshot.display()),
            &format!("file://{}", page.display()),
        ],
    );
    assert!(shot.status.success(), "chromium screenshot: {}", String::from_utf8_lossy(&shot.stderr));
    assert!(
        std::fs::metadata(&screenshot).is_ok_and(|m| m.len() > 10_000),
        "no screenshot at {}",
        screenshot.display()
    );
}

/// The checks above catch a page that does make a request or run a script: the same load, on a page that
/// does both, reports them.
#[test]
fn the_browser_checks_see_a_request_and_a_script_error() {
    if !browser_present() {
        return;
    }
    let page = target_dir().join("audit-leaky.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><img src=\"http://tracker.invalid/pixel.png\">\
         <script>undefined_function();</script></body></html>",
    )
    .expect("write");
    let loaded = load(&page, "audit-leaky");
    assert!(loaded.page_requests.iter().any(|r| r.contains("tracker.invalid")), "{:?}", loaded.page_requests);
    assert!(!loaded.console.is_empty(), "the script error was not seen");
}

/// How chromium serializes an attribute value (the page shows hidden characters as escapes): `&`, `"`, `<`
/// and `>` as entities (the HTML standard's serialization escapes `<` and `>` in attributes too since 2025).
fn attribute(value: &str) -> String {
    text(value).replace('"', "&quot;")
}

/// How chromium serializes text: `&`, `<`, `>` as entities; quotes as they are.
fn text(value: &str) -> String {
    escaped(value).replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
