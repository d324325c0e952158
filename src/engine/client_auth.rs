//! Client authentication on the form POSTs the engine builds itself
//! (revocation, introspection): HTTP Basic, body parameters, or `client_id`
//! alone (RFC 6749 §2.3.1). The token endpoint's requests go through the
//! oauth2 crate instead.

use super::compat;
use super::error::EngineError;
use super::findings::Finding;
use super::http::{TransportError, TransportErrorKind};
use super::profile::{ClientAuthMethod, Profile, ProfileError};
use super::secret::Secret;

/// A form POST of `params` to `endpoint`, the client authenticating with
/// `method`. Findings about how the credentials were sent go to `findings`.
pub fn form_post(
    profile: &Profile,
    method: ClientAuthMethod,
    endpoint: &url::Url,
    mut params: Vec<(String, String)>,
    findings: &mut Vec<Finding>,
) -> Result<http::Request<Vec<u8>>, EngineError> {
    let mut builder = http::Request::builder()
        .method(http::Method::POST)
        .uri(endpoint.as_str())
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json");
    match method {
        ClientAuthMethod::ClientSecretBasic => {
            let secret = client_secret(profile, method)?;
            let id = profile.require_client_id()?;
            let raw = profile.compat.basic_auth_raw;
            let value = compat::encode_basic(id, secret.expose(), raw);
            if raw && value != compat::encode_basic(id, secret.expose(), false) {
                findings.push(compat::basic_raw_finding());
            }
            builder = builder.header("authorization", value);
        }
        ClientAuthMethod::ClientSecretPost => {
            let secret = client_secret(profile, method)?;
            params.push(("client_id".into(), profile.require_client_id()?.into()));
            params.push(("client_secret".into(), secret.expose().to_string()));
        }
        ClientAuthMethod::None => {
            if let Some(id) = &profile.client_id {
                params.push(("client_id".into(), id.clone()));
            }
        }
    }
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&params)
        .finish();
    builder
        .body(body.into_bytes())
        .map_err(|err| EngineError::Transport {
            error: TransportError {
                kind: TransportErrorKind::InvalidRequest,
                message: format!("cannot build the request to {endpoint}: {err}"),
            },
            exchange: None,
        })
}

fn client_secret(profile: &Profile, method: ClientAuthMethod) -> Result<Secret, ProfileError> {
    profile
        .client_secret
        .as_ref()
        .ok_or_else(|| {
            ProfileError::field(
                "client_secret",
                format!("is required by {}", method.as_str()),
            )
        })?
        .resolve("client_secret")
}
