//! The demo provider's signing keys: an RSA 2048 key (RS256) and a P-256 key
//! (ES256), published at `/jwks`. `POST /admin/rotate-keys` makes a new
//! pair current; the previous keys stay published and keep verifying the
//! tokens they signed, as a server rotating its keys gracefully does.

use std::sync::{Arc, OnceLock};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};

/// A signing key and what verifies it.
pub struct SigningKey {
    /// Key id, sent as `kid`.
    pub kid: String,
    /// RS256 or ES256.
    pub alg: Algorithm,
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// The public key as a JWK.
    jwk: Value,
}

impl SigningKey {
    /// Makes a fresh RSA 2048 key for RS256.
    pub fn generate() -> Result<Self, String> {
        let mut rng = rand::thread_rng();
        let private = rsa::RsaPrivateKey::new(&mut rng, 2048).map_err(|e| e.to_string())?;
        let der = private.to_pkcs1_der().map_err(|e| e.to_string())?;
        let n = URL_SAFE_NO_PAD.encode(private.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(private.e().to_bytes_be());
        let decoding = DecodingKey::from_rsa_components(&n, &e).map_err(|e| e.to_string())?;
        let kid = format!("demo-rs256-{}", &n[..8]);
        Ok(Self {
            jwk: json!({
                "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": n, "e": e,
            }),
            kid,
            alg: Algorithm::RS256,
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            decoding,
        })
    }

    /// Makes a fresh P-256 key for ES256.
    pub fn generate_es256() -> Result<Self, String> {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .map_err(|e| e.to_string())?;
        // The public key is the uncompressed point: 0x04, then x, then y.
        let point = pair.public_key_raw();
        if point.len() != 65 || point[0] != 4 {
            return Err("unexpected P-256 public key encoding".to_string());
        }
        let x = URL_SAFE_NO_PAD.encode(&point[1..33]);
        let y = URL_SAFE_NO_PAD.encode(&point[33..]);
        let decoding = DecodingKey::from_ec_components(&x, &y).map_err(|e| e.to_string())?;
        let kid = format!("demo-es256-{}", &x[..8]);
        Ok(Self {
            jwk: json!({
                "kty": "EC", "use": "sig", "alg": "ES256", "kid": kid, "crv": "P-256",
                "x": x, "y": y,
            }),
            kid,
            alg: Algorithm::ES256,
            encoding: EncodingKey::from_ec_der(&pair.serialize_der()),
            decoding,
        })
    }

    /// The RSA key this process made first; generating RSA keys is slow, so
    /// every demo server in one process starts with the same one.
    pub fn shared() -> Result<Arc<Self>, String> {
        static KEY: OnceLock<Result<Arc<SigningKey>, String>> = OnceLock::new();
        KEY.get_or_init(|| Self::generate().map(Arc::new)).clone()
    }

    /// Signs `claims` as a JWT with this key's algorithm.
    pub fn sign(&self, claims: &Value, typ: &str) -> Result<String, String> {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.clone());
        header.typ = Some(typ.to_string());
        jsonwebtoken::encode(&header, claims, &self.encoding).map_err(|e| e.to_string())
    }

    /// Signs `claims` like [`Self::sign`] but with no `kid` in the header
    /// (the `rp-kid-absent-*` faults).
    pub fn sign_without_kid(&self, claims: &Value, typ: &str) -> Result<String, String> {
        let mut header = Header::new(self.alg);
        header.typ = Some(typ.to_string());
        jsonwebtoken::encode(&header, claims, &self.encoding).map_err(|e| e.to_string())
    }

    /// Checks the signature of a token signed with this key and returns the
    /// claims without checking any of them (the caller decides what expired
    /// means).
    pub fn verify(&self, token: &str) -> Option<Value> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.alg != self.alg || header.kid.as_deref() != Some(self.kid.as_str()) {
            return None;
        }
        let mut validation = jsonwebtoken::Validation::new(self.alg);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        jsonwebtoken::decode::<Value>(token, &self.decoding, &validation)
            .ok()
            .map(|data| data.claims)
    }

    /// The public key as a JWK (RFC 7517).
    pub fn jwk(&self) -> Value {
        self.jwk.clone()
    }
}

/// The keys of one demo provider: the current RS256 and ES256 keys, and the
/// keys they replaced.
pub struct KeyRing {
    /// Signs access tokens and most ID tokens.
    pub rs256: Arc<SigningKey>,
    /// Signs the ID tokens of clients registered for ES256.
    pub es256: Arc<SigningKey>,
    /// Keys rotated out, newest first; still published and still verifying.
    pub retired: Vec<Arc<SigningKey>>,
}

/// How many rotated-out keys stay published.
const RETIRED_KEPT: usize = 4;

impl KeyRing {
    /// The shared RSA key and a fresh ES256 key.
    pub fn initial() -> Result<Self, String> {
        Ok(Self {
            rs256: SigningKey::shared()?,
            es256: Arc::new(SigningKey::generate_es256()?),
            retired: Vec::new(),
        })
    }

    /// The current key for `alg` (RS256 unless ES256 is asked for).
    pub fn current(&self, alg: Algorithm) -> Arc<SigningKey> {
        if alg == Algorithm::ES256 {
            self.es256.clone()
        } else {
            self.rs256.clone()
        }
    }

    /// Replaces the current keys with new ones; the old ones are retired.
    pub fn rotate(&mut self, rs256: SigningKey, es256: SigningKey) {
        let old_rs = std::mem::replace(&mut self.rs256, Arc::new(rs256));
        let old_es = std::mem::replace(&mut self.es256, Arc::new(es256));
        self.retired.insert(0, old_es);
        self.retired.insert(0, old_rs);
        self.retired.truncate(RETIRED_KEPT);
    }

    /// Every published key, current first.
    pub fn all(&self) -> impl Iterator<Item = &Arc<SigningKey>> {
        [&self.rs256, &self.es256]
            .into_iter()
            .chain(self.retired.iter())
    }

    /// The claims of a token signed by any published key.
    pub fn verify(&self, token: &str) -> Option<Value> {
        self.all().find_map(|key| key.verify(token))
    }

    /// The JWKS document.
    pub fn jwks(&self) -> Value {
        json!({ "keys": self.all().map(|k| k.jwk()).collect::<Vec<_>>() })
    }
}
