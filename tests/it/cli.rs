//! The command line as a user runs it: the built binary against
//! `oauth-debugger demo-server` on 127.0.0.1.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_oauth-debugger");

/// A `demo-server` child process, killed on drop.
struct DemoProcess {
    child: Child,
    base: String,
}

impl DemoProcess {
    fn start() -> Self {
        Self::start_with(&[])
    }

    fn start_with(extra: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .args(["demo-server", "--port", "0"])
            .args(extra)
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
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        Self { child, base }
    }
}

impl Drop for DemoProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes the demo preset, pointed at `base`, plus `extra` lines, to a file.
fn profile(dir: &Path, name: &str, base: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let preset = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/presets/demo-client-credentials.toml"),
    )
    .expect("preset");
    let text = edit(preset.replace("http://127.0.0.1:7878", base));
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write profile");
    path
}

fn run(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_remove("OAUTH_DEBUGGER_ACCESS_TOKEN")
        .env_remove("OAUTH_DEBUGGER_REFRESH_TOKEN");
    for (k, v) in envs {
        command.env(k, v);
    }
    command.output().expect("runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn token_json_has_the_documented_shape_and_exit_0() {
    let demo = DemoProcess::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = profile(dir.path(), "cc.toml", &demo.base, |t| t);
    let out = run(
        &["token", "--profile", path.to_str().expect("path"), "--json"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    for key in [
        "access_token",
        "token_type",
        "expires_in",
        "expires_at",
        "refresh_token",
        "scope",
        "id_token",
        "findings",
        "raw",
    ] {
        assert!(json.get(key).is_some(), "missing {key}: {json}");
    }
    assert!(
        json["access_token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
    assert_eq!(json["expires_in"], 3600);
    let expires_at = json["expires_at"].as_str().expect("expires_at string");
    chrono::DateTime::parse_from_rfc3339(expires_at).expect("RFC 3339");
    assert!(
        json["findings"]
            .as_array()
            .expect("array")
            .iter()
            .all(|f| f.is_object() && f["message"].is_string())
    );
    assert_eq!(json["raw"]["scope"], "read write");
}

#[test]
fn human_output_abbreviates_tokens_unless_asked() {
    let demo = DemoProcess::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = profile(dir.path(), "cc.toml", &demo.base, |t| t);
    let path = path.to_str().expect("path");
    let json = run(&["token", "--profile", path, "--json"], &[]);
    let out = run(&["token", "--profile", path], &[]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("access_token") && stdout.contains("chars)"),
        "{stdout}"
    );
    assert!(stdout.contains("expires at"), "{stdout}");
    let full = run(&["token", "--profile", path, "--show-secrets"], &[]);
    let full = text(&full.stdout);
    // Each run gets a fresh token; compare each output with its own token.
    let token: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    let token = token["access_token"].as_str().expect("token");
    assert!(!stdout.contains(&token[..token.len() - 1]));
    let full_token = full
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("access_token"))
        .map(str::trim)
        .expect("access_token line");
    assert_eq!(full_token.split('.').count(), 3, "{full}");
    let token = full_token;
    assert!(
        !stdout.contains(token),
        "the token is abbreviated: {stdout}"
    );
    assert!(
        full.contains(token),
        "--show-secrets prints it whole: {full}"
    );
}

#[test]
fn a_refusal_exits_1_naming_error_and_description() {
    let demo = DemoProcess::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = profile(dir.path(), "bad.toml", &demo.base, |t| {
        t.replace("\"demo-secret\"", "\"wrong\"")
    });
    let out = run(&["token", "--profile", path.to_str().expect("path")], &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("invalid_client"), "{stderr}");
    assert!(
        stderr.contains("wrong client_secret for client 'demo-client'"),
        "{stderr}"
    );
}

#[test]
fn profile_and_usage_errors_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = profile(dir.path(), "typo.toml", "http://127.0.0.1:9", |t| {
        t.replace("scope =", "scopes =")
    });
    let out = run(&["token", "--profile", path.to_str().expect("path")], &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("typo.toml:") && stderr.contains("scopes"),
        "names file, line and key: {stderr}"
    );

    let out = run(&["token", "--profile", "/nonexistent/profile.toml"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/nonexistent/profile.toml"));

    let out = run(&["token", "--profile", "x.toml", "--grant", "magic"], &[]);
    assert_eq!(out.status.code(), Some(2), "clap usage error");

    let path = profile(dir.path(), "env.toml", "http://127.0.0.1:9", |t| {
        t.replace(
            "client_secret = \"demo-secret\"",
            "client_secret_env = \"OAUTH_DEBUGGER_TEST_UNSET\"",
        )
    });
    let out = run(&["token", "--profile", path.to_str().expect("path")], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("OAUTH_DEBUGGER_TEST_UNSET"));
}

#[test]
fn a_network_failure_exits_3() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = profile(dir.path(), "closed.toml", &base, |t| t);
    let out = run(&["token", "--profile", path.to_str().expect("path")], &[]);
    assert_eq!(out.status.code(), Some(3), "stderr: {}", text(&out.stderr));
    assert!(text(&out.stderr).contains("could not connect"));
}

#[test]
fn verbose_prints_every_exchange_with_secrets_redacted() {
    let demo = DemoProcess::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = profile(dir.path(), "cc.toml", &demo.base, |t| {
        t.replace(
            "client_secret = \"demo-secret\"",
            "client_secret_env = \"DEMO_SECRET\"",
        )
    });
    let out = run(
        &[
            "call",
            "--profile",
            path.to_str().expect("path"),
            "-v",
            "--json",
        ],
        &[("DEMO_SECRET", "demo-secret")],
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("> POST ") && stderr.contains("/token"),
        "{stderr}"
    );
    assert!(
        stderr.contains("> GET ") && stderr.contains("/api/items"),
        "{stderr}"
    );
    assert!(
        stderr.contains("authorization: Basic [redacted]"),
        "{stderr}"
    );
    assert!(
        stderr.contains("authorization: Bearer [redacted]"),
        "{stderr}"
    );
    assert!(!stderr.contains("demo-secret"), "secret leaked: {stderr}");
    assert!(!stderr.contains("eyJ"), "token leaked: {stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["status"], 200);
    assert_eq!(json["body"]["items"][0]["name"], "Widget");
}

#[test]
fn call_with_a_bad_token_exits_1_with_the_challenge() {
    let demo = DemoProcess::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = profile(dir.path(), "cc.toml", &demo.base, |t| t);
    let url = format!("{}/api/me", demo.base);
    let out = run(
        &[
            "call",
            "--profile",
            path.to_str().expect("path"),
            &url,
            "-H",
            "X-Trace: 1",
        ],
        &[("OAUTH_DEBUGGER_ACCESS_TOKEN", "forged")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).starts_with("HTTP 401"),
        "{}",
        text(&out.stdout)
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("invalid_token"), "{stderr}");
}

#[test]
fn refresh_token_from_the_environment_rotates() {
    let demo = DemoProcess::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = profile(dir.path(), "pw.toml", &demo.base, |t| {
        t.replace(
            "grant_type = \"client_credentials\"",
            "grant_type = \"password\"\nusername = \"alice\"\npassword_env = \"DEMO_PASSWORD\"",
        )
    });
    let path = path.to_str().expect("path");
    let first = run(
        &["token", "--profile", path, "--json"],
        &[("DEMO_PASSWORD", "alice-password")],
    );
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let first: serde_json::Value = serde_json::from_slice(&first.stdout).expect("json");
    let refresh = first["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_string();
    let args = [
        "token",
        "--profile",
        path,
        "--grant",
        "refresh_token",
        "--json",
    ];
    let second = run(&args, &[("OAUTH_DEBUGGER_REFRESH_TOKEN", &refresh)]);
    assert_eq!(second.status.code(), Some(0), "{}", text(&second.stderr));
    let again = run(&args, &[("OAUTH_DEBUGGER_REFRESH_TOKEN", &refresh)]);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains("invalid_grant"));
}

#[test]
fn demo_server_on_a_taken_port_exits_3() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port().to_string();
    let out = run(&["demo-server", "--port", &port], &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains(&port));
}

/// A browser-grant profile for the demo provider at `base`.
fn browser_profile(dir: &Path, name: &str, base: &str, grant: &str, redirect: &str) -> PathBuf {
    profile(dir, name, base, |t| {
        t.replace("grant_type = \"client_credentials\"", &format!("grant_type = \"{grant}\""))
            .replace("scope = \"read write\"", "scope = \"openid read\"")
            .replace(
                "jwks_uri =",
                &format!(
                    "authorization_endpoint = \"{base}/authorize\"\ndevice_authorization_endpoint = \"{base}/device_authorization\"\nredirect_uri = \"{redirect}\"\njwks_uri ="
                ),
            )
    })
}

/// `$BROWSER` set to the scripted demo browser.
fn browser_env(extra: &str) -> String {
    format!("{BIN} demo-browser{extra}")
}

/// The ID token's verification after a grant: a forged signature is
/// reported (and the grant still succeeds); `verify_id_token = false`
/// turns the verification off.
#[test]
fn the_id_token_is_verified_after_the_grant_unless_the_profile_says_not_to() {
    let demo = DemoProcess::start_with(&["--fault", "rp-invalid-sig-rs256"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = browser_profile(
        dir.path(),
        "code.toml",
        &demo.base,
        "authorization_code",
        "http://127.0.0.1/callback",
    );
    let browser = browser_env("");
    let args = ["token", "--profile", path.to_str().expect("path")];
    let out = run(&args, &[("BROWSER", &browser)]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("ID token verification (OpenID Connect Core §3.1.3.7)"),
        "{stdout}"
    );
    assert!(stdout.contains("do not trust this ID token"), "{stdout}");

    let text_of = std::fs::read_to_string(&path).expect("profile");
    std::fs::write(&path, format!("verify_id_token = false\n{text_of}")).expect("write");
    let out = run(&args, &[("BROWSER", &browser)]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("ID token verification"));
}

#[test]
fn authorization_code_through_the_system_browser_path() {
    let demo = DemoProcess::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = browser_profile(
        dir.path(),
        "code.toml",
        &demo.base,
        "authorization_code",
        "http://127.0.0.1/callback",
    );
    let browser = browser_env("");
    let out = run(
        &["token", "--profile", path.to_str().expect("path"), "--json"],
        &[("BROWSER", &browser)],
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["grant"], "authorization_code");
    assert!(
        json["id_token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
    assert!(text(&out.stderr).contains("state matched"));
    // The ID token is verified by default (issue 19).
    assert_eq!(json["id_token_verification"]["passed"], true, "{json}");
    let checks: Vec<&str> = json["id_token_verification"]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    for name in ["signature", "iss", "aud", "exp", "iat", "nonce"] {
        assert!(checks.contains(&name), "{name} in {checks:?}");
    }
    // The waiting line says what to check if the redirect never comes.
    assert!(
        text(&out.stderr).contains("if the browser shows an error page instead of coming back"),
        "{}",
        text(&out.stderr)
    );

    let denied = run(
        &["token", "--profile", path.to_str().expect("path")],
        &[("BROWSER", &browser_env(" --deny"))],
    );
    assert_eq!(denied.status.code(), Some(1));
    let stderr = text(&denied.stderr);
    assert!(
        stderr.contains("access_denied") && stderr.contains("The user denied the request"),
        "{stderr}"
    );
}

#[test]
fn implicit_through_the_system_browser_path() {
    let demo = DemoProcess::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = browser_profile(
        dir.path(),
        "implicit.toml",
        &demo.base,
        "implicit",
        "http://127.0.0.1/callback",
    );
    let out = run(
        &["token", "--profile", path.to_str().expect("path"), "--json"],
        &[("BROWSER", &browser_env(""))],
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["grant"], "implicit");
    assert_eq!(json["refresh_token"], serde_json::Value::Null);
}

#[test]
fn no_browser_reads_the_pasted_redirect_from_stdin() {
    use std::io::Write as _;
    let demo = DemoProcess::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = browser_profile(
        dir.path(),
        "hosted.toml",
        &demo.base,
        "authorization_code",
        "https://app.example.com/oauth/callback",
    );
    let mut child = Command::new(BIN)
        .args([
            "token",
            "--profile",
            path.to_str().expect("path"),
            "--no-browser",
            "--json",
        ])
        .env_remove("BROWSER")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("token starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut url = None;
    let mut seen = String::new();
    for _ in 0..10 {
        let mut line = String::new();
        if stderr.read_line(&mut line).expect("read") == 0 {
            break;
        }
        seen.push_str(&line);
        if line.trim_start().starts_with("http") && line.contains("/authorize?") {
            url = Some(line.trim().to_string());
        }
        if line.contains("paste that whole URL") {
            break;
        }
    }
    let url = url.unwrap_or_else(|| panic!("no authorization URL on stderr: {seen}"));
    // The person signs in; the hosted callback page shows the URL to copy.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let visit = runtime
        .block_on(oauth_debugger::demo::user_agent::visit(
            &url,
            &Default::default(),
        ))
        .expect("visit");
    let pasted = visit.redirected_to.expect("redirected");
    assert!(
        pasted.starts_with("https://app.example.com/oauth/callback?code="),
        "{pasted}"
    );
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "not a url at all").expect("write");
    writeln!(stdin, "{pasted}").expect("write");
    let out = child.wait_with_output().expect("finishes");
    let mut rest = String::new();
    let _ = std::io::Read::read_to_string(&mut stderr, &mut rest);
    assert_eq!(out.status.code(), Some(0), "stderr: {seen}{rest}");
    assert!(
        rest.contains("paste again"),
        "an unreadable paste is reported: {rest}"
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["grant"], "authorization_code");
}

#[test]
fn device_grant_prints_the_user_code_and_polls_until_approved() {
    let demo = DemoProcess::start_with(&["--device-interval", "1"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = browser_profile(
        dir.path(),
        "device.toml",
        &demo.base,
        "urn:ietf:params:oauth:grant-type:device_code",
        "http://127.0.0.1/callback",
    );
    let out = run(
        &["token", "--profile", path.to_str().expect("path"), "--json"],
        &[("BROWSER", &browser_env(""))],
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("enter the code ") && stderr.contains(&format!("{}/device", demo.base)),
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        json["grant"],
        "urn:ietf:params:oauth:grant-type:device_code"
    );
}

#[test]
fn demo_server_mode_orchestrator_serves_its_token_endpoint() {
    let demo = DemoProcess::start_with(&["--mode", "orchestrator", "--token-ttl", "60"]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (status, body) = runtime.block_on(async {
        let response = reqwest::Client::new()
            .post(format!("{}/api/token", demo.base))
            .form(&[
                ("grant_type", "password"),
                ("username", "VDRO\\administrator"),
                ("password", "Password1"),
            ])
            .send()
            .await
            .expect("send");
        (
            response.status().as_u16(),
            response.text().await.expect("body"),
        )
    });
    assert_eq!(status, 200, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 60);
}

#[test]
fn discover_inspect_introspect_and_userinfo() {
    let demo = DemoProcess::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = profile(dir.path(), "cc.toml", &demo.base, |t| {
        t.replace(
            "client_id = ",
            &format!(
                "userinfo_endpoint = \"{}/userinfo\"\nclient_id = ",
                demo.base
            ),
        )
    });
    let path = path.to_str().expect("path");

    let out = run(&["discover", &demo.base, "--json"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(found["issuer"], demo.base.as_str());
    assert_eq!(found["metadata"]["jwks_uri"], format!("{}/jwks", demo.base));
    assert_eq!(found["findings"], serde_json::json!([]));

    // A profile with only an issuer and a client: --write fills it, and
    // the grant then runs.
    let bare = dir.path().join("bare.toml");
    std::fs::write(
        &bare,
        format!(
            "issuer = \"{}\"\nclient_id = \"demo-client\"\nclient_secret = \"demo-secret\"\ngrant_type = \"client_credentials\"\n",
            demo.base
        ),
    )
    .expect("write");
    let bare = bare.to_str().expect("path");
    let out = run(&["discover", "--profile", bare, "--write"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Profile: filled authorization_endpoint, token_endpoint"),
        "{}",
        text(&out.stdout)
    );
    let out = run(&["token", "--profile", bare, "--json"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    let out = run(&["token", "--profile", path, "--json"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let tokens: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let token = tokens["access_token"].as_str().expect("token").to_string();

    let out = run(&["inspect", &token, "--issuer", &demo.base], &[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("[pass] signature: RS256"), "{stdout}");
    assert!(stdout.contains("[pass] iss"), "{stdout}");

    // The token from a file, its signature replaced: exit 1.
    let forged = format!("{}.AAAA", &token[..token.rfind('.').expect("dot")]);
    let file = dir.path().join("token.txt");
    std::fs::write(&file, format!("{forged}\n")).expect("write");
    let out = run(
        &[
            "inspect",
            file.to_str().expect("path"),
            "--profile",
            path,
            "--json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let signature = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == "signature")
        .expect("signature check")
        .clone();
    assert_eq!(signature["verdict"], "fail");
    let out = run(&["inspect", "not-a-jwt"], &[]);
    assert_eq!(out.status.code(), Some(2));

    let out = run(&["introspect", "--profile", path, "--token", &token], &[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(stdout.starts_with("active: true"), "{stdout}");
    let out = run(
        &[
            "introspect",
            "--profile",
            path,
            "--token",
            "unknown",
            "--json",
        ],
        &[],
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["active"], false);

    // A client credentials token has no openid scope: userinfo refuses.
    let out = run(&["userinfo", "--profile", path, "--token", &token], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("insufficient_scope"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn revoke_and_logout_from_the_command_line() {
    let demo = DemoProcess::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = profile(dir.path(), "cc.toml", &demo.base, |t| t);
    let path = path.to_str().expect("path");
    let issued = run(&["token", "--profile", path, "--json"], &[]);
    assert_eq!(issued.status.code(), Some(0), "{}", text(&issued.stderr));
    let issued: serde_json::Value = serde_json::from_slice(&issued.stdout).expect("json");
    let token = issued["access_token"].as_str().expect("token").to_string();

    let revoked = run(
        &["revoke", "--profile", path, "--json"],
        &[("OAUTH_DEBUGGER_TOKEN", &token)],
    );
    assert_eq!(revoked.status.code(), Some(0), "{}", text(&revoked.stderr));
    let revoked: serde_json::Value = serde_json::from_slice(&revoked.stdout).expect("json");
    assert_eq!(revoked["revoked"], true);
    assert_eq!(revoked["status"], 200);
    assert!(
        revoked["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["code"] == "revocation_not_https"),
        "{revoked}"
    );
    // The API now refuses the token.
    let call = run(&["call", "--profile", path, "--access-token", &token], &[]);
    assert_eq!(call.status.code(), Some(1), "{}", text(&call.stderr));

    // A profile without [logout] cannot log out: a usage error naming it.
    let logout = run(
        &["logout", "--profile", path, "--access-token", &token],
        &[],
    );
    assert_eq!(logout.status.code(), Some(2));
    assert!(
        text(&logout.stderr).contains("no [logout]"),
        "{}",
        text(&logout.stderr)
    );
}

/// A reader that goes away before the output comes (`… | true`, `| head`)
/// does not make the command panic: it finishes and exits with its own code.
#[test]
fn a_closed_stdout_does_not_make_a_command_panic() {
    let demo = DemoProcess::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = profile(dir.path(), "p.toml", &demo.base, |t| t);
    for args in [
        vec!["token", "--profile"],
        vec!["token", "--json", "--profile"],
    ] {
        let mut child = Command::new(BIN)
            .args(&args)
            .arg(&file)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs");
        // Close the pipe's reading end before the token arrives.
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("finishes");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

/// One Mermaid statement of a sequence diagram, as its grammar has it:
/// a participant, a message arrow between two of them, or a note.
fn mermaid_statement_ok(line: &str, participants: &[String]) -> bool {
    let line = line.trim();
    if let Some(rest) = line.strip_prefix("participant ") {
        return rest.split_once(" as ").is_some_and(|(id, alias)| {
            !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()) && !alias.is_empty()
        });
    }
    if line.starts_with("Note over ") || line.starts_with("Note right of ") {
        return line.contains(':');
    }
    let Some((arrow, text)) = line.split_once(": ") else {
        return false;
    };
    let Some((from, to)) = ["-->>", "->>"].iter().find_map(|op| arrow.split_once(op)) else {
        return false;
    };
    participants.iter().any(|p| p == from)
        && participants.iter().any(|p| p == to)
        && !text.is_empty()
        && !text.contains(';')
}

#[test]
fn a_run_exports_as_a_mermaid_diagram_and_a_curl_script_that_replays_it() {
    let demo = DemoProcess::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = profile(dir.path(), "cc.toml", &demo.base, |t| t);
    let (diagram, script, har) = (
        dir.path().join("run.mmd"),
        dir.path().join("run.sh"),
        dir.path().join("run.har"),
    );
    let out = run(
        &[
            "call",
            "--profile",
            path.to_str().expect("path"),
            "--export",
            "mermaid",
            diagram.to_str().expect("path"),
            "--export",
            "curl",
            script.to_str().expect("path"),
            "--export",
            "har",
            har.to_str().expect("path"),
            "--export-include-secrets",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));

    // The diagram: the header, four participants, an arrow per exchange.
    let mermaid = std::fs::read_to_string(&diagram).expect("diagram written");
    let mut lines = mermaid.lines();
    assert_eq!(lines.next(), Some("sequenceDiagram"));
    let participants: Vec<String> = mermaid
        .lines()
        .filter_map(|l| l.trim().strip_prefix("participant "))
        .filter_map(|l| l.split_once(" as ").map(|(id, _)| id.to_string()))
        .collect();
    assert_eq!(participants, ["B", "C", "AS", "RS"]);
    for line in lines {
        assert!(
            mermaid_statement_ok(line, &participants),
            "not Mermaid: {line:?}"
        );
    }
    assert!(mermaid.contains("C->>AS: POST /token → 200"), "{mermaid}");
    assert!(
        mermaid.contains("C->>RS: GET /api/items → 200"),
        "{mermaid}"
    );
    assert!(!mermaid.contains("demo-secret"));

    // The script replays the token request and the API call: same statuses.
    let har: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&har).expect("har")).expect("HAR JSON");
    let recorded: Vec<String> = har["log"]["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["response"]["status"].to_string())
        .collect();
    let Ok(replayed) = Command::new("bash").arg(&script).output() else {
        assert!(std::env::var_os("CI").is_none(), "bash is missing in CI");
        eprintln!("note: bash is not installed; the exported script was not run");
        return;
    };
    if !replayed.status.success() && text(&replayed.stderr).contains("curl: command not found") {
        assert!(std::env::var_os("CI").is_none(), "curl is missing in CI");
        eprintln!("note: curl is not installed; the exported script was not run");
        return;
    }
    assert!(replayed.status.success(), "{}", text(&replayed.stderr));
    let statuses: Vec<String> = text(&replayed.stdout).lines().map(str::to_string).collect();
    assert_eq!(statuses, recorded, "{}", text(&replayed.stderr));

    // Without --export-include-secrets the script names what to set, and
    // stops at once without it.
    let masked = dir.path().join("masked.sh");
    let out = run(
        &[
            "token",
            "--profile",
            path.to_str().expect("path"),
            "--export",
            "curl",
            masked.to_str().expect("path"),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let written = std::fs::read_to_string(&masked).expect("script");
    assert!(
        !written.contains("ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ"),
        "{written}"
    );
    let stopped = Command::new("bash")
        .arg(&masked)
        .env_remove("BASIC_CREDENTIALS")
        .output()
        .expect("bash");
    assert!(!stopped.status.success());
    assert!(text(&stopped.stderr).contains("BASIC_CREDENTIALS"));
    // An unknown format is refused by name.
    let out = run(
        &[
            "token",
            "--profile",
            path.to_str().expect("path"),
            "--export",
            "svg",
            dir.path().join("x").to_str().expect("path"),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no export format \"svg\""));
}
