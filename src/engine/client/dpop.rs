//! DPoP: proof of possession of a key for every token request and API call
//! (RFC 9449).
//!
//! A [`DpopKey`] lives as long as the tokens bound to it: one per profile
//! session in the app, one per command on the command line (unless
//! `dpop_key_file` names a key to keep). It signs a proof (§4.2) for each
//! request — `typ: dpop+jwt`, the public `jwk`, `htm`, `htu` without query
//! and fragment, `iat`, a fresh `jti`, the server's latest `nonce` (§8, §9)
//! and, with an access token, `ath` (§4.2). It remembers the latest nonce
//! each server sent, by origin.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{Map, Value, json};
use sha2::Digest as _;
use url::Url;

use crate::engine::client::keys::{Alg, ClientKey, KeyError, b64};
use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::error::EngineError;
use crate::engine::profile::{Profile, ProfileError};
use crate::engine::wire::http::Exchange;

/// The JWT `typ` of a DPoP proof (RFC 9449 §4.2).
pub const PROOF_TYP: &str = "dpop+jwt";

/// A DPoP key and the nonces servers gave for it.
#[derive(Debug)]
pub struct DpopKey {
    key: ClientKey,
    alg: Alg,
    /// Where the key came from, for people ("a fresh ES256 key made for
    /// this session", or the file).
    origin: String,
    nonces: Mutex<HashMap<String, String>>,
}

impl DpopKey {
    /// The profile's DPoP key: its `dpop_key_file`, or a fresh ES256 key.
    /// `None` when the profile does not ask for DPoP-bound tokens.
    pub fn for_profile(profile: &Profile) -> Result<Option<Self>, EngineError> {
        let Some(settings) = &profile.dpop else {
            return Ok(None);
        };
        let field = |err: KeyError| ProfileError::field("dpop_key_file", err.0);
        let (key, origin) = match &settings.key_file {
            Some(path) => (
                ClientKey::load(path).map_err(field)?,
                format!("the key in {}", path.display()),
            ),
            None => (
                ClientKey::generate(settings.alg.unwrap_or(Alg::Es256)).map_err(field)?,
                "a fresh key made for this session".to_string(),
            ),
        };
        let alg = settings.alg.unwrap_or_else(|| key.default_alg());
        if !key.algs().contains(&alg) {
            return Err(ProfileError::field(
                "dpop_signing_alg",
                format!("the DPoP key is {} and cannot sign {alg}", key.describe()),
            )
            .into());
        }
        Ok(Some(Self::new(key, alg, origin)))
    }

    /// A DPoP key from a key already at hand.
    pub fn new(key: ClientKey, alg: Alg, origin: impl Into<String>) -> Self {
        Self {
            key,
            alg,
            origin: origin.into(),
            nonces: Mutex::default(),
        }
    }

    /// The key's JWK thumbprint: what a bound token's `cnf.jkt` must be
    /// (RFC 9449 §6.1) and what `dpop_jkt` sends (§10).
    pub fn thumbprint(&self) -> String {
        self.key.thumbprint()
    }

    /// "ES256 EC P-256 key (a fresh key made for this session)".
    pub fn describe(&self) -> String {
        format!("{} {} key ({})", self.alg, self.key.describe(), self.origin)
    }

    /// A proof for `method` on `url`, with `ath` for `access_token`.
    pub fn proof(
        &self,
        method: &str,
        url: &Url,
        access_token: Option<&str>,
    ) -> Result<String, KeyError> {
        let mut htu = url.clone();
        htu.set_query(None);
        htu.set_fragment(None);
        let mut claims = json!({
            "jti": crate::engine::client::keys::b64(&rand::random::<[u8; 16]>()),
            "htm": method,
            "htu": htu.as_str(),
            "iat": chrono::Utc::now().timestamp(),
        });
        if let Some(nonce) = self.nonce_for(url) {
            claims["nonce"] = Value::String(nonce);
        }
        if let Some(token) = access_token {
            claims["ath"] = Value::String(b64(&sha2::Sha256::digest(token.as_bytes())));
        }
        let mut header = Map::new();
        header.insert("typ".into(), PROOF_TYP.into());
        header.insert("jwk".into(), self.key.bare_public_jwk());
        self.key.sign(self.alg, header, &claims)
    }

    /// Remembers the nonce a server sent in `DPoP-Nonce` (RFC 9449 §8.2),
    /// for every later proof to that server.
    pub fn remember_nonce(&self, url: &Url, nonce: &str) {
        if let Ok(mut nonces) = self.nonces.lock() {
            nonces.insert(origin(url), nonce.to_string());
        }
    }

    /// The latest nonce from the server at `url`.
    pub fn nonce_for(&self, url: &Url) -> Option<String> {
        self.nonces.lock().ok()?.get(&origin(url)).cloned()
    }

    /// Takes the `DPoP-Nonce` a response carried, if any.
    pub fn learn_from(&self, exchange: &Exchange) -> Option<String> {
        let response = exchange.response.as_ref()?;
        let nonce = response.header("dpop-nonce")?.trim().to_string();
        if nonce.is_empty() {
            return None;
        }
        if let Ok(url) = Url::parse(&exchange.request.url) {
            self.remember_nonce(&url, &nonce);
        }
        Some(nonce)
    }
}

fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// Whether the authorization server asked for a nonce: HTTP 400 with
/// `error: use_dpop_nonce` (RFC 9449 §8) and a `DPoP-Nonce` header.
pub fn authorization_server_wants_nonce(exchange: &Exchange) -> bool {
    let Some(response) = &exchange.response else {
        return false;
    };
    response.status == 400
        && response.header("dpop-nonce").is_some()
        && serde_json::from_slice::<Value>(&response.body)
            .ok()
            .and_then(|body| {
                body.get("error")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .is_some_and(|error| error == "use_dpop_nonce")
}

/// Whether the resource server asked for a nonce: HTTP 401 with
/// `WWW-Authenticate: DPoP error="use_dpop_nonce"` (RFC 9449 §9) and a
/// `DPoP-Nonce` header.
pub fn resource_server_wants_nonce(exchange: &Exchange) -> bool {
    let Some(response) = &exchange.response else {
        return false;
    };
    response.status == 401
        && response.header("dpop-nonce").is_some()
        && response
            .headers
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case("www-authenticate"))
            .any(|(_, value)| {
                let value = value.to_ascii_lowercase();
                value.contains("dpop") && value.contains("use_dpop_nonce")
            })
}

/// What the token response says about the binding: `token_type` must be
/// `DPoP` when a proof was sent (RFC 9449 §5, compared case-insensitively),
/// and a JWT access token's `cnf.jkt` must be our key's thumbprint (§6.1).
pub fn check_token_response(
    token_type: Option<&str>,
    access_token_claims: Option<&Value>,
    thumbprint: &str,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    match token_type {
        Some(kind) if kind.eq_ignore_ascii_case("dpop") => {
            if kind != "DPoP" {
                findings.push(Finding::new(
                    Severity::Info,
                    "dpop_token_type_case",
                    format!("token_type is \"{kind}\"; it is compared case-insensitively, so this is DPoP"),
                    Some("RFC 9449 §5; RFC 6749 §7.1"),
                ));
            }
        }
        other => findings.push(Finding::new(
            Severity::Warning,
            "dpop_ignored",
            format!(
                "a DPoP proof was sent, but the server issued a {} token: it ignored the proof, so the token is not bound to our key and anyone holding it can use it",
                other.unwrap_or("(no token_type)")
            ),
            Some("RFC 9449 §5"),
        )),
    }
    if let Some(claims) = access_token_claims {
        match claims.pointer("/cnf/jkt").and_then(Value::as_str) {
            Some(jkt) if jkt == thumbprint => findings.push(Finding::new(
                Severity::Info,
                "dpop_bound",
                format!("the access token is bound to our DPoP key (cnf.jkt {jkt})"),
                Some("RFC 9449 §6.1"),
            )),
            Some(jkt) => findings.push(Finding::new(
                Severity::Error,
                "dpop_jkt_mismatch",
                format!(
                    "the access token's cnf.jkt is {jkt}, but our DPoP key's thumbprint is {thumbprint}: the server bound it to another key"
                ),
                Some("RFC 9449 §6.1"),
            )),
            None => {}
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proof_carries_what_rfc_9449_section_4_2_asks_for() {
        let key = DpopKey::new(
            ClientKey::generate(Alg::Es256).expect("key"),
            Alg::Es256,
            "test",
        );
        let url = Url::parse("https://as.example/token?x=1#f").expect("url");
        key.remember_nonce(&url, "n-1");
        let proof = key.proof("POST", &url, Some("tok")).expect("proof");
        let decoded = crate::engine::jwt::decode("DPoP", &proof).expect("a JWT");
        assert_eq!(decoded.header["typ"], "dpop+jwt");
        assert_eq!(decoded.header["alg"], "ES256");
        assert!(decoded.header["jwk"].get("d").is_none(), "no private part");
        assert_eq!(decoded.claims["htu"], "https://as.example/token");
        assert_eq!(decoded.claims["htm"], "POST");
        assert_eq!(decoded.claims["nonce"], "n-1");
        assert_eq!(
            decoded.claims["ath"],
            b64(&sha2::Sha256::digest(b"tok")),
            "ath is the token's SHA-256, base64url"
        );
        let again = key.proof("POST", &url, None).expect("proof");
        let again = crate::engine::jwt::decode("DPoP", &again).expect("a JWT");
        assert_ne!(again.claims["jti"], decoded.claims["jti"]);
        assert!(again.claims.get("ath").is_none());
    }

    #[test]
    fn a_bearer_answer_to_a_proof_is_reported() {
        let found = check_token_response(Some("Bearer"), None, "abc");
        assert_eq!(found[0].code, "dpop_ignored");
        let ok = check_token_response(Some("dpop"), Some(&json!({"cnf": {"jkt": "abc"}})), "abc");
        assert!(ok.iter().any(|f| f.code == "dpop_bound"));
        let wrong = check_token_response(Some("DPoP"), Some(&json!({"cnf": {"jkt": "x"}})), "abc");
        assert!(wrong.iter().any(|f| f.code == "dpop_jkt_mismatch"));
    }
}
