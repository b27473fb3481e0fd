//! report.html: its structure (pinned by a snapshot of headings, charts and
//! table headers, not the whole file), self-containment, and a real browser:
//! headless Chromium opens it, no console message (a blocked request is
//! one, by the page's Content Security Policy) and a screenshot.

use super::*;

/// The page's outline: sections, headings, figures (with their SVG) and
/// each table's header row, one line each.
fn outline(html: &str) -> String {
    let mut out = Vec::new();
    let mut rest = html;
    let inner = |s: &str| -> String {
        let body = s.split_once('>').map_or("", |(_, b)| b);
        body.split("</").next().unwrap_or("").trim().to_string()
    };
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let tag: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        match tag.as_str() {
            "h1" | "h2" | "h3" => out.push(format!("{tag}: {}", inner(rest))),
            "section" => out.push(format!(
                "section {}",
                rest.split("id=\"")
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .unwrap_or("")
            )),
            "figure" => out.push(format!(
                "  figure: {}",
                rest.split("aria-label=\"")
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .unwrap_or("")
            )),
            "svg" => out.push("    svg".into()),
            "thead" => {
                let head = rest.split("</thead>").next().unwrap_or("");
                let cells: Vec<String> = head.split("<th").skip(1).map(inner).collect();
                out.push(format!("  table: {}", cells.join(" | ")));
            }
            _ => {}
        }
    }
    out.join("\n")
}

fn report_html() -> (Scratch, String) {
    let s = Scratch::new();
    stdout_of([
        "--data",
        repo().join("data-samples").to_str().unwrap(),
        "--out",
        s.path().to_str().unwrap(),
        "report",
    ]);
    let html = std::fs::read_to_string(s.join("report.html")).expect("report.html");
    (s, html)
}

#[test]
fn report_html_is_self_contained_and_its_structure_is_pinned() {
    let (_s, html) = report_html();
    // Nothing leaves the file: no script, link, external source or URL but
    // the SVG namespace, and a policy that forbids every request.
    assert!(
        html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"")
    );
    for banned in ["<script", "<link", "<iframe", "src=\"http", "url("] {
        assert!(!html.contains(banned), "{banned}");
    }
    let urls: Vec<&str> = html
        .match_indices("http")
        .map(|(i, _)| &html[i..(i + 40).min(html.len())])
        .filter(|u| !u.starts_with("http://www.w3.org/2000/svg") && !u.starts_with("http-equiv"))
        .collect();
    assert!(urls.is_empty(), "{urls:?}");
    // Every section leads with the sentence report prints.
    assert!(html.contains("20,000 leads, 826 won (4.1%)"));
    assert!(html.contains("recalibrate (sql): proposed test AUC 0.673"));
    // A command the terminal quotes in backticks is set as code, never
    // shown with its backticks (the data-quality sentence was).
    assert!(html.contains("touches); <code>leadloop validate</code> lists them"));
    assert!(!html.contains('`'), "a literal backtick on the page");
    // A chart in each of the eight sections (two in win rate, two in recalibrate).
    assert_eq!(html.matches("<svg").count(), 10);
    // ...each with its numbers beside it (a user trial found the lift and
    // calibration charts without theirs).
    for title in [
        "<h3>Lift by decile of prediction on test",
        "<h3>Calibration by decile on test",
    ] {
        assert!(html.contains(title), "{title}");
    }
    insta::assert_snapshot!("report_html_outline", outline(&html));
}

/// Chromium if installed: `$LEADLOOP_CHROMIUM`, else `chromium` on PATH.
fn chromium() -> Option<String> {
    let candidates = std::env::var("LEADLOOP_CHROMIUM")
        .into_iter()
        .chain(["chromium".to_string(), "chromium-browser".to_string()]);
    for c in candidates {
        let ok = std::process::Command::new(&c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(c);
        }
    }
    None
}

#[test]
fn report_html_opens_in_headless_chromium_without_console_messages() {
    let (s, _html) = report_html();
    let Some(browser) = chromium() else {
        assert!(
            std::env::var("LEADLOOP_REQUIRE_CHROMIUM").is_err(),
            "LEADLOOP_REQUIRE_CHROMIUM is set but no chromium runs"
        );
        eprintln!("chromium not installed: report.html was not opened in a browser");
        return;
    };
    let shot = std::env::temp_dir().join("leadloop-report-html.png");
    let _ = std::fs::remove_file(&shot);
    let page = format!("file://{}", s.join("report.html").display());
    let run = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1200,6000",
        ])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&page)
        .output()
        .expect("run chromium");
    let log = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{log}");
    // Console messages (errors, and every request the policy blocked).
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "{console:#?}");
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 100_000,
        "screenshot {} is {size} bytes",
        shot.display()
    );
    eprintln!("screenshot: {}", shot.display());
}

/// An analysis a data set cannot feed is named in its section with why,
/// and a command in that reason is code there too (a breaker's leads and
/// handoffs without spend read "Not shown: roi (needs a spend table;
/// `leadloop bands --by source` gives …)" with its backticks).
#[test]
fn report_html_sets_a_skipped_analysis_s_advice_as_code() {
    let s = Scratch::new();
    s.write(
        "leads.csv",
        "lead_id,created_at,source,score\n1,2024-01-01,web,10\n2,2024-01-02,ads,90\n",
    );
    s.write(
        "handoffs.csv",
        "lead_id,stage,at\n1,mql,2024-01-03\n2,mql,2024-01-03\n2,sql,2024-01-04\n",
    );
    stdout_of([
        "--data",
        s.path().to_str().unwrap(),
        "report",
        "--out",
        s.join("out").to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(s.join("out/report.html")).unwrap();
    assert!(
        html.contains(
            "Not shown: roi (needs a spend table; <code>leadloop bands --by source</code>"
        ),
        "{html}"
    );
    assert!(!html.contains('`'), "a literal backtick on the page");
}
