//! The engine's cost over a bare HTTP call: one client_credentials round
//! trip against the built-in demo provider on 127.0.0.1, through the engine
//! (profile, oauth2 crate, recording client, tolerant parser) and as a bare
//! reqwest POST of the same form. Both hit the same in-process server, so
//! the ratio is the engine's own overhead. See docs/BENCHMARKS.md.

use criterion::{Criterion, criterion_group, criterion_main};
use oauth_debugger::demo::{DemoConfig, DemoServer};
use oauth_debugger::engine::grants::{self, GrantOptions};
use oauth_debugger::engine::profile::Profile;
use oauth_debugger::engine::profile::presets;
use oauth_debugger::engine::wire::http::{HttpClient, Recorder};

fn round_trip(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime
        .block_on(DemoServer::start(DemoConfig {
            port: 0,
            ..DemoConfig::default()
        }))
        .expect("demo provider");
    let base = server.url();
    let file = presets::demo_profile(&base);
    let profile = Profile::from_file(&file, "bench").expect("demo profile");
    let engine = HttpClient::new(&profile.http, Recorder::new()).expect("client");
    let bare = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest");
    let token_url = format!("{base}/token");

    let mut group = c.benchmark_group("client_credentials_round_trip");
    group.bench_function("engine", |b| {
        b.iter(|| {
            runtime
                .block_on(grants::run(&profile, &engine, &GrantOptions::default()))
                .expect("token")
        })
    });
    group.bench_function("bare_reqwest", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let response = bare
                    .post(&token_url)
                    .basic_auth("demo-client", Some("demo-secret"))
                    .form(&[
                        ("grant_type", "client_credentials"),
                        ("scope", "read write"),
                    ])
                    .send()
                    .await
                    .expect("sent");
                assert_eq!(response.status(), 200);
                response.bytes().await.expect("body")
            })
        })
    });
    group.finish();
    drop(server);
}

/// What proving the client's keys adds to each request: signing a client
/// assertion (private_key_jwt, RFC 7523) and a DPoP proof (RFC 9449), with
/// EC P-256 and Ed25519 keys (the budget is under 1 ms each), and with RSA
/// for comparison.
fn signing(c: &mut Criterion) {
    use oauth_debugger::engine::client::auth::Assertions;
    use oauth_debugger::engine::client::dpop::DpopKey;
    use oauth_debugger::engine::client::keys::{Alg, ClientKey};
    use oauth_debugger::engine::profile::{ClientAuthMethod, ProfileFile};

    let dir = std::env::temp_dir().join(format!("oauth-debugger-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let url = url::Url::parse("https://as.example/token").expect("url");
    let mut group = c.benchmark_group("signing");
    for alg in [Alg::Es256, Alg::EdDsa, Alg::Rs256] {
        let path = dir.join(format!("{}.pem", alg.as_str()));
        let _ = std::fs::remove_file(&path);
        ClientKey::generate(alg)
            .expect("key")
            .save(&path)
            .expect("saved");
        let file = ProfileFile {
            issuer: Some("https://as.example".into()),
            token_endpoint: Some(url.to_string()),
            client_id: Some("bench".into()),
            token_endpoint_auth_method: Some(ClientAuthMethod::PrivateKeyJwt),
            signing_key_file: Some(path.display().to_string()),
            ..ProfileFile::default()
        };
        let profile = Profile::from_file(&file, "bench").expect("profile");
        let assertions =
            Assertions::new(&profile, ClientAuthMethod::PrivateKeyJwt).expect("assertions");
        group.bench_function(format!("client_assertion_{}", alg.as_str()), |b| {
            b.iter(|| assertions.make().expect("signed"))
        });
        let key = DpopKey::new(ClientKey::load(&path).expect("key"), alg, "bench");
        group.bench_function(format!("dpop_proof_{}", alg.as_str()), |b| {
            b.iter(|| key.proof("POST", &url, Some("token")).expect("signed"))
        });
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, round_trip, signing);
criterion_main!(benches);
