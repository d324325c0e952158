//! MCP authorization (docs/mcp.md): the whole chain against the demo
//! provider's MCP server, in each registration mode, over JSON and SSE,
//! with step-up, and each breakage switch producing its finding — through
//! the engine, and through the `mcp` command as a user runs it.

use crate::support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use oauth_debugger::demo::user_agent::Person;
use oauth_debugger::engine::jwt::claims::Verdict;
use oauth_debugger::engine::mcp::{self, McpOptions, McpRun, Registration};
use oauth_debugger::engine::profile::{ClientAuthMethod, HttpSettings};
use oauth_debugger::engine::wire::http::{ExchangeKind, HttpClient, Recorder};
use oauth_debugger::engine::{ProfileFile, Secret};
use serde_json::Value;
use support::{demo, demo_with_faults, played_by};

fn alice() -> Person {
    Person {
        username: "alice".into(),
        password: "alice-password".into(),
        approve: true,
    }
}

struct Walked {
    run: McpRun,
    http: HttpClient,
    /// The authorization URLs the browser was sent to.
    authorizations: Vec<url::Url>,
}

async fn walk(
    base: &str,
    profile: Option<ProfileFile>,
    registration: Option<Registration>,
    allow_without_s256: bool,
) -> Walked {
    let (options, seen) = played_by(alice());
    let http = HttpClient::new(&HttpSettings::default(), Recorder::new()).expect("client");
    let options = McpOptions {
        url: url::Url::parse(&format!("{base}/mcp")).expect("url"),
        profile,
        registration,
        allow_without_s256,
        browser: options.browser,
    };
    let run = mcp::run(&http, &options).await;
    let authorizations = seen
        .lock()
        .expect("lock")
        .iter()
        .map(|r| r.url.clone())
        .collect();
    Walked {
        run,
        http,
        authorizations,
    }
}

fn codes(run: &McpRun) -> Vec<String> {
    run.findings().map(|f| f.code.clone()).collect()
}

fn hop<'a>(run: &'a McpRun, name: &str) -> &'a mcp::Hop {
    run.hops
        .iter()
        .find(|h| h.name == name)
        .unwrap_or_else(|| panic!("no hop {name}: {:#?}", run.hops))
}

fn tool_names(run: &McpRun) -> Vec<String> {
    run.tools
        .as_ref()
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .filter_map(|t| t["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The happy chain's common checks: every hop passed, the tools listed,
/// `resource` on both requests, and a profile that remembers the server.
fn assert_whole_chain(walked: &Walked, base: &str) {
    let run = &walked.run;
    assert!(run.succeeded(), "{:#?}", run.hops);
    assert_eq!(tool_names(run), ["echo", "add", "time"]);
    let resource = format!("{base}/mcp");
    let authorization = walked
        .authorizations
        .first()
        .expect("authorization request");
    assert_eq!(
        param(authorization, "resource").as_deref(),
        Some(resource.as_str())
    );
    assert_eq!(
        param(authorization, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(param(authorization, "scope").as_deref(), Some("read"));
    let token_request = walked
        .http
        .exchanges()
        .into_iter()
        .find(|e| e.kind == ExchangeKind::Token)
        .expect("token request");
    let body = String::from_utf8_lossy(&token_request.request.body).into_owned();
    let sent: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    assert!(
        sent.contains(&("resource".to_string(), resource.clone())),
        "token request: {body}"
    );
    let profile = run.profile.as_ref().expect("profile");
    assert_eq!(
        profile.mcp.as_ref().and_then(|m| m.url.as_deref()),
        Some(resource.as_str())
    );
    assert_eq!(profile.token_endpoint, Some(format!("{base}/token")));
    let tokens = run.tokens.as_ref().expect("tokens");
    let jwt = tokens
        .jwts
        .iter()
        .find(|j| j.source == "access_token")
        .expect("JWT access token");
    assert_eq!(jwt.claims["aud"], Value::String(resource));
}

#[tokio::test]
async fn client_id_metadata_document_is_chosen_when_the_server_supports_it() {
    let demo = demo().await;
    let walked = walk(&demo.url(), None, None, false).await;
    assert_whole_chain(&walked, &demo.url());
    let registration = hop(&walked.run, "registration");
    assert!(registration.lines.iter().any(|l| l == "mode: cimd"));
    assert!(codes(&walked.run).contains(&"cimd_loopback".to_string()));
    let client_id = walked
        .run
        .profile
        .as_ref()
        .and_then(|p| p.client_id.clone());
    assert!(
        client_id
            .as_deref()
            .is_some_and(|id| id.starts_with("http://127.0.0.1:")),
        "{client_id:?}"
    );
    // The authorization server really fetched the document.
    let authorization = hop(&walked.run, "authorization");
    assert!(
        authorization
            .lines
            .iter()
            .any(|l| l.contains("fetched the client metadata document 1 time")),
        "{:#?}",
        authorization.lines
    );
}

#[tokio::test]
async fn dynamic_client_registration_shows_the_request_and_response() {
    let demo = demo().await;
    let walked = walk(&demo.url(), None, Some(Registration::Dcr), false).await;
    assert_whole_chain(&walked, &demo.url());
    let registration = hop(&walked.run, "registration");
    assert!(registration.lines.iter().any(|l| l == "mode: dcr"));
    assert!(
        registration
            .lines
            .iter()
            .any(|l| l.contains("/register → HTTP 201")),
        "{:#?}",
        registration.lines
    );
    let registered = walked
        .http
        .exchanges()
        .into_iter()
        .find(|e| e.kind == ExchangeKind::Registration)
        .expect("registration exchange");
    let sent: Value = serde_json::from_slice(&registered.request.body).expect("JSON body");
    assert_eq!(sent["token_endpoint_auth_method"], "none");
    let client_id = walked
        .run
        .profile
        .as_ref()
        .and_then(|p| p.client_id.clone());
    assert!(client_id.is_some_and(|id| id.starts_with("dcr-")));
    assert!(codes(&walked.run).contains(&"dcr_deprecated".to_string()));
}

#[tokio::test]
async fn a_pre_registered_client_from_the_profile_comes_first() {
    let demo = demo().await;
    let profile = ProfileFile {
        client_id: Some("demo-client".into()),
        client_secret: Some(Secret::new("demo-secret")),
        token_endpoint_auth_method: Some(ClientAuthMethod::ClientSecretBasic),
        redirect_uri: Some("http://127.0.0.1/callback".into()),
        ..ProfileFile::default()
    };
    let walked = walk(&demo.url(), Some(profile), None, false).await;
    assert_whole_chain(&walked, &demo.url());
    let registration = hop(&walked.run, "registration");
    assert!(
        registration
            .lines
            .iter()
            .any(|l| l == "mode: pre-registered")
    );
    assert_eq!(
        walked
            .run
            .profile
            .as_ref()
            .and_then(|p| p.client_id.as_deref()),
        Some("demo-client")
    );
    assert!(
        !walked
            .http
            .exchanges()
            .iter()
            .any(|e| e.kind == ExchangeKind::Registration)
    );
}

#[tokio::test]
async fn answers_as_server_sent_events_are_read() {
    let demo = demo_with_faults(&["mcp-sse"], false).await;
    let walked = walk(&demo.url(), None, None, false).await;
    assert_whole_chain(&walked, &demo.url());
    for name in ["initialize", "tools_list"] {
        assert!(
            hop(&walked.run, name)
                .lines
                .iter()
                .any(|l| l.contains("answered as SSE")),
            "{name}"
        );
    }
}

#[tokio::test]
async fn answers_as_json_say_so() {
    let demo = demo().await;
    let walked = walk(&demo.url(), None, None, false).await;
    assert!(
        hop(&walked.run, "tools_list")
            .lines
            .iter()
            .any(|l| l == "answered as JSON")
    );
}

#[tokio::test]
async fn insufficient_scope_steps_up_with_the_union_of_scopes() {
    let demo = demo_with_faults(&["mcp-step-up"], false).await;
    let walked = walk(&demo.url(), None, None, false).await;
    assert!(walked.run.succeeded(), "{:#?}", walked.run.hops);
    assert_eq!(tool_names(&walked.run), ["echo", "add", "time"]);
    assert_eq!(
        walked.authorizations.len(),
        2,
        "{:?}",
        walked.authorizations
    );
    assert_eq!(
        param(&walked.authorizations[0], "scope").as_deref(),
        Some("read")
    );
    assert_eq!(
        param(&walked.authorizations[1], "scope").as_deref(),
        Some("read write")
    );
    assert_eq!(
        param(&walked.authorizations[1], "resource"),
        Some(format!("{}/mcp", demo.url()))
    );
    let names: Vec<&str> = walked.run.hops.iter().map(|h| h.name).collect();
    assert_eq!(
        names,
        [
            "challenge",
            "resource_metadata",
            "authorization_server_metadata",
            "registration",
            "authorization",
            "initialize",
            "tools_list",
            "step_up",
            "tools_list",
        ]
    );
    assert_eq!(walked.run.hops[6].verdict, Verdict::Warn);
}

/// Each breakage switch and the finding it produces; whether the chain
/// still gets to the tools.
#[tokio::test]
async fn each_breakage_produces_its_finding() {
    // (switch, finding, the tools still listed, the chain passes)
    let cases: [(&str, &str, bool, bool); 8] = [
        ("mcp-prm-wrong-path", "prm_not_at_well_known", true, true),
        (
            "mcp-no-resource-metadata",
            "challenge_without_resource_metadata",
            true,
            true,
        ),
        (
            "mcp-resource-mismatch",
            "prm_resource_mismatch",
            false,
            false,
        ),
        (
            "mcp-no-authorization-servers",
            "prm_authorization_servers_missing",
            false,
            false,
        ),
        ("mcp-bearer-query", "prm_bearer_query_offered", true, true),
        ("mcp-as-openid-only", "as_metadata_one_form", true, true),
        ("mcp-no-s256", "pkce_s256_missing", false, false),
        (
            "mcp-any-audience",
            "server_accepts_other_audience",
            true,
            false,
        ),
    ];
    for (fault, code, reaches_tools, passes) in cases {
        let demo = demo_with_faults(&[fault], false).await;
        let walked = walk(&demo.url(), None, None, false).await;
        let run = &walked.run;
        let finding = run
            .findings()
            .find(|f| f.code == code)
            .unwrap_or_else(|| panic!("{fault}: no {code} in {:#?}", run.hops));
        assert!(
            finding.reference.is_some(),
            "{fault}: {finding:?} cites nothing"
        );
        assert_eq!(
            run.tools.is_some(),
            reaches_tools,
            "{fault}: {:#?}",
            run.hops
        );
        assert_eq!(run.succeeded(), passes, "{fault}: {:#?}", run.hops);
    }
}

#[tokio::test]
async fn a_resource_mismatch_stops_before_any_client_is_registered() {
    let demo = demo_with_faults(&["mcp-resource-mismatch"], false).await;
    let walked = walk(&demo.url(), None, None, false).await;
    let last = walked.run.hops.last().expect("hops");
    assert_eq!(last.name, "resource_metadata");
    assert_eq!(last.verdict, Verdict::Fail);
    assert!(walked.authorizations.is_empty());
}

#[tokio::test]
async fn the_wrong_path_is_followed_from_the_header_and_the_right_one_is_asked_too() {
    let demo = demo_with_faults(&["mcp-prm-wrong-path"], false).await;
    let walked = walk(&demo.url(), None, None, false).await;
    let prm = hop(&walked.run, "resource_metadata");
    let base = demo.url();
    assert!(prm.lines.contains(&format!(
        "GET {base}/mcp/.well-known/oauth-protected-resource → HTTP 200"
    )));
    assert!(prm.lines.contains(&format!(
        "GET {base}/.well-known/oauth-protected-resource/mcp → HTTP 404"
    )));
    assert_eq!(prm.verdict, Verdict::Warn);
}

#[tokio::test]
async fn without_resource_metadata_the_well_known_url_is_tried() {
    let demo = demo_with_faults(&["mcp-no-resource-metadata"], false).await;
    let walked = walk(&demo.url(), None, None, false).await;
    let prm = hop(&walked.run, "resource_metadata");
    assert!(prm.lines.contains(&format!(
        "GET {}/.well-known/oauth-protected-resource/mcp → HTTP 200",
        demo.url()
    )));
    assert!(walked.run.tools.is_some());
}

#[tokio::test]
async fn the_openid_form_is_tried_after_the_rfc_8414_one() {
    let demo = demo_with_faults(&["mcp-as-openid-only"], false).await;
    let walked = walk(&demo.url(), None, None, false).await;
    let meta = hop(&walked.run, "authorization_server_metadata");
    let base = demo.url();
    assert_eq!(
        meta.lines[..2],
        [
            format!("GET {base}/.well-known/oauth-authorization-server → HTTP 404"),
            format!("GET {base}/.well-known/openid-configuration → HTTP 200"),
        ]
    );
}

#[tokio::test]
async fn no_s256_can_be_overridden_by_the_user() {
    let demo = demo_with_faults(&["mcp-no-s256"], false).await;
    let walked = walk(&demo.url(), None, None, true).await;
    let meta = hop(&walked.run, "authorization_server_metadata");
    assert_eq!(meta.verdict, Verdict::Warn);
    assert!(walked.run.tools.is_some(), "{:#?}", walked.run.hops);
}

#[tokio::test]
async fn a_token_for_another_audience_is_reported_twice() {
    let demo = demo_with_faults(&["mcp-any-audience"], false).await;
    let walked = walk(&demo.url(), None, None, false).await;
    let found = codes(&walked.run);
    assert!(found.contains(&"token_audience_not_mcp_server".to_string()));
    assert!(found.contains(&"server_accepts_other_audience".to_string()));
    assert_eq!(hop(&walked.run, "initialize").verdict, Verdict::Fail);
}

#[tokio::test]
async fn dcr_refuses_a_redirect_uri_that_is_not_https_or_loopback() {
    let demo = demo().await;
    let profile = ProfileFile {
        redirect_uri: Some("http://app.example.com/callback".into()),
        ..ProfileFile::default()
    };
    let walked = walk(&demo.url(), Some(profile), Some(Registration::Dcr), false).await;
    let registration = hop(&walked.run, "registration");
    assert_eq!(registration.verdict, Verdict::Fail);
    assert!(
        registration
            .lines
            .iter()
            .any(|l| l.contains("invalid_redirect_uri")),
        "{:#?}",
        registration.lines
    );
}

// ---------------------------------------------------------------------------
// The command, as a user runs it.

const BIN: &str = env!("CARGO_BIN_EXE_oauth-debugger");

/// A `demo-server` child process, killed on drop.
struct DemoProcess {
    child: Child,
    base: String,
}

impl DemoProcess {
    fn start(faults: &[&str]) -> Self {
        let mut command = Command::new(BIN);
        command.args(["demo-server", "--port", "0"]);
        for fault in faults {
            command.args(["--fault", fault]);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("demo-server starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("first line");
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_string();
        Self { child, base }
    }
}

impl Drop for DemoProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn mcp_command(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .arg("mcp")
        .args(args)
        .env("BROWSER", format!("{BIN} demo-browser"))
        .stdin(Stdio::null())
        .output()
        .expect("runs")
}

fn json_of(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "stdout is not one JSON object ({err}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[test]
fn the_command_walks_the_chain_in_each_registration_mode() {
    let demo = DemoProcess::start(&[]);
    let url = format!("{}/mcp", demo.base);
    for mode in ["cimd", "dcr"] {
        let out = mcp_command(&[&url, "--register", mode, "--json"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{mode}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json = json_of(&out);
        assert_eq!(json["ok"], true);
        assert_eq!(json["tools"].as_array().map(Vec::len), Some(3));
        let hops: Vec<&str> = json["hops"]
            .as_array()
            .expect("hops")
            .iter()
            .filter_map(|h| h["name"].as_str())
            .collect();
        assert_eq!(hops.len(), 7, "{hops:?}");
        assert_eq!(json["profile"]["mcp"]["url"], url.as_str());
        assert_eq!(json["profile"]["token_params"]["resource"], url.as_str());
        // No token in the machine-readable output.
        assert!(!String::from_utf8_lossy(&out.stdout).contains("eyJ"));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let profile = dir.path().join("pre.toml");
    std::fs::write(
        &profile,
        "client_id = \"demo-public\"\ntoken_endpoint_auth_method = \"none\"\nredirect_uri = \"http://127.0.0.1/callback\"\n",
    )
    .expect("write");
    let saved = dir.path().join("saved.toml");
    let out = mcp_command(&[
        &url,
        "--profile",
        profile.to_str().expect("path"),
        "--save",
        saved.to_str().expect("path"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("mode: pre-registered"), "{text}");
    assert!(text.contains("Tools (3):"), "{text}");
    // The saved profile is a normal profile that remembers the server.
    let written = std::fs::read_to_string(&saved).expect("saved");
    let file = ProfileFile::parse(&written, &saved).expect("parses");
    oauth_debugger::engine::Profile::from_file(&file, "saved").expect("valid");
    assert_eq!(file.mcp.and_then(|m| m.url), Some(url.clone()));
    assert_eq!(file.client_id.as_deref(), Some("demo-public"));
    // --save never overwrites.
    let again = mcp_command(&[&url, "--save", saved.to_str().expect("path")]);
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn the_command_exits_1_and_says_why_when_the_chain_breaks() {
    let demo = DemoProcess::start(&["mcp-resource-mismatch"]);
    let url = format!("{}/mcp", demo.base);
    let out = mcp_command(&[&url, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let json = json_of(&out);
    assert_eq!(json["ok"], false);
    let codes: Vec<&str> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(codes.contains(&"prm_resource_mismatch"), "{codes:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("Protected resource metadata"));
    let human = mcp_command(&[&url]);
    assert_eq!(human.status.code(), Some(1));
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("[fail] Protected resource metadata"),
        "{text}"
    );
    assert!(text.contains("RFC 9728 §3.3"), "{text}");
}

#[test]
fn the_command_steps_up_over_sse() {
    let demo = DemoProcess::start(&["mcp-step-up", "mcp-sse"]);
    let url = format!("{}/mcp", demo.base);
    let out = mcp_command(&[&url, "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = json_of(&out);
    assert_eq!(json["token"]["scope"], "read write");
    assert!(
        json["hops"]
            .as_array()
            .expect("hops")
            .iter()
            .any(|h| h["name"] == "step_up")
    );
}

#[test]
fn the_command_writes_every_exchange_of_the_chain_to_a_har_file_without_tokens() {
    let demo = DemoProcess::start(&[]);
    let url = format!("{}/mcp", demo.base);
    let dir = tempfile::tempdir().expect("tempdir");
    let har = dir.path().join("mcp.har");
    let out = mcp_command(&[
        &url,
        "--register",
        "dcr",
        "--har",
        har.to_str().expect("path"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&har).expect("HAR written");
    let doc: Value = serde_json::from_str(&text).expect("HAR is JSON");
    let urls: Vec<&str> = doc["log"]["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["request"]["url"].as_str())
        .collect();
    for part in [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-authorization-server",
        "/register",
        "/token",
        "/mcp",
    ] {
        assert!(urls.iter().any(|u| u.ends_with(part)), "{part} in {urls:?}");
    }
    // The MCP calls carried the token, and the HAR masks it: no JWT
    // (a header and a payload, each base64url JSON) is left in the file.
    let carried = doc["log"]["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| {
            e["request"]["url"]
                .as_str()
                .is_some_and(|u| u.ends_with("/mcp"))
        })
        .any(|e| {
            e["request"]["headers"].as_array().is_some_and(|h| {
                h.iter().any(|h| {
                    h["name"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case("authorization"))
                })
            })
        });
    assert!(carried, "no MCP call with an Authorization header");
    assert!(!text.contains(".eyJ"), "a JWT in the HAR file");
}

#[test]
fn a_bad_url_is_a_usage_error() {
    let out = mcp_command(&["mcp.example.com/mcp"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("https://"));
}
