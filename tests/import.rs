//! Imports from Postman, Insomnia, Bruno and curl: each format from
//! hand-written fixtures (tests/fixtures/import/), the broken ones with
//! their messages, the `import` command writing files and printing paths,
//! a curl line from stdin that then runs against the demo provider, and the
//! app's Import… window.

mod support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use oauth_debugger::engine::ProfileFile;
use oauth_debugger::engine::import::{self, ImportOptions, ImportReport, ImportedProfile};
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType, PkceMode, TokenPlacementKind};

const BIN: &str = env!("CARGO_BIN_EXE_oauth-debugger");

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(path)
}

fn import_with(path: &str, environment: Option<&str>) -> ImportReport {
    import::import_path(
        &fixture(path),
        &ImportOptions {
            environment: environment.map(str::to_string),
        },
    )
    .unwrap_or_else(|err| panic!("{path}: {err}"))
}

fn import_error(path: &str, environment: Option<&str>) -> String {
    import::import_path(
        &fixture(path),
        &ImportOptions {
            environment: environment.map(str::to_string),
        },
    )
    .expect_err("refused")
    .0
}

fn named<'a>(report: &'a ImportReport, name: &str) -> &'a ImportedProfile {
    report
        .profiles
        .iter()
        .find(|p| p.name() == name)
        .unwrap_or_else(|| panic!("no profile {name} in\n{report}"))
}

fn secret(file: &ProfileFile) -> Option<&str> {
    file.client_secret.as_ref().map(|s| s.expose())
}

fn has(lines: &[String], text: &str) -> bool {
    lines.iter().any(|l| l.contains(text))
}

// ---------------------------------------------------------------------------
// curl

#[test]
fn a_curl_token_request_becomes_a_profile_with_its_grant_endpoint_and_basic_auth() {
    let text = std::fs::read_to_string(fixture("curl/client-credentials.sh")).expect("fixture");
    let report = import::import_text(&text, "pasted", &ImportOptions::default()).expect("imports");
    assert_eq!(report.profiles.len(), 1);
    let profile = &report.profiles[0];
    let file = &profile.file;
    assert_eq!(
        file.token_endpoint.as_deref(),
        Some("https://login.acme.example/oauth2/token")
    );
    assert_eq!(file.grant_type, Some(GrantType::ClientCredentials));
    assert_eq!(file.client_id.as_deref(), Some("acme-backend"));
    assert_eq!(
        secret(file),
        Some("s3cret+plus"),
        "Basic credentials are form-decoded (RFC 6749 §2.3.1)"
    );
    assert_eq!(
        file.token_endpoint_auth_method,
        Some(ClientAuthMethod::ClientSecretBasic)
    );
    assert_eq!(file.scope.as_deref(), Some("orders:read orders:write"));
    assert_eq!(
        file.token_params.get("audience").map(String::as_str),
        Some("https://api.acme.example")
    );
    assert_eq!(
        file.name.as_deref(),
        Some("login.acme.example — client_credentials")
    );
    assert!(profile.to_fix.is_empty(), "{report}");
    assert!(has(&profile.left_out, "`-s`"), "{report}");
    // The report never shows the secret.
    assert!(!report.to_string().contains("s3cret"), "{report}");
}

#[test]
fn curl_client_authentication_in_the_body_and_public_clients_are_recognised() {
    let post = import::import_text(
        "curl https://as.example/token -d grant_type=password -d client_id=app -d client_secret=x -d username=alice -d password=wonder -d refresh_token=old",
        "pasted",
        &ImportOptions::default(),
    )
    .expect("imports");
    let file = &post.profiles[0].file;
    assert_eq!(file.grant_type, Some(GrantType::Password));
    assert_eq!(
        file.token_endpoint_auth_method,
        Some(ClientAuthMethod::ClientSecretPost)
    );
    assert_eq!(file.username.as_deref(), Some("alice"));
    assert_eq!(file.password.as_ref().map(|p| p.expose()), Some("wonder"));
    assert!(has(
        &post.profiles[0].left_out,
        "refresh_token: a credential from an earlier grant"
    ));

    let public = import::import_text(
        "curl -X POST https://as.example/token -H 'Authorization: Basic YXBwOnMlMkZlY3JldA==' --data 'grant_type=authorization_code&code=abc&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&code_verifier=xyz'",
        "pasted",
        &ImportOptions::default(),
    )
    .expect("imports");
    let profile = &public.profiles[0];
    assert_eq!(profile.file.client_id.as_deref(), Some("app"));
    assert_eq!(secret(&profile.file), Some("s/ecret"));
    assert_eq!(profile.file.pkce, Some(PkceMode::S256));
    assert_eq!(
        profile.file.redirect_uri.as_deref(),
        Some("http://127.0.0.1/cb")
    );
    assert!(has(
        &profile.left_out,
        "code: an authorization code is good for one exchange"
    ));
}

#[test]
fn any_other_curl_request_becomes_the_api_request() {
    let text = std::fs::read_to_string(fixture("curl/api-call.sh")).expect("fixture");
    let report = import::import_text(&text, "pasted", &ImportOptions::default()).expect("imports");
    let profile = &report.profiles[0];
    let api = profile.file.api.as_ref().expect("[api]");
    assert_eq!(
        api.url.as_deref(),
        Some("https://api.acme.example/v2/orders")
    );
    assert_eq!(api.method.as_deref(), Some("GET"));
    assert_eq!(api.query.get("status").map(String::as_str), Some("open"));
    assert_eq!(
        api.headers.get("Accept").map(String::as_str),
        Some("application/json")
    );
    assert_eq!(api.token_placement, Some(TokenPlacementKind::Header));
    assert_eq!(
        profile
            .file
            .http
            .as_ref()
            .and_then(|h| h.accept_invalid_certs),
        Some(true)
    );
    assert!(profile.file.token_endpoint.is_none());
    assert!(
        has(&profile.left_out, "a token from an earlier grant, not kept"),
        "{report}"
    );
    assert!(
        !toml_of(&profile.file).contains("eyJhbGci"),
        "the bearer token is not kept"
    );
    assert_eq!(profile.name(), "GET api.acme.example/v2/orders");
}

#[test]
fn a_broken_curl_line_says_what_is_wrong() {
    let text = std::fs::read_to_string(fixture("curl/unclosed-quote.sh")).expect("fixture");
    let err = import::import_text(&text, "pasted", &ImportOptions::default()).expect_err("broken");
    assert_eq!(err.0, "pasted: a double quote (\") is never closed");
    let err = import::import_text("curl -X POST", "pasted", &ImportOptions::default())
        .expect_err("no url");
    assert_eq!(err.0, "pasted: the curl command has no URL");
    let err = import::import_text("wget https://x", "pasted", &ImportOptions::default())
        .expect_err("not curl");
    assert!(err.0.contains("not a format this import reads"), "{err}");
}

fn toml_of(file: &ProfileFile) -> String {
    file.to_toml()
}

// ---------------------------------------------------------------------------
// Postman

#[test]
fn a_postman_collection_with_its_environment_gives_a_profile_per_oauth_block() {
    let env = fixture("postman/acme.postman_environment.json");
    let report = import_with(
        "postman/acme.postman_collection.json",
        Some(env.to_str().expect("utf-8")),
    );
    assert_eq!(report.profiles.len(), 3, "{report}");

    // Collection level: client credentials, secret in the body.
    let acme = named(&report, "Acme API");
    let file = &acme.file;
    assert_eq!(file.grant_type, Some(GrantType::ClientCredentials));
    assert_eq!(
        file.token_endpoint.as_deref(),
        Some("https://login.staging.acme.example/oauth2/token"),
        "the environment wins over the collection's variable"
    );
    assert_eq!(file.client_id.as_deref(), Some("acme-backend"));
    assert_eq!(secret(file), Some("staging-s3cret"));
    assert_eq!(
        file.token_endpoint_auth_method,
        Some(ClientAuthMethod::ClientSecretPost)
    );
    assert_eq!(
        file.token_params.get("audience").map(String::as_str),
        Some("https://api.acme.example")
    );
    // Its two requests (inherited through the folder).
    assert_eq!(file.requests.len(), 2);
    let api = file.api.as_ref().expect("[api]");
    assert_eq!(
        api.url.as_deref(),
        Some("https://api.acme.example/v2/orders?status=open")
    );
    assert_eq!(file.requests[1].method.as_deref(), Some("POST"));
    assert!(
        file.requests[1]
            .body
            .as_deref()
            .is_some_and(|b| b.contains("A-100"))
    );
    assert!(acme.to_fix.is_empty(), "{report}");

    // Folder level: authorization code with PKCE.
    let portal = named(&report, "Customer portal");
    assert_eq!(portal.file.grant_type, Some(GrantType::AuthorizationCode));
    assert_eq!(portal.file.pkce, Some(PkceMode::S256));
    assert_eq!(
        portal.file.token_endpoint_auth_method,
        Some(ClientAuthMethod::None)
    );
    assert_eq!(
        portal
            .file
            .authorize_params
            .get("prompt")
            .map(String::as_str),
        Some("login")
    );
    assert!(has(&portal.left_out, "state: a fixed value"), "{report}");
    assert!(
        has(&portal.left_out, "ui_locales`: disabled in Postman"),
        "{report}"
    );
    assert_eq!(portal.file.requests.len(), 1);

    // Request level, v2.0's object form: the password grant. Its password
    // variable is disabled in the environment, so it is defined nowhere:
    // the secret is left empty rather than filed as `{{robotPassword}}`.
    let robot = named(&report, "Warehouse robot");
    assert_eq!(robot.file.grant_type, Some(GrantType::Password));
    assert_eq!(robot.file.username.as_deref(), Some("robot@acme.example"));
    assert!(robot.file.password.is_none());
    assert!(
        has(
            &robot.left_out,
            "`{{robotPassword}}` uses the variable `robotPassword` defined nowhere"
        ),
        "{report}"
    );
    assert_eq!(
        robot.file.token_endpoint_auth_method,
        Some(ClientAuthMethod::ClientSecretBasic)
    );

    // What was not imported is said.
    assert!(
        has(
            &report.notes,
            "`Acme API > Status (API key)` uses `apikey` auth: not OAuth 2.0, not imported"
        ),
        "{report}"
    );
    assert!(
        has(
            &report.notes,
            "environment `Acme staging`: 4 variables read"
        ),
        "{report}"
    );
}

#[test]
fn postman_variables_defined_nowhere_stay_as_placeholders_and_are_reported() {
    let report = import_with("postman/unresolved.postman_collection.json", None);
    let profile = &report.profiles[0];
    assert_eq!(
        profile.file.token_endpoint.as_deref(),
        Some("https://login.microsoftonline.com/{{tenantId}}/oauth2/v2.0/token")
    );
    assert!(
        has(
            &profile.to_fix,
            "variable `tenantId` is defined nowhere (source or environment): kept as {{tenantId}} in token_endpoint"
        ),
        "{report}"
    );
    assert!(profile.file.client_secret.is_none());
    assert!(has(&profile.left_out, "`appSecret`"), "{report}");
    // The profile's own validation: basic auth needs the secret.
    assert!(
        has(&profile.to_fix, "token_endpoint_auth_method"),
        "{report}"
    );
}

#[test]
fn broken_postman_files_say_what_is_wrong() {
    let err = import_error("postman/broken.postman_collection.json", None);
    assert!(err.contains("is not valid JSON (line "), "{err}");
    let err = import_error("postman/no-oauth.postman_collection.json", None);
    assert!(
        err.contains(
            "the collection `Weather` has no OAuth 2.0 auth (the collection uses `bearer` auth"
        ),
        "{err}"
    );
    let err = import_error("postman/acme.postman_environment.json", None);
    assert!(
        err.contains("is a Postman environment: it holds variables, not clients"),
        "{err}"
    );
    let err = import_error("other.json", None);
    assert!(err.contains("neither a Postman collection"), "{err}");
    let err = import_error(
        "postman/acme.postman_collection.json",
        Some("/nonexistent/env.json"),
    );
    assert!(err.contains("cannot read the environment"), "{err}");

    let report = import_with("postman/unknown-grant.postman_collection.json", None);
    let profile = &report.profiles[0];
    assert_eq!(profile.file.grant_type, None);
    assert!(
        has(
            &profile.left_out,
            "grant_type `saml2_bearer`: not a Postman grant this import knows"
        ),
        "{report}"
    );
    assert_eq!(profile.file.client_id.as_deref(), Some("federated-app"));
}

// ---------------------------------------------------------------------------
// Insomnia

#[test]
fn an_insomnia_v4_export_reads_folder_and_request_auth_with_the_chosen_environment() {
    let report = import_with("insomnia/acme-v4.json", Some("Staging"));
    assert_eq!(report.profiles.len(), 2, "{report}");
    let orders = named(&report, "Orders");
    assert_eq!(orders.file.grant_type, Some(GrantType::ClientCredentials));
    assert_eq!(
        orders.file.token_endpoint.as_deref(),
        Some("https://login.staging.acme.example/oauth2/token"),
        "nested data by dotted path, the sub-environment over the base"
    );
    assert_eq!(secret(&orders.file), Some("insomnia-s3cret"));
    assert_eq!(
        orders.file.token_endpoint_auth_method,
        Some(ClientAuthMethod::ClientSecretPost)
    );
    let request = &orders.file.requests[0];
    assert_eq!(
        request.url.as_deref(),
        Some("https://api.acme.example/v2/orders")
    );
    assert_eq!(
        request.query.get("status").map(String::as_str),
        Some("open")
    );
    assert!(
        !request.query.contains_key("page"),
        "disabled parameters stay out"
    );
    assert!(
        has(
            &orders.left_out,
            "the template tag `{% uuid 'v4' %}` runs only inside Insomnia"
        ),
        "{report}"
    );

    let login = named(&report, "Sign in (PKCE)");
    assert_eq!(login.file.grant_type, Some(GrantType::AuthorizationCode));
    assert_eq!(login.file.pkce, Some(PkceMode::S256));
    assert_eq!(
        login.file.authorization_endpoint.as_deref(),
        Some("https://login.staging.acme.example/oauth2/authorize")
    );
    assert!(login.to_fix.is_empty(), "{report}");
    assert!(has(&report.notes, "environment `Staging` used"), "{report}");

    // Without a choice, two sub-environments: only the base is read, and
    // the report says which exist.
    let base = import_with("insomnia/acme-v4.json", None);
    assert!(
        has(&base.notes, "sub-environments Staging, Production not used"),
        "{base}"
    );
    assert!(named(&base, "Orders").file.client_secret.is_none());
    let err = import_error("insomnia/acme-v4.json", Some("Qa"));
    assert!(
        err.contains("no Insomnia environment called `Qa`; the export has: Staging, Production"),
        "{err}"
    );
}

#[test]
fn an_insomnia_v5_yaml_collection_is_read() {
    let report = import_with("insomnia/acme-v5.yaml", None);
    assert_eq!(report.profiles.len(), 1, "{report}");
    let robots = named(&report, "Robots");
    assert_eq!(robots.file.grant_type, Some(GrantType::Password));
    assert_eq!(
        robots.file.token_endpoint.as_deref(),
        Some("https://login.acme.example/oauth2/token")
    );
    assert_eq!(robots.file.username.as_deref(), Some("robot@acme.example"));
    assert_eq!(
        robots.file.password.as_ref().map(|p| p.expose()),
        Some("local-pass"),
        "the only sub-environment is used"
    );
    assert_eq!(
        robots.file.api.as_ref().and_then(|a| a.url.as_deref()),
        Some("http://127.0.0.1:8080/v2/warehouse/stock")
    );
    assert!(
        has(
            &report.notes,
            "`Acme (Insomnia 5) > Status` uses `bearer` auth"
        ),
        "{report}"
    );
}

// ---------------------------------------------------------------------------
// Bruno

#[test]
fn a_bruno_collection_folder_reads_collection_and_folder_auth() {
    let report = import_with("bruno/acme-api", Some("Local"));
    assert_eq!(report.profiles.len(), 2, "{report}");
    let acme = named(&report, "Acme (Bruno)");
    assert_eq!(acme.file.grant_type, Some(GrantType::ClientCredentials));
    assert_eq!(
        acme.file.token_endpoint.as_deref(),
        Some("http://127.0.0.1:7878/oauth2/token")
    );
    assert_eq!(acme.file.client_id.as_deref(), Some("demo-client"));
    assert_eq!(secret(&acme.file), Some("demo-secret"));
    assert_eq!(
        acme.file.token_endpoint_auth_method,
        Some(ClientAuthMethod::ClientSecretBasic)
    );
    assert_eq!(
        acme.file.token_params.get("audience").map(String::as_str),
        Some("https://api.acme.example")
    );
    let api = acme.file.api.as_ref().expect("[api] from List orders");
    assert_eq!(
        api.url.as_deref(),
        Some("https://api.acme.example/v2/orders")
    );
    assert_eq!(api.query.get("status").map(String::as_str), Some("open"));
    assert!(!api.query.contains_key("page"));

    let users = named(&report, "Users");
    assert_eq!(users.file.grant_type, Some(GrantType::AuthorizationCode));
    assert_eq!(users.file.pkce, Some(PkceMode::S256));
    assert_eq!(
        users.file.token_endpoint_auth_method,
        Some(ClientAuthMethod::None)
    );
    assert_eq!(users.file.requests.len(), 1, "Ping has auth: none");
    assert!(
        users.file.requests[0]
            .body
            .as_deref()
            .is_some_and(|b| b.contains("\"name\": \"Ada\""))
    );

    // The Staging environment keeps its secret outside the collection.
    let staging = import_with("bruno/acme-api", Some("Staging"));
    assert!(
        has(
            &staging.notes,
            "secret variables clientSecret: Bruno keeps their values outside the collection"
        ),
        "{staging}"
    );
    assert!(named(&staging, "Acme (Bruno)").file.client_secret.is_none());
    // Without a choice: two environments, none used, the report says so.
    let none = import_with("bruno/acme-api", None);
    assert!(
        has(&none.notes, "environments Local, Staging not used"),
        "{none}"
    );
}

#[test]
fn a_broken_bru_file_names_its_line() {
    let err = import_error("bruno/broken", None);
    assert!(err.contains("Token.bru: line 10: `auth:oauth2 {` is not indented: the block `post` above it is never closed"), "{err}");
}

// ---------------------------------------------------------------------------
// The command line

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.unwrap_or_default().as_bytes())
        .expect("write");
    drop(input);
    child.wait_with_output().expect("output")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_import_command_writes_one_file_per_client_and_prints_their_paths() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().to_str().expect("utf-8");
    let collection = fixture("postman/acme.postman_collection.json");
    let env = fixture("postman/acme.postman_environment.json");
    let args = [
        "import",
        collection.to_str().expect("utf-8"),
        "--env",
        env.to_str().expect("utf-8"),
        "--out",
        out,
        "--no-keychain",
    ];
    let output = run(&args, None);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let paths: Vec<PathBuf> = text(&output.stdout).lines().map(PathBuf::from).collect();
    assert_eq!(
        paths,
        vec![
            dir.path().join("acme-api.toml"),
            dir.path().join("customer-portal.toml"),
            dir.path().join("warehouse-robot.toml"),
        ]
    );
    for path in &paths {
        let source = std::fs::read_to_string(path).expect("written");
        ProfileFile::parse(&source, path).expect("a valid profile file");
    }
    // The report is on stderr; where the secrets went is said.
    assert!(
        stderr.contains("Postman collection: 3 profiles"),
        "{stderr}"
    );
    assert!(
        stderr.contains("took accessTokenUrl -> token_endpoint"),
        "{stderr}"
    );
    assert!(
        stderr.contains("acme-api: Client secret is in the profile file, readable only by you (0600): no OS keychain here (--no-keychain)"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("staging-s3cret"),
        "no secret in the report"
    );
    let acme = std::fs::read_to_string(&paths[0]).expect("read");
    assert!(
        acme.contains("client_secret = \"staging-s3cret\""),
        "{acme}"
    );

    // Again: new names and new files, nothing overwritten.
    let again = run(&args, None);
    assert!(again.status.success());
    let paths: Vec<String> = text(&again.stdout).lines().map(str::to_string).collect();
    assert!(paths[0].ends_with("acme-api-2.toml"), "{paths:?}");
    let renamed = std::fs::read_to_string(&paths[0]).expect("read");
    assert!(renamed.contains("name = \"Acme API (2)\""), "{renamed}");
}

#[test]
fn the_import_command_refuses_a_broken_file_with_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = fixture("postman/broken.postman_collection.json");
    let output = run(
        &[
            "import",
            broken.to_str().expect("utf-8"),
            "--out",
            dir.path().to_str().expect("utf-8"),
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("is not valid JSON (line "), "{stderr}");
    assert!(text(&output.stdout).is_empty());
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        0,
        "nothing written"
    );

    let no_oauth = fixture("postman/no-oauth.postman_collection.json");
    let output = run(
        &[
            "import",
            no_oauth.to_str().expect("utf-8"),
            "--out",
            dir.path().to_str().expect("utf-8"),
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("has no OAuth 2.0 auth"));
}

#[test]
fn a_curl_line_on_stdin_becomes_a_profile_that_runs_against_the_demo_provider() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let demo = runtime.block_on(support::demo());
    let dir = tempfile::tempdir().expect("tempdir");
    let line = format!(
        "curl -X POST {}/token -u demo-client:demo-secret -d grant_type=client_credentials -d scope=read",
        demo.url()
    );
    let output = run(
        &[
            "import",
            "-",
            "--out",
            dir.path().to_str().expect("utf-8"),
            "--no-keychain",
        ],
        Some(&line),
    );
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("stdin — curl command: 1 profile"),
        "{stderr}"
    );
    let path = text(&output.stdout).trim().to_string();
    assert!(
        path.ends_with("127-0-0-1-client-credentials.toml"),
        "{path}"
    );

    // The profile as written runs: a real token from the demo provider.
    let token = run(&["token", "--profile", &path, "--json"], None);
    let body = text(&token.stdout);
    assert!(token.status.success(), "{}{body}", text(&token.stderr));
    let json: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert!(
        json["access_token"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    runtime.block_on(demo.stop());
}

// ---------------------------------------------------------------------------
// The app

#[test]
fn the_app_imports_a_pasted_curl_line_and_lists_the_new_profile() {
    use egui_kittest::kittest::Queryable as _;
    use support::ui::{click, shows, start_in, wait_for};

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut harness = start_in(&runtime, dir.path());
    click(&mut harness, "Import…");
    harness.get_by_label("curl command").focus();
    harness.get_by_label("curl command").type_text(
        "curl https://as.example/oauth2/token -d grant_type=client_credentials -d client_id=from-curl -d client_secret=pasted",
    );
    harness.run_steps(2);
    click(&mut harness, "Import the command");
    wait_for(&mut harness, "the import", |h| {
        shows(h, "curl command: 1 profile")
    });
    assert!(shows(&harness, "took client_id -> client_id"));
    wait_for(&mut harness, "the new profile in the list", |h| {
        h.query_by_label("as.example — client_credentials")
            .is_some()
            && !shows(h, "Saving…")
    });
    assert!(
        dir.path()
            .join("as-example-client-credentials.toml")
            .exists()
    );
    let entry = harness
        .state()
        .state()
        .profiles
        .selected_entry()
        .expect("selected")
        .clone();
    assert_eq!(entry.file.client_id.as_deref(), Some("from-curl"));

    // A broken file path is reported in the window, nothing added.
    let before = harness.state().state().profiles.entries.len();
    harness.get_by_label("File or Bruno folder").focus();
    harness.get_by_label("File or Bruno folder").type_text(
        fixture("postman/no-oauth.postman_collection.json")
            .to_str()
            .expect("utf-8"),
    );
    harness.run_steps(2);
    click(&mut harness, "Import the file");
    wait_for(&mut harness, "the refusal", |h| {
        shows(h, "has no OAuth 2.0 auth")
    });
    assert_eq!(harness.state().state().profiles.entries.len(), before);
}
