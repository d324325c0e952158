//! Client authentication (RFC 6749 §2.3): HTTP Basic, body parameters,
//! `client_id` alone, a signed JWT assertion (`private_key_jwt`,
//! `client_secret_jwt`: RFC 7523 §2.2 and §3, RFC 7521 §4.2), or the TLS
//! client certificate (`tls_client_auth`, `self_signed_tls_client_auth`:
//! RFC 8705 §2, which send `client_id` alone on the wire).
//!
//! [`form_post`] builds the form POSTs the engine makes itself (revocation,
//! introspection). The token endpoint's requests go through the oauth2 crate,
//! and [`Assertions`] adds the assertion to them on their way out
//! ([`crate::engine::wire::compat::Rewriter`]), fresh for every request sent.

use serde_json::{Map, Value, json};

use crate::engine::client::keys::{Alg, ClientKey};
use crate::engine::diagnose::findings::Finding;
use crate::engine::error::EngineError;
use crate::engine::profile::AssertionAudience;
use crate::engine::profile::{ClientAuthMethod, Profile, ProfileError};
use crate::engine::store::secret::Secret;
use crate::engine::wire::compat;
use crate::engine::wire::http::{TransportError, TransportErrorKind};

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
            with_client_id(&mut params, profile.require_client_id()?);
            params.push(("client_secret".into(), secret.expose().to_string()));
        }
        ClientAuthMethod::None
        | ClientAuthMethod::TlsClientAuth
        | ClientAuthMethod::SelfSignedTlsClientAuth => {
            if let Some(id) = &profile.client_id {
                with_client_id(&mut params, id);
            }
        }
        ClientAuthMethod::PrivateKeyJwt | ClientAuthMethod::ClientSecretJwt => {
            let assertions = Assertions::new(profile, method)?;
            with_client_id(&mut params, profile.require_client_id()?);
            assertions.add_to(&mut params)?;
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

/// Adds `client_id` unless the parameters already carry it (a pushed
/// authorization request has its own): a repeated parameter is refused
/// (RFC 6749 §3.2).
fn with_client_id(params: &mut Vec<(String, String)>, id: &str) {
    if !params.iter().any(|(name, _)| name == "client_id") {
        params.push(("client_id".into(), id.to_string()));
    }
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

/// `client_assertion_type` for a JWT (RFC 7523 §2.2).
pub const JWT_BEARER_ASSERTION: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long a client assertion is valid. RFC 7523 §3 asks for an `exp`
/// and leaves the lifetime to the client; five minutes leaves room for a
/// step the person reads before sending, and servers commonly accept up to
/// ten.
pub const ASSERTION_LIFETIME_SECS: i64 = 300;

enum Signer {
    Key(ClientKey),
    Secret(crate::engine::store::secret::Secret),
}

/// One client assertion as it was made.
#[derive(Debug, Clone, PartialEq)]
pub struct Assertion {
    /// The compact JWT.
    pub jwt: String,
    /// Its header.
    pub header: Value,
    /// Its claims.
    pub claims: Value,
}

/// Makes client assertions for a profile: a fresh `jti`, `iat` and `exp`
/// each time (RFC 7523 §3).
pub struct Assertions {
    method: ClientAuthMethod,
    client_id: String,
    audience: String,
    alg: Alg,
    typ: String,
    signer: Signer,
}

impl std::fmt::Debug for Assertions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Assertions")
            .field("method", &self.method)
            .field("audience", &self.audience)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

impl Assertions {
    /// The assertion maker for `method`; reads the key file or the secret.
    pub fn new(profile: &Profile, method: ClientAuthMethod) -> Result<Self, EngineError> {
        let client_id = profile.require_client_id()?.to_string();
        let settings = &profile.assertion;
        let (signer, alg) = match method {
            ClientAuthMethod::PrivateKeyJwt => {
                let path = settings.key_file.as_ref().ok_or_else(|| {
                    ProfileError::field(
                        "signing_key_file",
                        "private_key_jwt needs the client's private key",
                    )
                })?;
                let mut key = ClientKey::load(path)
                    .map_err(|err| ProfileError::field("signing_key_file", err.0))?;
                if let Some(kid) = &settings.kid {
                    key = key.with_kid(kid.clone());
                }
                let alg = settings.alg.unwrap_or_else(|| key.default_alg());
                if !key.algs().contains(&alg) {
                    return Err(ProfileError::field(
                        "token_endpoint_auth_signing_alg",
                        format!(
                            "the key in {} is {} and cannot sign {alg}",
                            path.display(),
                            key.describe()
                        ),
                    )
                    .into());
                }
                (Signer::Key(key), alg)
            }
            _ => {
                let secret = client_secret(profile, method)?;
                (Signer::Secret(secret), settings.alg.unwrap_or(Alg::Hs256))
            }
        };
        let audience = audience_value(profile, &settings.audience)?;
        Ok(Self {
            method,
            client_id,
            audience,
            alg,
            typ: settings.typ.clone(),
            signer,
        })
    }

    /// The `aud` every assertion carries.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// A fresh assertion.
    pub fn make(&self) -> Result<Assertion, EngineError> {
        let now = chrono::Utc::now().timestamp();
        let claims = json!({
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.audience,
            "jti": crate::engine::client::keys::b64(&rand::random::<[u8; 16]>()),
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECS,
        });
        let mut header = Map::new();
        header.insert("typ".into(), self.typ.clone().into());
        let signed = match &self.signer {
            Signer::Key(key) => {
                header.insert("kid".into(), key.kid().into());
                key.sign(self.alg, header.clone(), &claims)
            }
            Signer::Secret(secret) => crate::engine::client::keys::sign_hmac(
                self.alg,
                secret.expose().as_bytes(),
                header.clone(),
                &claims,
            ),
        };
        let jwt = signed.map_err(|err| {
            ProfileError::field(
                match self.method {
                    ClientAuthMethod::PrivateKeyJwt => "signing_key_file",
                    _ => "client_secret",
                },
                err.0,
            )
        })?;
        header.insert("alg".into(), self.alg.as_str().into());
        Ok(Assertion {
            jwt,
            header: Value::Object(header),
            claims,
        })
    }

    /// Adds `client_assertion_type` and a fresh `client_assertion` to form
    /// parameters (RFC 7521 §4.2).
    pub fn add_to(&self, params: &mut Vec<(String, String)>) -> Result<(), EngineError> {
        let assertion = self.make()?;
        params.retain(|(name, _)| {
            name != "client_assertion" && name != "client_assertion_type" && name != "client_secret"
        });
        params.push(("client_assertion_type".into(), JWT_BEARER_ASSERTION.into()));
        params.push(("client_assertion".into(), assertion.jwt));
        Ok(())
    }
}

/// The `aud` an assertion names: the issuer (the token endpoint when the
/// profile names no issuer), the token endpoint, or a value as written.
pub fn audience_value(
    profile: &Profile,
    audience: &AssertionAudience,
) -> Result<String, ProfileError> {
    let token_endpoint = profile.token_endpoint()?.to_string();
    Ok(match audience {
        AssertionAudience::Issuer => profile
            .endpoints
            .issuer
            .as_ref()
            .map(|issuer| issuer.as_str().trim_end_matches('/').to_string())
            .unwrap_or(token_endpoint),
        AssertionAudience::TokenEndpoint => token_endpoint,
        AssertionAudience::Url(url) => url.clone(),
    })
}

/// A JWT the client sent to authenticate itself or prove possession of a
/// key, read back out of a recorded request.
#[derive(Debug, Clone, PartialEq)]
pub struct SentJwt {
    /// "Client assertion (private_key_jwt)" or "DPoP proof".
    pub label: String,
    /// Decoded.
    pub decoded: crate::engine::jwt::DecodedJwt,
}

/// The client assertion, the request object and the DPoP proof a recorded
/// request carried,
/// decoded, so a step can show what was signed and with which key.
pub fn sent_jwts(request: &crate::engine::wire::http::RecordedRequest) -> Vec<SentJwt> {
    let mut found = Vec::new();
    let mut params: Vec<(String, String)> = url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect();
    if let Ok(url) = url::Url::parse(&request.url) {
        params.extend(url.query_pairs().into_owned());
    }
    if let Some((_, jwt)) = params.iter().find(|(name, _)| name == "client_assertion")
        && let Ok(decoded) = crate::engine::jwt::decode("client_assertion", jwt)
    {
        let method = match decoded.header.get("alg").and_then(Value::as_str) {
            Some(alg) if alg.starts_with("HS") => "client_secret_jwt",
            _ => "private_key_jwt",
        };
        found.push(SentJwt {
            label: format!("Client assertion ({method})"),
            decoded,
        });
    }
    if let Some((_, jwt)) = params.iter().find(|(name, _)| name == "assertion")
        && let Ok(decoded) = crate::engine::jwt::decode("assertion", jwt)
    {
        found.push(SentJwt {
            label: "Authorization grant assertion (RFC 7523)".to_string(),
            decoded,
        });
    }
    for (name, label) in [
        ("subject_token", "Subject token (RFC 8693)"),
        ("actor_token", "Actor token (RFC 8693)"),
    ] {
        if let Some((_, jwt)) = params.iter().find(|(n, _)| n == name)
            && let Ok(decoded) = crate::engine::jwt::decode(name, jwt)
        {
            found.push(SentJwt {
                label: label.to_string(),
                decoded,
            });
        }
    }
    if let Some((_, jwt)) = params.iter().find(|(name, _)| name == "request")
        && let Ok(decoded) = crate::engine::jwt::decode("request", jwt)
    {
        found.push(SentJwt {
            label: "Request object (JAR)".to_string(),
            decoded,
        });
    }
    for (name, value) in &request.headers {
        if name.eq_ignore_ascii_case("dpop")
            && let Ok(decoded) = crate::engine::jwt::decode("DPoP", value)
        {
            found.push(SentJwt {
                label: "DPoP proof".to_string(),
                decoded,
            });
        }
    }
    found
}
