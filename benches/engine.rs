//! The engine's cost over a bare HTTP call: one client_credentials round
//! trip against the built-in demo provider on 127.0.0.1, through the engine
//! (profile, oauth2 crate, recording client, tolerant parser) and as a bare
//! reqwest POST of the same form. Both hit the same in-process server, so
//! the ratio is the engine's own overhead. See docs/BENCHMARKS.md.

use criterion::{Criterion, criterion_group, criterion_main};
use oauth_debugger::demo::{DemoConfig, DemoServer};
use oauth_debugger::engine::grants::{self, GrantOptions};
use oauth_debugger::engine::http::{HttpClient, Recorder};
use oauth_debugger::engine::presets;
use oauth_debugger::engine::profile::Profile;

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

criterion_group!(benches, round_trip);
criterion_main!(benches);
