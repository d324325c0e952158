//! The client's own keys: reading, generating and signing with them.
//!
//! One [`ClientKey`] signs the client's JWTs: client assertions for
//! `private_key_jwt` (RFC 7523 §2.2), DPoP proofs (RFC 9449 §4.2), and later
//! request objects. It is read from a PEM file (PKCS#8 `PRIVATE KEY`, PKCS#1
//! `RSA PRIVATE KEY`, SEC1 `EC PRIVATE KEY`) or a JWK / JWKS JSON file, or
//! generated. Its public half is published as a JWK (RFC 7517 §4) and named
//! by its thumbprint (RFC 7638 §3).
//!
//! `client_secret_jwt` signs with the client secret instead
//! ([`sign_hmac`], RFC 7518 §3.2).

use std::fmt;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use sha2::Digest as _;

/// A JWS signing algorithm (RFC 7518 §3.1; EdDSA from RFC 8037 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// RSASSA-PSS with SHA-256.
    Ps256,
    /// ECDSA on P-256 with SHA-256.
    Es256,
    /// Ed25519.
    EdDsa,
    /// HMAC with SHA-256 (client_secret_jwt).
    Hs256,
    /// HMAC with SHA-384.
    Hs384,
    /// HMAC with SHA-512.
    Hs512,
}

impl Alg {
    /// Every algorithm, in the order a picker shows them.
    pub const ALL: [Self; 7] = [
        Self::Es256,
        Self::Rs256,
        Self::Ps256,
        Self::EdDsa,
        Self::Hs256,
        Self::Hs384,
        Self::Hs512,
    ];

    /// The algorithms a key pair signs with (not HMAC).
    pub const ASYMMETRIC: [Self; 4] = [Self::Es256, Self::Rs256, Self::Ps256, Self::EdDsa];

    /// The registered name (`alg`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Ps256 => "PS256",
            Self::Es256 => "ES256",
            Self::EdDsa => "EdDSA",
            Self::Hs256 => "HS256",
            Self::Hs384 => "HS384",
            Self::Hs512 => "HS512",
        }
    }

    /// The algorithm called `name` (exact, as registered).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.as_str() == name)
    }

    /// Whether this is an HMAC algorithm (signed with a shared secret).
    pub fn is_hmac(self) -> bool {
        matches!(self, Self::Hs256 | Self::Hs384 | Self::Hs512)
    }
}

impl fmt::Display for Alg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a key could not be read, generated or used, in the user's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(pub String);

impl KeyError {
    fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

enum Material {
    Rsa(Box<rsa::RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

/// A private key of the client's, with the `kid` it is published under.
pub struct ClientKey {
    material: Material,
    kid: String,
}

impl fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the private part.
        f.debug_struct("ClientKey")
            .field("type", &self.describe())
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl ClientKey {
    /// Reads a key file: PEM or JWK / JWKS JSON. The `kid` is the file's own
    /// (a JWK's `kid`), else the key's thumbprint.
    pub fn load(path: &Path) -> Result<Self, KeyError> {
        let text = std::fs::read_to_string(path).map_err(|err| {
            KeyError::new(format!(
                "cannot read the key file {}: {}",
                path.display(),
                io_reason(&err)
            ))
        })?;
        Self::parse(&text).map_err(|err| KeyError::new(format!("{}: {err}", path.display())))
    }

    /// Writes the private key as PKCS#8 PEM to a new file readable only by
    /// its owner (0600 on Unix). An existing file is never overwritten.
    pub fn save(&self, path: &Path) -> Result<(), KeyError> {
        use std::io::Write as _;
        let pem = self.to_pkcs8_pem()?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let fail = |err: std::io::Error| {
            KeyError::new(format!(
                "cannot write the key to {}: {}",
                path.display(),
                io_reason(&err)
            ))
        };
        let mut file = options.open(path).map_err(fail)?;
        file.write_all(pem.as_bytes()).map_err(fail)?;
        file.sync_all().map_err(fail)
    }

    /// Reads a key from PEM or JWK / JWKS JSON text.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let trimmed = text.trim_start();
        let (material, kid) = if trimmed.starts_with('{') {
            from_json(trimmed)?
        } else if trimmed.starts_with("-----BEGIN") {
            (from_pem(trimmed)?, None)
        } else {
            return Err(KeyError::new(
                "this is neither a PEM key (-----BEGIN PRIVATE KEY-----) nor a JWK or JWKS (JSON)",
            ));
        };
        let mut key = Self {
            material,
            kid: String::new(),
        };
        key.kid = kid.unwrap_or_else(|| key.thumbprint());
        Ok(key)
    }

    /// A new key for `alg` (RSA keys are 2048 bits; slow, so never on a UI
    /// thread). Its `kid` is its thumbprint.
    pub fn generate(alg: Alg) -> Result<Self, KeyError> {
        let mut rng = rand::rngs::OsRng;
        let material = match alg {
            Alg::Es256 => Material::P256(p256::ecdsa::SigningKey::random(&mut rng)),
            Alg::EdDsa => {
                Material::Ed25519(Box::new(ed25519_dalek::SigningKey::generate(&mut rng)))
            }
            Alg::Rs256 | Alg::Ps256 => Material::Rsa(Box::new(
                rsa::RsaPrivateKey::new(&mut rng, 2048)
                    .map_err(|err| KeyError::new(format!("cannot make an RSA key: {err}")))?,
            )),
            hmac => {
                return Err(KeyError::new(format!(
                    "{hmac} signs with the client secret; there is no key to generate"
                )));
            }
        };
        let mut key = Self {
            material,
            kid: String::new(),
        };
        key.kid = key.thumbprint();
        Ok(key)
    }

    /// The same key published under another `kid`.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = kid.into();
        self
    }

    /// The `kid` it signs under.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// "EC P-256", "RSA 2048", "Ed25519".
    pub fn describe(&self) -> String {
        match &self.material {
            Material::Rsa(key) => {
                use rsa::traits::PublicKeyParts as _;
                format!("RSA {}", key.size() * 8)
            }
            Material::P256(_) => "EC P-256".to_string(),
            Material::Ed25519(_) => "Ed25519".to_string(),
        }
    }

    /// The algorithm used when the profile names none.
    pub fn default_alg(&self) -> Alg {
        match self.material {
            Material::Rsa(_) => Alg::Rs256,
            Material::P256(_) => Alg::Es256,
            Material::Ed25519(_) => Alg::EdDsa,
        }
    }

    /// The algorithms this key can sign with.
    pub fn algs(&self) -> &'static [Alg] {
        match self.material {
            Material::Rsa(_) => &[Alg::Rs256, Alg::Ps256],
            Material::P256(_) => &[Alg::Es256],
            Material::Ed25519(_) => &[Alg::EdDsa],
        }
    }

    /// The public key as a JWK: the members RFC 7638 hashes, plus `kid`,
    /// `use` and `alg`.
    pub fn public_jwk(&self) -> Value {
        let mut jwk = self.thumbprint_members();
        jwk.insert("kid".into(), Value::String(self.kid.clone()));
        jwk.insert("use".into(), Value::String("sig".into()));
        jwk.insert(
            "alg".into(),
            Value::String(self.default_alg().as_str().into()),
        );
        Value::Object(jwk)
    }

    /// The public key as a JWK with only the required members (what a DPoP
    /// proof's `jwk` header carries, RFC 9449 §4.2).
    pub fn bare_public_jwk(&self) -> Value {
        Value::Object(self.thumbprint_members())
    }

    /// `{"keys": [public JWK]}`, ready to register with a server.
    pub fn public_jwks(&self) -> Value {
        json!({ "keys": [self.public_jwk()] })
    }

    /// The JWK SHA-256 thumbprint, base64url (RFC 7638 §3).
    pub fn thumbprint(&self) -> String {
        thumbprint_of(&Value::Object(self.thumbprint_members())).unwrap_or_default()
    }

    /// The required members of the public JWK, in lexicographic order.
    fn thumbprint_members(&self) -> Map<String, Value> {
        let mut members = Map::new();
        match &self.material {
            Material::Rsa(key) => {
                use rsa::traits::PublicKeyParts as _;
                members.insert("e".into(), b64(&key.e().to_bytes_be()).into());
                members.insert("kty".into(), "RSA".into());
                members.insert("n".into(), b64(&key.n().to_bytes_be()).into());
            }
            Material::P256(key) => {
                let point = key.verifying_key().to_encoded_point(false);
                members.insert("crv".into(), "P-256".into());
                members.insert("kty".into(), "EC".into());
                members.insert(
                    "x".into(),
                    b64(&point.x().map(|x| x.to_vec()).unwrap_or_default()).into(),
                );
                members.insert(
                    "y".into(),
                    b64(&point.y().map(|y| y.to_vec()).unwrap_or_default()).into(),
                );
            }
            Material::Ed25519(key) => {
                members.insert("crv".into(), "Ed25519".into());
                members.insert("kty".into(), "OKP".into());
                members.insert("x".into(), b64(key.verifying_key().as_bytes()).into());
            }
        }
        members
    }

    /// The private key as PKCS#8 PEM, for writing to a key file.
    pub fn to_pkcs8_pem(&self) -> Result<String, KeyError> {
        use p256::pkcs8::EncodePrivateKey as _;
        let pem = match &self.material {
            Material::Rsa(key) => {
                use rsa::pkcs8::EncodePrivateKey as _;
                key.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF)
                    .map(|pem| pem.to_string())
            }
            Material::P256(key) => key
                .to_pkcs8_pem(p256::pkcs8::LineEnding::LF)
                .map(|pem| pem.to_string()),
            Material::Ed25519(key) => key
                .to_pkcs8_pem(p256::pkcs8::LineEnding::LF)
                .map(|pem| pem.to_string()),
        };
        pem.map_err(|err| KeyError::new(format!("cannot write the key as PEM: {err}")))
    }

    /// Signs a JWS over `header` (given `alg` and `kid` here unless it has
    /// them) and `claims`, in compact serialization.
    pub fn sign(
        &self,
        alg: Alg,
        header: Map<String, Value>,
        claims: &Value,
    ) -> Result<String, KeyError> {
        if !self.algs().contains(&alg) {
            return Err(KeyError::new(format!(
                "a {} key cannot sign {alg}; it signs {}",
                self.describe(),
                self.algs()
                    .iter()
                    .map(|a| a.as_str())
                    .collect::<Vec<_>>()
                    .join(" or ")
            )));
        }
        let input = signing_input(alg, header, claims);
        let signature = match (&self.material, alg) {
            (Material::Rsa(key), Alg::Ps256) => {
                use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _};
                let signer = rsa::pss::BlindedSigningKey::<sha2::Sha256>::new((**key).clone());
                signer
                    .sign_with_rng(&mut rand::rngs::OsRng, input.as_bytes())
                    .to_vec()
            }
            (Material::Rsa(key), _) => {
                use rsa::signature::{SignatureEncoding as _, Signer as _};
                let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new((**key).clone());
                signer.sign(input.as_bytes()).to_vec()
            }
            (Material::P256(key), _) => {
                use p256::ecdsa::signature::Signer as _;
                let signature: p256::ecdsa::Signature = key.sign(input.as_bytes());
                signature.to_bytes().to_vec()
            }
            (Material::Ed25519(key), _) => {
                use ed25519_dalek::Signer as _;
                key.sign(input.as_bytes()).to_bytes().to_vec()
            }
        };
        Ok(format!("{input}.{}", b64(&signature)))
    }
}

/// Signs a JWS with a shared secret (client_secret_jwt, RFC 7523 §2.2 with
/// the HMAC algorithms of RFC 7518 §3.2).
pub fn sign_hmac(
    alg: Alg,
    secret: &[u8],
    header: Map<String, Value>,
    claims: &Value,
) -> Result<String, KeyError> {
    use hmac::Mac as _;
    let input = signing_input(alg, header, claims);
    let tag = match alg {
        Alg::Hs256 => hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).map(|mut mac| {
            mac.update(input.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }),
        Alg::Hs384 => hmac::Hmac::<sha2::Sha384>::new_from_slice(secret).map(|mut mac| {
            mac.update(input.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }),
        Alg::Hs512 => hmac::Hmac::<sha2::Sha512>::new_from_slice(secret).map(|mut mac| {
            mac.update(input.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }),
        other => {
            return Err(KeyError::new(format!(
                "{other} needs a private key, not the client secret"
            )));
        }
    }
    .map_err(|err| {
        KeyError::new(format!(
            "cannot use the client secret as an HMAC key: {err}"
        ))
    })?;
    Ok(format!("{input}.{}", b64(&tag)))
}

fn signing_input(alg: Alg, mut header: Map<String, Value>, claims: &Value) -> String {
    header.insert("alg".into(), Value::String(alg.as_str().into()));
    let header = Value::Object(header).to_string();
    format!(
        "{}.{}",
        b64(header.as_bytes()),
        b64(claims.to_string().as_bytes())
    )
}

fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "there is no such file".to_string(),
        std::io::ErrorKind::AlreadyExists => "a file of that name is already there".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => err.to_string(),
    }
}

/// base64url without padding.
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The RFC 7638 thumbprint of a public JWK (given as JSON); `None` when it
/// lacks a required member or has an unknown `kty`.
pub fn thumbprint_of(jwk: &Value) -> Option<String> {
    let member = |name: &str| jwk.get(name).and_then(Value::as_str);
    let required: &[&str] = match member("kty")? {
        "RSA" => &["e", "kty", "n"],
        "EC" => &["crv", "kty", "x", "y"],
        "OKP" => &["crv", "kty", "x"],
        "oct" => &["k", "kty"],
        _ => return None,
    };
    let mut canonical = Map::new();
    for name in required {
        canonical.insert(
            (*name).to_string(),
            Value::String(member(name)?.to_string()),
        );
    }
    // serde_json keeps insertion order (preserve_order), which is already
    // lexicographic here, and writes no whitespace: RFC 7638 §3.3.
    let text = Value::Object(canonical).to_string();
    Some(b64(&sha2::Sha256::digest(text.as_bytes())))
}

/// The certificate's SHA-256 thumbprint, base64url (`x5t#S256`, RFC 8705
/// §3.1), of the first certificate in PEM `text`.
pub fn certificate_thumbprint(text: &str) -> Result<String, KeyError> {
    let blocks =
        pem::parse_many(text).map_err(|err| KeyError::new(format!("this is not PEM: {err}")))?;
    let cert = blocks
        .iter()
        .find(|block| block.tag() == "CERTIFICATE")
        .ok_or_else(|| KeyError::new("there is no CERTIFICATE in this PEM"))?;
    Ok(b64(&sha2::Sha256::digest(cert.contents())))
}

/// Compares a token's `cnf.x5t#S256` (RFC 8705 §3.1) with the thumbprint
/// of the client certificate in `cert_file`: bound to it, bound to another,
/// or not bound.
pub fn check_certificate_binding(
    cert_file: &Path,
    claims: &Value,
) -> Vec<crate::engine::diagnose::findings::Finding> {
    use crate::engine::diagnose::findings::{Finding, Severity};
    let ours = std::fs::read_to_string(cert_file)
        .ok()
        .and_then(|text| certificate_thumbprint(&text).ok());
    let Some(ours) = ours else {
        return Vec::new();
    };
    let finding = match claims.pointer("/cnf/x5t#S256").and_then(Value::as_str) {
        Some(theirs) if theirs == ours => Finding::new(
            Severity::Info,
            "mtls_bound",
            format!("the access token is bound to our client certificate (cnf.x5t#S256 {theirs})"),
            Some("RFC 8705 §3.1"),
        ),
        Some(theirs) => Finding::new(
            Severity::Error,
            "mtls_thumbprint_mismatch",
            format!(
                "the access token's cnf.x5t#S256 is {theirs}, but our client certificate's thumbprint is {ours}: it is bound to another certificate"
            ),
            Some("RFC 8705 §3.1"),
        ),
        None => Finding::new(
            Severity::Info,
            "mtls_not_bound",
            "a client certificate was presented, but the access token carries no cnf.x5t#S256: it is not bound to the certificate",
            Some("RFC 8705 §3"),
        ),
    };
    vec![finding]
}

fn from_pem(text: &str) -> Result<Material, KeyError> {
    use p256::pkcs8::DecodePrivateKey as _;
    let blocks = pem::parse_many(text)
        .map_err(|err| KeyError::new(format!("this PEM cannot be read: {err}")))?;
    for block in &blocks {
        let der = block.contents();
        match block.tag() {
            "PRIVATE KEY" => {
                if let Ok(key) = p256::ecdsa::SigningKey::from_pkcs8_der(der) {
                    return Ok(Material::P256(key));
                }
                if let Ok(key) = ed25519_dalek::SigningKey::from_pkcs8_der(der) {
                    return Ok(Material::Ed25519(Box::new(key)));
                }
                return rsa::RsaPrivateKey::from_pkcs8_der(der)
                    .map(|key| Material::Rsa(Box::new(key)))
                    .map_err(|_| {
                        KeyError::new(
                            "this PKCS#8 key is none of RSA, EC P-256 or Ed25519 (other curves are not supported)",
                        )
                    });
            }
            "RSA PRIVATE KEY" => {
                use rsa::pkcs1::DecodeRsaPrivateKey as _;
                return rsa::RsaPrivateKey::from_pkcs1_der(der)
                    .map(|key| Material::Rsa(Box::new(key)))
                    .map_err(|err| {
                        KeyError::new(format!("this PKCS#1 RSA key cannot be read: {err}"))
                    });
            }
            "EC PRIVATE KEY" => {
                return p256::SecretKey::from_sec1_der(der)
                    .map(|key| Material::P256(key.into()))
                    .map_err(|_| {
                        KeyError::new(
                            "this SEC1 EC key is not on P-256 (the only curve supported for ES256)",
                        )
                    });
            }
            "ENCRYPTED PRIVATE KEY" => {
                return Err(KeyError::new(
                    "this key is encrypted with a passphrase; decrypt it first (openssl pkcs8 -in key.pem -out plain.pem)",
                ));
            }
            _ => {}
        }
    }
    Err(KeyError::new(
        "there is no private key in this PEM (only public keys or certificates)",
    ))
}

fn from_json(text: &str) -> Result<(Material, Option<String>), KeyError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|err| KeyError::new(format!("this JSON cannot be read: {err}")))?;
    let jwk = match value.get("keys").and_then(Value::as_array) {
        Some(keys) => keys
            .iter()
            .find(|key| key.get("d").is_some())
            .ok_or_else(|| {
                KeyError::new("this JWKS holds only public keys; the client needs its private key")
            })?,
        None => &value,
    };
    let member = |name: &str| -> Result<Vec<u8>, KeyError> {
        let text = jwk
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| KeyError::new(format!("the JWK has no \"{name}\"")))?;
        URL_SAFE_NO_PAD
            .decode(text.trim_end_matches('='))
            .map_err(|_| KeyError::new(format!("the JWK's \"{name}\" is not base64url")))
    };
    if jwk.get("d").is_none() {
        return Err(KeyError::new(
            "this JWK is a public key (no \"d\"); the client needs its private key",
        ));
    }
    let kid = jwk.get("kid").and_then(Value::as_str).map(str::to_string);
    let kty = jwk.get("kty").and_then(Value::as_str).unwrap_or("");
    let crv = jwk.get("crv").and_then(Value::as_str).unwrap_or("");
    let material = match (kty, crv) {
        ("EC", "P-256") => Material::P256(
            p256::ecdsa::SigningKey::from_slice(&member("d")?)
                .map_err(|_| KeyError::new("the JWK's \"d\" is not a P-256 private key"))?,
        ),
        ("OKP", "Ed25519") => {
            let d: [u8; 32] = member("d")?
                .try_into()
                .map_err(|_| KeyError::new("the JWK's \"d\" is not 32 bytes"))?;
            Material::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(&d)))
        }
        ("RSA", _) => {
            let int = |name: &str| member(name).map(|b| rsa::BigUint::from_bytes_be(&b));
            let key = rsa::RsaPrivateKey::from_components(
                int("n")?,
                int("e")?,
                int("d")?,
                vec![int("p")?, int("q")?],
            )
            .map_err(|err| KeyError::new(format!("the RSA JWK is not a valid key: {err}")))?;
            Material::Rsa(Box::new(key))
        }
        (kty, crv) => {
            return Err(KeyError::new(format!(
                "a JWK with kty \"{kty}\"{} is not supported: use RSA, EC P-256 or OKP Ed25519",
                if crv.is_empty() {
                    String::new()
                } else {
                    format!(" and crv \"{crv}\"")
                }
            )));
        }
    };
    Ok((material, kid))
}

#[cfg(test)]
mod tests;
