//! Unit tests of `ciba`.

use super::notification::Received;
use super::*;
use axum::body::Bytes;

fn received(auth: Option<&str>, body: &str) -> Received {
    let (answer, _) = tokio::sync::oneshot::channel();
    Received {
        at: Utc::now(),
        url: "http://127.0.0.1:1/ciba/notify".into(),
        headers: auth
            .map(|a| vec![("authorization".to_string(), a.to_string())])
            .unwrap_or_default(),
        body: Bytes::from(body.to_string()),
        answer,
    }
}

#[test]
fn a_notification_needs_the_token_sent_and_this_auth_req_id() {
    let body = r#"{"auth_req_id":"r1"}"#;
    assert!(check_notification(&received(Some("Bearer tok"), body), "tok", "r1").is_ok());
    let wrong = check_notification(&received(Some("Bearer other"), body), "tok", "r1");
    assert!(matches!(wrong, Err(reason) if reason.contains("§10.2")));
    assert!(check_notification(&received(None, body), "tok", "r1").is_err());
    assert!(
        check_notification(
            &received(Some("Bearer tok"), r#"{"auth_req_id":"r2"}"#),
            "tok",
            "r1"
        )
        .is_err()
    );
}

#[test]
fn positive_integers_only() {
    assert_eq!(positive(&serde_json::json!(5)), Some(5));
    assert_eq!(positive(&serde_json::json!("7")), Some(7));
    assert_eq!(positive(&serde_json::json!(0)), None);
    assert_eq!(positive(&Value::Null), None);
}
