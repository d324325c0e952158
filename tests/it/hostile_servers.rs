//! Servers that misbehave on purpose, one table for the token endpoint and
//! the API alike: each answer must give a clear error (or, for the API, a
//! clear answer) within the profile's timeout, with memory bounded by the
//! response size limit, and never a panic. Real HTTP on 127.0.0.1.

use crate::support;

use std::convert::Infallible;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::Response;
use axum::routing::any;
use oauth_debugger::engine::endpoints::api::{self, ApiRequest};
use oauth_debugger::engine::grants::{self, GrantOptions};
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType, HttpFile};
use oauth_debugger::engine::wire::http::TransportErrorKind;
use oauth_debugger::engine::{EngineError, Secret};
use support::{client, demo_file, profile, serve};

/// What a hostile endpoint does.
#[derive(Debug, Clone, Copy)]
enum Hostile {
    Html,
    Empty,
    /// A body over the profile's 1 MB limit.
    Huge,
    /// Headers, then a body that never ends.
    Endless,
    /// Accepts the request and never answers.
    Silent,
    InvalidUtf8,
    Html500,
    Redirect,
    /// A 10 KB gzip body that would inflate to 10 MB.
    GzipBomb,
}

const ALL: [Hostile; 9] = [
    Hostile::Html,
    Hostile::Empty,
    Hostile::Huge,
    Hostile::Endless,
    Hostile::Silent,
    Hostile::InvalidUtf8,
    Hostile::Html500,
    Hostile::Redirect,
    Hostile::GzipBomb,
];

/// 10 MB of zeros, gzip-compressed (about 10 KB), made with the system's
/// `gzip` (part of every Debian install).
fn gzip_bomb() -> Vec<u8> {
    use std::io::Write;
    let mut child = std::process::Command::new("gzip")
        .arg("-c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("gzip runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        stdin
            .write_all(&vec![0u8; 10 * 1024 * 1024])
            .expect("zeros");
    });
    let out = child.wait_with_output().expect("gzip output");
    writer.join().expect("writer");
    assert!(out.status.success() && out.stdout.len() < 100 * 1024);
    out.stdout
}

async fn hostile(kind: Hostile) -> Result<Response, Infallible> {
    let response = match kind {
        Hostile::Html => Response::builder()
            .header(header::CONTENT_TYPE, "text/html")
            .body(Body::from("<html><body>Login required</body></html>")),
        Hostile::Empty => Response::builder().body(Body::empty()),
        Hostile::Huge => Response::builder()
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(vec![b' '; 3 * 1024 * 1024])),
        // Served by `endless_server` below, at the TCP level.
        Hostile::Endless => Response::builder().body(Body::empty()),
        Hostile::Silent => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Response::builder().body(Body::empty())
        }
        Hostile::InvalidUtf8 => Response::builder()
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(vec![0xff, 0xfe, b'{', 0xc3, 0x28, b'}'])),
        Hostile::Html500 => Response::builder()
            .status(StatusCode::INTERNAL_SERVER_ERROR)
            .header(header::CONTENT_TYPE, "text/html")
            .body(Body::from("<h1>500 Internal Server Error</h1>")),
        Hostile::Redirect => Response::builder()
            .status(StatusCode::FOUND)
            .header(header::LOCATION, "http://127.0.0.1:9/elsewhere")
            .body(Body::empty()),
        Hostile::GzipBomb => Response::builder()
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_ENCODING, "gzip")
            .body(Body::from(gzip_bomb())),
    };
    Ok(response.unwrap_or_default())
}

async fn server(kind: Hostile) -> String {
    match kind {
        Hostile::Endless => endless_server().await,
        _ => serve(Router::new().fallback(any(move || hostile(kind)))).await,
    }
}

/// Answers every connection with headers and then a chunked body that never
/// ends (64 KB every 10 ms, until the client goes away).
async fn endless_server() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let mut chunk = b"10000\r\n".to_vec();
                chunk.extend(std::iter::repeat_n(b' ', 0x10000));
                chunk.extend_from_slice(b"\r\n");
                loop {
                    if socket.write_all(&chunk).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            });
        }
    });
    format!("http://{addr}")
}

fn hostile_profile(base: &str) -> oauth_debugger::engine::Profile {
    let mut file = demo_file(
        base,
        GrantType::ClientCredentials,
        ClientAuthMethod::ClientSecretBasic,
    );
    file.http = Some(HttpFile {
        timeout_secs: Some(2),
        max_response_mb: Some(1),
        ..HttpFile::default()
    });
    profile(&file)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_hostile_token_endpoint_gives_a_clear_error_in_time() {
    for kind in ALL {
        let base = server(kind).await;
        let p = hostile_profile(&base);
        let started = Instant::now();
        let err = grants::run(&p, &client(&p), &GrantOptions::default())
            .await
            .expect_err("no token from a hostile server");
        let took = started.elapsed();
        assert!(took < Duration::from_secs(5), "{kind:?} took {took:?}");
        let message = err.to_string();
        assert!(!message.is_empty(), "{kind:?}");
        match (kind, &err) {
            (Hostile::Silent, EngineError::Transport { error, .. }) => {
                assert_eq!(error.kind, TransportErrorKind::Timeout, "{message}")
            }
            (Hostile::Huge, EngineError::Transport { error, .. }) => {
                assert_eq!(error.kind, TransportErrorKind::TooLarge, "{message}")
            }
            (Hostile::Endless, EngineError::Transport { error, .. }) => assert!(
                matches!(
                    error.kind,
                    TransportErrorKind::TooLarge | TransportErrorKind::Timeout
                ),
                "{message}"
            ),
            (Hostile::Html, _) => assert!(message.contains("HTML"), "{message}"),
            (Hostile::Html500, _) => assert!(message.contains("500"), "{message}"),
            (Hostile::Empty, _) => assert!(message.contains("empty body"), "{message}"),
            (Hostile::Redirect, _) => assert!(message.contains("302"), "{message}"),
            (Hostile::InvalidUtf8 | Hostile::GzipBomb, _) => {
                assert!(message.contains("not JSON"), "{message}")
            }
            (kind, other) => panic!("{kind:?}: unexpected {other:?}"),
        }
        // What came back is bounded by the limit and kept for the log.
        if let Some(exchange) = err.exchange()
            && let Some(response) = &exchange.response
        {
            assert!(response.body.len() <= 1024 * 1024, "{kind:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_hostile_api_gives_an_answer_or_a_clear_error_in_time() {
    for kind in ALL {
        let base = server(kind).await;
        let p = hostile_profile(&base);
        let request = ApiRequest::from_config(p.api.as_ref().expect("[api]"));
        let started = Instant::now();
        let outcome = api::call(&client(&p), &request, Some(&Secret::new("t"))).await;
        let took = started.elapsed();
        assert!(took < Duration::from_secs(5), "{kind:?} took {took:?}");
        match (kind, outcome) {
            (Hostile::Silent | Hostile::Huge | Hostile::Endless, Err(err)) => {
                assert!(!err.to_string().is_empty())
            }
            (Hostile::Redirect, Ok(answer)) => {
                assert_eq!(answer.status(), 302, "shown, never followed")
            }
            (Hostile::GzipBomb, Ok(answer)) => {
                let body = &answer.exchange.response.expect("response").body;
                assert!(body.len() < 100 * 1024, "kept compressed, never inflated");
            }
            (_, Ok(answer)) => assert!(answer.status() > 0),
            (kind, Err(err)) => panic!("{kind:?}: {err}"),
        }
    }
}
