//! Frame times of the two heaviest views, measured in-process with
//! egui_kittest (layout and tessellation on the CPU, no GPU painting): the
//! HTTP log with 10,000 exchanges and the Request tab showing a 20 MB JSON
//! body, each while scrolling — one benchmark iteration is one frame with a
//! mouse-wheel step. Also the off-UI-thread preparation of that body. See
//! docs/BENCHMARKS.md.

use std::time::Duration;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use oauth_debugger::app::bridge::ApiAnswer;
use oauth_debugger::app::http_log::panel::{LogView, http_log_ui};
use oauth_debugger::app::http_log::{ExchangeLog, LogState};
use oauth_debugger::app::request::RequestState;
use oauth_debugger::app::request::panel::{RequestContext, request_ui};
use oauth_debugger::app::session::ProfileId;
use oauth_debugger::app::widgets::json_doc;
use oauth_debugger::app::widgets::json_tree::JsonTreeView;
use oauth_debugger::demo::{DemoConfig, DemoServer};
use oauth_debugger::engine::endpoints::api::{self, ApiRequest, ApiResponse};
use oauth_debugger::engine::grants::{self, GrantOptions};
use oauth_debugger::engine::profile::Profile;
use oauth_debugger::engine::profile::presets;
use oauth_debugger::engine::store::session_file::SessionFile;
use oauth_debugger::engine::wire::http::{
    Exchange, ExchangeKind, RecordedRequest, RecordedResponse,
};
use oauth_debugger::engine::wire::http::{HttpClient, Recorder};

fn exchange(id: u64, body: Vec<u8>) -> Exchange {
    Exchange {
        id,
        kind: if id.is_multiple_of(3) {
            ExchangeKind::Token
        } else {
            ExchangeKind::Api
        },
        started_at: Utc::now(),
        duration: Duration::from_millis(3),
        request: RecordedRequest {
            method: "GET".to_string(),
            url: format!("http://127.0.0.1:7878/api/items?page={id}"),
            headers: vec![("authorization".to_string(), "Bearer abc".to_string())],
            body: bytes::Bytes::new(),
        },
        response: Some(RecordedResponse {
            status: 200,
            headers: vec![("content-type".to_string(), "application/json".to_string())],
            body: body.into(),
            truncated: false,
        }),
        error: None,
    }
}

/// A wheel step down, over the middle of the window.
fn scroll(harness: &Harness<'_, impl Sized>) {
    harness.event(egui::Event::PointerMoved(egui::pos2(640.0, 500.0)));
    harness.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, -120.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: egui::Modifiers::NONE,
    });
}

/// The HTTP log tab on its own, at 1280x800.
fn log_harness(log: LogState, exchanges: ExchangeLog) -> Harness<'static, (LogState, ExchangeLog)> {
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(
            |ui, (log, exchanges): &mut (LogState, ExchangeLog)| {
                let view = LogView {
                    exchanges,
                    reveal: false,
                    presenting: false,
                    profile: (ProfileId::default(), "bench"),
                };
                let _ = http_log_ui(ui, log, &view);
            },
            (log, exchanges),
        )
}

fn http_log_frames(c: &mut Criterion) {
    let exchanges: Vec<Exchange> = (1..=10_000)
        .map(|id| exchange(id, br#"{"items":[]}"#.to_vec()))
        .collect();
    let mut log = LogState::default();
    for exchange in &exchanges {
        log.add_row(exchange, ProfileId::default());
    }
    let mut exchanges_log = ExchangeLog::default();
    for exchange in exchanges {
        exchanges_log.push(exchange);
    }
    let exchanges = exchanges_log;
    let mut harness = log_harness(log, exchanges);
    harness.run_steps(3);
    c.bench_function("http_log_10000_exchanges_scroll_frame", |b| {
        b.iter(|| {
            scroll(&harness);
            harness.step();
        })
    });
}

/// The resident set of this process, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// 100,000 exchanges pushed through the log as the app pushes them: the
/// newest 2,000 in memory, the rest written to a session file (secrets
/// masked). Prints what they cost in memory and how long a find over all
/// of them takes; benchmarks a scrolling frame and a frame with a find.
fn http_log_100000_frames(c: &mut Criterion) {
    let before = rss_kib();
    let dir = tempfile::tempdir().expect("dir");
    let mut file = SessionFile::create(dir.path()).expect("session file");
    let mut exchanges = ExchangeLog::default();
    let mut log = LogState::default();
    let body = br#"{"access_token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln","token_type":"Bearer","expires_in":7,"refresh_token":"r-0123456789","scope":"read write"}"#;
    for id in 1..=100_000 {
        let exchange = exchange(id, body.to_vec());
        log.add_row(&exchange, ProfileId::default());
        exchanges.push(exchange);
        if let Some(out) = exchanges.overflow() {
            file.append(&out, false).expect("append");
            exchanges.spilled(true);
        }
    }
    let after = rss_kib();
    eprintln!(
        "http_log_100000: {} exchanges ({} in the session file, {} MiB on disk): RSS +{:.1} MiB",
        exchanges.len(),
        exchanges.spilled_count(),
        std::fs::metadata(file.path()).map(|m| m.len()).unwrap_or(0) / (1024 * 1024),
        (after.saturating_sub(before)) as f64 / 1024.0
    );
    let mut harness = log_harness(log, exchanges);
    harness.run_steps(3);
    c.bench_function("http_log_100000_exchanges_scroll_frame", |b| {
        b.iter(|| {
            scroll(&harness);
            harness.step();
        })
    });
    // A find over every row: the frame after the filter changes (each
    // iteration a text that is not a longer form of the last, so every row
    // is tested again; later frames test only new rows).
    let mut page = 99_999;
    c.bench_function("http_log_100000_exchanges_find_frame", |b| {
        b.iter(|| {
            page = if page == 99_999 { 99_998 } else { 99_999 };
            harness.state_mut().0.filter = format!("page={page}");
            harness.step();
        })
    });
    drop(harness);
    drop(file);
}

/// `mb` megabytes of JSON shaped like the demo provider's /api/large.
fn large_body(mb: usize) -> Vec<u8> {
    let target = mb * 1024 * 1024;
    let mut body = String::with_capacity(target + 256);
    body.push_str("{\"items\":[");
    let mut id = 0usize;
    while body.len() < target {
        if id > 0 {
            body.push(',');
        }
        body.push_str(&format!(
            "{{\"id\":{id},\"name\":\"item {id}\",\"owner\":\"alice\",\"tags\":[\"demo\",\"large\"],\"note\":\"padding to make the body big enough to exercise the viewer\"}}"
        ));
        id += 1;
    }
    body.push_str("]}");
    body.into_bytes()
}

fn large_response_frames(c: &mut Criterion) {
    let body = large_body(20);
    let response = ApiResponse {
        exchange: exchange(1, body),
        challenge: None,
        step_up: None,
        findings: Vec::new(),
    };
    let mut group = c.benchmark_group("large_response_20mb");
    group.sample_size(10);
    group.bench_function("prepare_off_ui_thread", |b| {
        b.iter(|| ApiAnswer::new(response.clone()))
    });
    // The parts of that preparation, and the parse floor it is measured
    // against: serde_json building a whole Value (what the Request tab did
    // before), and only checking the bytes are JSON (what it does now).
    let bytes = response.exchange.response_body();
    group.bench_function("parse_floor_serde_value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(&bytes).is_ok())
    });
    group.bench_function("check_json_serde_ignored_any", |b| {
        b.iter(|| json_doc::is_json(&bytes))
    });
    group.bench_function("index_text_lines", |b| {
        b.iter(|| json_doc::JsonDoc::new(bytes.clone()).line_count())
    });
    let doc = std::sync::Arc::new(json_doc::JsonDoc::new(bytes.clone()));
    group.bench_function("tree_two_levels", |b| b.iter(|| JsonTreeView::new(&doc, 2)));
    // Send to shown: the API call to the demo provider's /api/large and the
    // preparation the app does before the next frame can show it.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime
        .block_on(DemoServer::start(DemoConfig {
            port: 0,
            ..DemoConfig::default()
        }))
        .expect("demo provider");
    let profile =
        Profile::from_file(&presets::demo_profile(&server.url()), "bench").expect("profile");
    let http = HttpClient::new(&profile.http, Recorder::new()).expect("client");
    let token = runtime
        .block_on(grants::run(&profile, &http, &GrantOptions::default()))
        .expect("token")
        .access_token;
    let mut large = ApiRequest::from_config(profile.api.as_ref().expect("[api]"));
    large.url = url::Url::parse(&format!("{}/api/large?mb=20", server.url())).expect("url");
    group.bench_function("send_to_shown", |b| {
        b.iter(|| {
            let response = runtime
                .block_on(api::call(&http, &large, Some(&token)))
                .expect("answer");
            assert_eq!(response.status(), 200);
            ApiAnswer::new(response)
        })
    });
    group.finish();
    drop(server);

    let mut state = RequestState::default();
    state.finish(Ok(Box::new(ApiAnswer::new(response))));
    for (name, as_tree) in [("tree", true), ("text", false)] {
        let mut state = state.clone();
        state.body_view.as_tree = as_tree;
        let mut harness = request_harness(state);
        harness.run_steps(3);
        c.bench_function(&format!("large_response_20mb_{name}_scroll_frame"), |b| {
            b.iter(|| {
                scroll(&harness);
                harness.step();
            })
        });
    }
}

/// The Request tab alone, showing `state`.
fn request_harness(state: RequestState) -> Harness<'static, RequestState> {
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(
            |ui, state: &mut RequestState| {
                let _ = request_ui(
                    ui,
                    state,
                    RequestContext {
                        have_token: true,
                        can_refresh: false,
                        saved: &[],
                        reveal: false,
                    },
                );
            },
            state,
        )
}

/// What showing a 20 MB JSON body costs in memory: the Request tab drawn
/// empty, then with the body (its bytes included) as a tree, as text, and
/// with its 400,000-item array's first item unfolded. Runs first, before
/// the other benchmarks have grown the heap.
fn large_response_memory(_c: &mut Criterion) {
    let mut harness = request_harness(RequestState::default());
    harness.run_steps(3);
    let before = rss_kib();
    let body = large_body(20);
    let size = body.len();
    let answer = ApiAnswer::new(ApiResponse {
        exchange: exchange(1, body),
        challenge: None,
        step_up: None,
        findings: Vec::new(),
    });
    harness.state_mut().finish(Ok(Box::new(answer)));
    harness.run_steps(3);
    let tree = rss_kib();
    harness.get_by_label("Unfold [0]").click();
    harness.run_steps(3);
    let unfolded = rss_kib();
    harness.state_mut().body_view.as_tree = false;
    harness.run_steps(3);
    let text = rss_kib();
    let mib = |kib: u64| kib.saturating_sub(before) as f64 / 1024.0;
    eprintln!(
        "large_response_20mb: a {:.1} MiB body; RSS +{:.1} MiB shown as a tree, +{:.1} MiB with an item unfolded, +{:.1} MiB as text too (budget: + 3 x 20 MB = 57.2 MiB)",
        size as f64 / (1024.0 * 1024.0),
        mib(tree),
        mib(unfolded),
        mib(text)
    );
}

criterion_group!(
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(5));
    targets = large_response_memory, http_log_frames, http_log_100000_frames, large_response_frames
);
criterion_main!(benches);
