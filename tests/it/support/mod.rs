//! Shared helpers for the integration tests: a demo provider on a free port,
//! profiles pointing at it, and small misbehaving servers.
#![allow(dead_code)]

pub mod ui;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use oauth_debugger::demo::user_agent::{self, Person};
use oauth_debugger::demo::{DemoConfig, DemoServer};
use oauth_debugger::engine::grants::authorization_code::AuthorizationRequest;
use oauth_debugger::engine::grants::{BrowserOptions, GrantOptions, Progress};
use oauth_debugger::engine::profile::{ApiFile, ClientAuthMethod, GrantType, HttpFile};
use oauth_debugger::engine::wire::http::{HttpClient, Recorder};
use oauth_debugger::engine::{Profile, ProfileFile, Secret};

/// Starts a demo provider on a free port with the given token lifetime.
pub async fn demo_with_ttl(ttl: Duration) -> DemoServer {
    DemoServer::start(DemoConfig {
        port: 0,
        token_ttl: ttl,
        ..DemoConfig::default()
    })
    .await
    .expect("demo provider starts")
}

/// Starts a demo provider on a free port.
pub async fn demo() -> DemoServer {
    demo_with_ttl(Duration::from_secs(3600)).await
}

/// Starts a demo provider on a free port with the fault switches called
/// `names` on, serving HTTPS when `tls`.
pub async fn demo_with_faults(names: &[&str], tls: bool) -> DemoServer {
    let mut faults = oauth_debugger::demo::Faults::default();
    for name in names {
        assert!(faults.switch_on(name), "unknown fault {name}");
    }
    DemoServer::start(DemoConfig {
        port: 0,
        faults,
        tls,
        ..DemoConfig::default()
    })
    .await
    .expect("demo provider starts")
}

/// A profile for the demo provider's confidential client.
pub fn demo_file(base: &str, grant: GrantType, auth: ClientAuthMethod) -> ProfileFile {
    let confidential = auth != ClientAuthMethod::None;
    ProfileFile {
        name: Some("test".into()),
        token_endpoint: Some(format!("{base}/token")),
        client_id: Some(
            if confidential {
                "demo-client"
            } else {
                "demo-public"
            }
            .into(),
        ),
        client_secret: confidential.then(|| Secret::new("demo-secret")),
        token_endpoint_auth_method: Some(auth),
        grant_type: Some(grant),
        scope: Some("read write".into()),
        username: Some("alice".into()),
        password: Some(Secret::new("alice-password")),
        api: Some(ApiFile {
            url: Some(format!("{base}/api/items")),
            ..ApiFile::default()
        }),
        http: Some(HttpFile {
            timeout_secs: Some(5),
            ..HttpFile::default()
        }),
        ..ProfileFile::default()
    }
}

/// Validates a profile file, panicking with the problems if it is invalid.
pub fn profile(file: &ProfileFile) -> Profile {
    Profile::from_file(file, "test").unwrap_or_else(|err| panic!("invalid test profile: {err}"))
}

/// A recording client with the profile's settings.
pub fn client(profile: &Profile) -> HttpClient {
    HttpClient::new(&profile.http, Recorder::new()).expect("client")
}

/// Serves `router` on 127.0.0.1 on a free port; returns the base URL. The
/// server lives until the test's runtime ends.
pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

/// A demo provider with the device grant's timings shortened.
pub async fn demo_device(interval: Duration, code_ttl: Duration) -> DemoServer {
    DemoServer::start(DemoConfig {
        port: 0,
        device_interval: interval,
        device_code_ttl: code_ttl,
        ..DemoConfig::default()
    })
    .await
    .expect("demo provider starts")
}

/// A profile for a browser grant against the demo provider.
pub fn browser_file(base: &str, grant: GrantType, auth: ClientAuthMethod) -> ProfileFile {
    ProfileFile {
        issuer: Some(base.to_string()),
        authorization_endpoint: Some(format!("{base}/authorize")),
        device_authorization_endpoint: Some(format!("{base}/device_authorization")),
        redirect_uri: Some("http://127.0.0.1/callback".into()),
        scope: Some("openid profile read".into()),
        username: None,
        password: None,
        ..demo_file(base, grant, auth)
    }
}

/// Options whose "browser" is `person`, visiting each URL the grant sends
/// the user to — the authorization URL as finally sent (signed or pushed),
/// once the grant waits for the redirect. Returns the authorization
/// requests seen.
pub fn played_by(person: Person) -> (GrantOptions, Arc<Mutex<Vec<AuthorizationRequest>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let latest: Arc<Mutex<Option<String>>> = Arc::default();
    let progress = move |progress: Progress| {
        let url = match progress {
            Progress::AuthorizationUrl(request) => {
                *latest.lock().expect("lock") = Some(request.url.to_string());
                log.lock().expect("lock").push(request);
                return;
            }
            Progress::Hardened(hardened) => {
                *latest.lock().expect("lock") = Some(hardened.url.to_string());
                return;
            }
            Progress::WaitingForRedirect(_) | Progress::WaitingForPaste(_) => {
                match latest.lock().expect("lock").take() {
                    Some(url) => url,
                    None => return,
                }
            }
            Progress::DeviceCode(info) => info.verification_uri_complete.expect("complete URI"),
            _ => return,
        };
        let person = person.clone();
        tokio::spawn(async move {
            let _ = user_agent::visit(&url, &person).await;
        });
    };
    let options = GrantOptions {
        browser: BrowserOptions {
            open_browser: false,
            timeout: Duration::from_secs(30),
            progress: Some(Arc::new(progress)),
            ..BrowserOptions::default()
        },
        ..GrantOptions::default()
    };
    (options, seen)
}
