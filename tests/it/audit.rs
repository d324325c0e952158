//! The server audit (issue 17): every check passes (or does not apply)
//! against the standard demo provider, and each fails against the demo
//! provider with the matching weakness switched on — the engine driven
//! directly, its browser played by the scripted person, and the `audit`
//! command's exit code, JSON and JUnit report.

use crate::support;

use std::time::Duration;

use oauth_debugger::demo::DemoServer;
use oauth_debugger::demo::user_agent::Person;
use oauth_debugger::engine::ProfileFile;
use oauth_debugger::engine::audit::{self, AuditOptions, CheckResult, Verdict, Weight};
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType};
use support::{browser_file, client, demo, demo_file, played_by, profile};

const BIN: &str = env!("CARGO_BIN_EXE_oauth-debugger");

/// The confidential client, authorization code grant.
fn code_file(base: &str) -> ProfileFile {
    ProfileFile {
        introspection_endpoint: Some(format!("{base}/introspect")),
        userinfo_endpoint: Some(format!("{base}/userinfo")),
        ..browser_file(
            base,
            GrantType::AuthorizationCode,
            ClientAuthMethod::ClientSecretBasic,
        )
    }
}

/// The public client, authorization code grant.
fn public_file(base: &str) -> ProfileFile {
    browser_file(base, GrantType::AuthorizationCode, ClientAuthMethod::None)
}

/// Runs the checks `only` (all when empty) on `file`, the browser played
/// by the scripted person, waiting `timeout` for each sign-in.
async fn audit_of(file: &ProfileFile, only: &[&str], timeout: Duration) -> Vec<CheckResult> {
    audit_waiting(file, only, timeout, None).await
}

/// [`audit_of`], with `code-lifetime` holding its code for `code_wait`.
async fn audit_waiting(
    file: &ProfileFile,
    only: &[&str],
    timeout: Duration,
    code_wait: Option<Duration>,
) -> Vec<CheckResult> {
    let profile = profile(file);
    let http = client(&profile);
    let (grant_options, _) = played_by(Person::default());
    let mut browser = grant_options.browser;
    browser.timeout = timeout;
    let options = AuditOptions {
        only: only.iter().map(|id| id.to_string()).collect(),
        code_wait,
        browser,
    };
    audit::run(&profile, &http, &options, |_| {}).await
}

fn verdict_of<'a>(results: &'a [CheckResult], id: &str) -> &'a CheckResult {
    results
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("{id} ran: {results:#?}"))
}

async fn weak(names: &[&str]) -> DemoServer {
    support::demo_with_faults(names, false).await
}

#[tokio::test]
async fn the_standard_demo_provider_passes_every_check_that_applies() {
    let server = demo().await;
    let results = audit_of(&code_file(&server.url()), &[], Duration::from_secs(30)).await;
    // Every check but the slow code-lifetime, which runs only when asked.
    assert_eq!(results.len(), audit::CHECKS.len() - 1, "every check ran");
    assert!(results.iter().all(|r| r.id != "code-lifetime"));
    for result in &results {
        let expected = match result.id {
            // The demo offers them on purpose, to show those grants.
            "implicit-and-password-offered" => Verdict::Fail,
            // It lists plain, and this client is confidential.
            "pkce-downgrade" | "pkce-required" => Verdict::NotApplicable,
            _ => Verdict::Pass,
        };
        assert_eq!(result.verdict, expected, "{result:#?}");
    }
    let offered = verdict_of(&results, "implicit-and-password-offered");
    assert_eq!(offered.weight, Weight::Warning);
    assert!(
        !audit::failed(&results),
        "a warning does not fail the audit"
    );
    // Each check that talks to the server names its exchanges.
    for id in [
        "code-replay",
        "token-endpoint-get",
        "refresh-rotation-reuse",
    ] {
        assert!(!verdict_of(&results, id).exchanges.is_empty(), "{id}");
    }
    assert!(verdict_of(&results, "tls").exchanges.is_empty());
    assert!(verdict_of(&results, "code-replay").intrusive);
    assert!(
        verdict_of(&results, "code-replay")
            .observed
            .contains("no longer active"),
        "the first tokens were checked by introspection"
    );
}

#[tokio::test]
async fn each_weakness_fails_its_check() {
    let cases: &[(&str, &str, bool)] = &[
        ("weak-code-replay", "code-replay", false),
        ("weak-pkce-unchecked", "pkce-verifier-mismatch", false),
        ("weak-pkce-unchecked", "pkce-verifier-missing", false),
        ("weak-pkce-optional", "pkce-required", true),
        ("weak-pkce-plain", "pkce-downgrade", false),
        ("weak-open-redirect", "redirect-uri-unregistered", false),
        (
            "weak-redirect-uri-unchecked",
            "redirect-uri-mismatch-at-token",
            false,
        ),
        ("weak-state-dropped", "state-echo", false),
        ("weak-no-reuse-detection", "refresh-rotation-reuse", false),
        ("weak-scope-escalation", "refresh-scope-escalation", false),
        ("weak-token-get", "token-endpoint-get", false),
        (
            "weak-no-store-missing",
            "token-response-cache-headers",
            false,
        ),
        ("weak-secret-unchecked", "client-auth-wrong-secret", false),
        (
            "weak-auth-optional",
            "client-auth-none-for-confidential",
            false,
        ),
        ("iss-missing", "iss-response-parameter", false),
        ("iss-wrong", "iss-response-parameter", false),
    ];
    for (fault, id, public) in cases {
        let server = weak(&[fault]).await;
        let base = server.url();
        let file = if *public {
            public_file(&base)
        } else {
            code_file(&base)
        };
        // A redirect without state is refused and waited past: short.
        let results = audit_of(&file, &[id], Duration::from_secs(3)).await;
        assert_eq!(results.len(), 1);
        let result = &results[0];
        assert_eq!(result.verdict, Verdict::Fail, "{fault}: {result:#?}");
        assert!(audit::failed(&results), "{fault}");
        // And the same check passes (or does not apply) without it.
        let clean = demo().await;
        let file = if *public {
            public_file(&clean.url())
        } else {
            code_file(&clean.url())
        };
        let results = audit_of(&file, &[id], Duration::from_secs(30)).await;
        assert_ne!(results[0].verdict, Verdict::Fail, "{id} without {fault}");
    }
}

#[tokio::test]
async fn a_public_client_without_pkce_is_refused_by_the_standard_server() {
    let server = demo().await;
    let results = audit_of(
        &public_file(&server.url()),
        &["pkce-required"],
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(results[0].verdict, Verdict::Pass, "{results:#?}");
    assert!(
        results[0]
            .observed
            .contains("refused at the authorization endpoint")
    );
}

#[tokio::test]
async fn a_server_that_advertises_s256_only_and_means_it_passes_the_downgrade_check() {
    let server = weak(&["fapi2"]).await;
    // Only the metadata matters here: FAPI 2.0 mode lists S256 alone and
    // refuses plain at the authorization endpoint (before any client
    // authentication), so a secret-based client can still be refused there.
    let results = audit_of(
        &code_file(&server.url()),
        &["pkce-downgrade", "implicit-and-password-offered"],
        Duration::from_secs(30),
    )
    .await;
    let downgrade = verdict_of(&results, "pkce-downgrade");
    assert_eq!(downgrade.verdict, Verdict::Pass, "{downgrade:#?}");
    let offered = verdict_of(&results, "implicit-and-password-offered");
    assert_eq!(offered.verdict, Verdict::Pass, "{offered:#?}");
}

#[tokio::test]
async fn an_endpoint_over_plain_http_fails_tls_and_checks_that_do_not_apply_say_why() {
    let file = ProfileFile {
        token_endpoint: Some("http://as.example.com/token".into()),
        ..demo_file(
            "https://as.example.com",
            GrantType::ClientCredentials,
            ClientAuthMethod::ClientSecretBasic,
        )
    };
    let results = audit_of(&file, &["tls", "code-replay"], Duration::from_secs(1)).await;
    let tls = verdict_of(&results, "tls");
    assert_eq!(tls.verdict, Verdict::Fail);
    assert!(
        tls.observed
            .contains("token_endpoint http://as.example.com/token")
    );
    let replay = verdict_of(&results, "code-replay");
    assert_eq!(replay.verdict, Verdict::NotApplicable);
    assert!(replay.observed.contains("authorization code grant"));
}

/// Writes a profile for the CLI and returns its path.
fn profile_on_disk(dir: &std::path::Path, file: &ProfileFile) -> std::path::PathBuf {
    let path = dir.join("audit.toml");
    std::fs::write(&path, file.to_toml()).expect("write");
    path
}

fn run_cli(args: &[&str]) -> std::process::Output {
    std::process::Command::new(BIN)
        .args(args)
        .env("BROWSER", format!("{BIN} demo-browser"))
        .output()
        .expect("runs")
}

#[tokio::test]
async fn the_command_prints_json_writes_junit_and_exits_by_the_verdicts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clean = demo().await;
    let machine = |base: &str| ProfileFile {
        issuer: Some(base.to_string()),
        ..demo_file(
            base,
            GrantType::Password,
            ClientAuthMethod::ClientSecretBasic,
        )
    };
    let path = profile_on_disk(dir.path(), &machine(&clean.url()));
    let junit = dir.path().join("audit.xml");
    let output = tokio::task::spawn_blocking({
        let path = path.clone();
        let junit = junit.clone();
        move || {
            run_cli(&[
                "audit",
                "--profile",
                path.to_str().expect("utf-8"),
                "--json",
                "--junit",
                junit.to_str().expect("utf-8"),
            ])
        }
    })
    .await
    .expect("joined");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["failed"], false);
    let checks = json["checks"].as_array().expect("checks");
    assert_eq!(
        checks.len(),
        audit::CHECKS.len() - 1,
        "all but code-lifetime"
    );
    let rotation = checks
        .iter()
        .find(|c| c["id"] == "refresh-rotation-reuse")
        .expect("rotation");
    assert_eq!(rotation["verdict"], "pass");
    assert!(rotation["rfc"].as_str().expect("rfc").contains("RFC 9700"));
    assert!(!rotation["exchanges"].as_array().expect("ids").is_empty());
    // The JUnit file is well-formed XML with one test case per check.
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut cases, mut suites) = (0, 0);
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                match e.name().as_ref() {
                    b"testcase" => cases += 1,
                    b"testsuite" => suites += 1,
                    _ => {}
                }
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!((suites, cases), (1, audit::CHECKS.len() - 1));

    // --code-wait turns code-lifetime on; a password profile has no code.
    let output = tokio::task::spawn_blocking({
        let path = path.clone();
        move || {
            run_cli(&[
                "audit",
                "--profile",
                path.to_str().expect("utf-8"),
                "--json",
                "--code-wait",
                "1",
            ])
        }
    })
    .await
    .expect("joined");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let checks = json["checks"].as_array().expect("checks");
    assert_eq!(checks.len(), audit::CHECKS.len());
    let lifetime = checks
        .iter()
        .find(|c| c["id"] == "code-lifetime")
        .expect("code-lifetime ran");
    assert_eq!(lifetime["verdict"], "not_applicable", "{lifetime}");

    // The vulnerable server fails: exit 1, the failures named.
    let vulnerable = weak(&["vulnerable"]).await;
    let path = profile_on_disk(dir.path(), &machine(&vulnerable.url()));
    let output = tokio::task::spawn_blocking(move || {
        run_cli(&["audit", "--profile", path.to_str().expect("utf-8")])
    })
    .await
    .expect("joined");
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    for id in [
        "token-endpoint-get",
        "client-auth-wrong-secret",
        "refresh-scope-escalation",
        "refresh-rotation-reuse",
    ] {
        assert!(
            text.lines()
                .any(|l| l.starts_with("FAIL") && l.contains(id)),
            "{id}: {text}"
        );
    }
    assert!(text.contains("the server failed the audit."));

    // An unknown check is a usage error that names the real ones.
    let output = run_cli(&["audit", "--profile", "x.toml", "--only", "code-replay,nope"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no check called nope"), "{stderr}");
    assert!(stderr.contains("pkce-verifier-missing"));
}

/// A demo provider whose codes live one second, with `faults` on.
async fn short_codes(faults: &[&str]) -> DemoServer {
    let mut switches = oauth_debugger::demo::Faults::default();
    for name in faults {
        assert!(switches.switch_on(name), "unknown fault {name}");
    }
    DemoServer::start(oauth_debugger::demo::DemoConfig {
        port: 0,
        code_ttl: Duration::from_secs(1),
        faults: switches,
        ..oauth_debugger::demo::DemoConfig::default()
    })
    .await
    .expect("demo provider starts")
}

#[tokio::test]
async fn a_code_held_past_its_lifetime_is_refused_unless_codes_never_expire() {
    let wait = Some(Duration::from_secs(3));
    let server = short_codes(&[]).await;
    let results = audit_waiting(
        &code_file(&server.url()),
        &["code-lifetime"],
        Duration::from_secs(30),
        wait,
    )
    .await;
    assert_eq!(results.len(), 1);
    let result = &results[0];
    assert_eq!(result.verdict, Verdict::Pass, "{result:#?}");
    assert!(result.observed.contains("held 3 s"), "{}", result.observed);
    assert!(
        result.observed.contains("invalid_grant"),
        "{}",
        result.observed
    );
    assert!(result.rfc.contains("RFC 6749 §4.1.2"));

    let never = short_codes(&["weak-code-lifetime"]).await;
    let results = audit_waiting(
        &code_file(&never.url()),
        &["code-lifetime"],
        Duration::from_secs(30),
        wait,
    )
    .await;
    assert_eq!(results[0].verdict, Verdict::Fail, "{:#?}", results[0]);
    assert!(audit::failed(&results));
}
