//! The pushed authorization request endpoint (RFC 9126): a client
//! authenticates as at the token endpoint, pushes its authorization request
//! (parameters, or a request object), and gets a `request_uri` good for one
//! authorization request within 60 seconds.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde_json::json;

use super::authorize::check;
use super::client_auth::{Endpoint, Form, authenticate_at};
use super::modes::STANDARD;
use super::store::{self, Pushed};
use super::tls::ClientCertificate;
use super::{Demo, no_store_json, now, oauth_error, request_object, token};

/// What every `request_uri` this server issues starts with (RFC 9126 §2.2).
pub const URN_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

/// How long a pushed request waits for its authorization request.
pub const TTL_SECS: i64 = 60;

/// The parameters of client authentication, which are not part of the
/// authorization request.
const AUTH_PARAMS: [&str; 3] = ["client_secret", "client_assertion", "client_assertion_type"];

/// `POST /par` (RFC 9126 §2).
pub async fn par(
    State(demo): State<Arc<Demo>>,
    ClientCertificate(peer): ClientCertificate,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = match Form::parse(&headers, &body) {
        Ok(form) => form,
        Err(response) => return response,
    };
    // A DPoP proof binds the code to come to its key (RFC 9449 §10.1).
    let proof = match token::proof_at_authorization_server(&demo, &headers, uri.path()) {
        Ok(proof) => proof,
        Err(refusal) => return refusal,
    };
    let endpoint = Endpoint {
        path: uri.path(),
        peer: peer.as_ref(),
    };
    let client = match authenticate_at(&demo, &endpoint, &headers, &form) {
        Ok(authenticated) => authenticated.client,
        Err(response) => return demo.faults.client_refusal(&headers, response),
    };
    let invalid_request =
        |description: &str| oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description);
    if form.get("request_uri").is_some() {
        return invalid_request(
            "request_uri must not be pushed: the pushed authorization request endpoint issues it (RFC 9126 §2.1)",
        );
    }
    let mut params: Vec<(String, String)> = match form.get("request") {
        Some(jwt) => match request_object::verify(&demo, client, jwt) {
            Ok(params) => params,
            Err(description) => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request_object",
                    &description,
                );
            }
        },
        None => form
            .0
            .iter()
            .filter(|(name, _)| !AUTH_PARAMS.contains(&name.as_str()) && name != "client_id")
            .cloned()
            .chain([("client_id".to_string(), client.id.to_string())])
            .collect(),
    };
    if let Some(proof) = proof {
        match params.iter().find(|(name, _)| name == "dpop_jkt") {
            Some((_, jkt)) if *jkt != proof.jkt => {
                return invalid_request(
                    "dpop_jkt is not the thumbprint of the DPoP proof's key (RFC 9449 §10.1)",
                );
            }
            Some(_) => {}
            None => params.push(("dpop_jkt".to_string(), proof.jkt)),
        }
    }
    if let Err(refused) = check(&STANDARD, &demo, &params) {
        return refused.json();
    }
    let request_uri = format!("{URN_PREFIX}{}", store::random_token(24));
    {
        let mut store = demo.store();
        let now = now();
        store.pushed.retain(|_, pushed| pushed.expires_at > now);
        store.pushed.insert(
            request_uri.clone(),
            Pushed {
                client_id: client.id.to_string(),
                params,
                expires_at: now + TTL_SECS,
            },
        );
    }
    no_store_json(
        StatusCode::CREATED,
        json!({ "request_uri": request_uri, "expires_in": TTL_SECS }),
    )
}

/// Takes the pushed request `request_uri` for an authorization request by
/// `client_id`: once only, before it expires, by the client that pushed
/// it (RFC 9126 §4). The error is what the error page says.
pub fn take(
    demo: &Demo,
    request_uri: &str,
    client_id: Option<&str>,
) -> Result<Vec<(String, String)>, String> {
    take_from(&mut demo.store(), request_uri, client_id, now())
}

fn take_from(
    store: &mut store::Store,
    request_uri: &str,
    client_id: Option<&str>,
    now: i64,
) -> Result<Vec<(String, String)>, String> {
    let Some(client_id) = client_id else {
        return Err(
            "The request has no client_id; send client_id with request_uri (RFC 9126 §4)."
                .to_string(),
        );
    };
    let Some(pushed) = store.pushed.get(request_uri) else {
        return Err(
            "The request_uri is unknown or was already used: a pushed request is good for one authorization request."
                .to_string(),
        );
    };
    if pushed.client_id != client_id {
        return Err(format!(
            "The request_uri was pushed by another client than '{client_id}'."
        ));
    }
    let Some(pushed) = store.pushed.remove(request_uri) else {
        return Err("The request_uri is unknown.".to_string());
    };
    if pushed.expires_at <= now {
        return Err(format!(
            "The request_uri expired: pushed requests live {TTL_SECS} s."
        ));
    }
    Ok(pushed.params)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pushed_at(store: &mut store::Store, uri: &str, expires_at: i64) {
        store.pushed.insert(
            uri.to_string(),
            Pushed {
                client_id: "demo-client".to_string(),
                params: vec![("scope".to_string(), "read".to_string())],
                expires_at,
            },
        );
    }

    #[test]
    fn a_pushed_request_is_taken_once() {
        let mut store = store::Store::default();
        pushed_at(&mut store, "urn:x", 100);
        assert!(take_from(&mut store, "urn:x", Some("demo-client"), 50).is_ok());
        let again = take_from(&mut store, "urn:x", Some("demo-client"), 50);
        assert!(again.expect_err("used").contains("already used"));
    }

    #[test]
    fn an_expired_pushed_request_is_refused() {
        let mut store = store::Store::default();
        pushed_at(&mut store, "urn:x", 100);
        let refused = take_from(&mut store, "urn:x", Some("demo-client"), 100);
        assert!(refused.expect_err("expired").contains("expired"));
    }

    #[test]
    fn only_the_client_that_pushed_takes_it() {
        let mut store = store::Store::default();
        pushed_at(&mut store, "urn:x", 100);
        let refused = take_from(&mut store, "urn:x", Some("demo-public"), 50);
        assert!(
            refused
                .expect_err("other client")
                .contains("another client")
        );
        let refused = take_from(&mut store, "urn:x", None, 50);
        assert!(refused.expect_err("no client_id").contains("no client_id"));
        // Neither attempt used it up.
        assert!(take_from(&mut store, "urn:x", Some("demo-client"), 50).is_ok());
    }
}
