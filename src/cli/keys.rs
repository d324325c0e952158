//! `keys generate` and `keys show`: the client's own key pairs, for
//! `private_key_jwt` (RFC 7523), DPoP (RFC 9449) and mutual TLS (RFC 8705).

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;

use super::{Exit, Failure};
use crate::engine::client::keys::{self, Alg, ClientKey};

/// `keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a key pair: the private key goes to FILE (PKCS#8 PEM, readable
    /// only by you); the public JWKS to register with the server is printed.
    Generate {
        /// ES256 (EC P-256), RS256 or PS256 (RSA 2048), or EdDSA (Ed25519).
        #[arg(long, default_value = "ES256", value_parser = ["ES256", "RS256", "PS256", "EdDSA"])]
        alg: String,
        /// Where to write the private key; an existing file is never
        /// overwritten.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Publish the key under this `kid` instead of its thumbprint.
        #[arg(long)]
        kid: Option<String>,
    },
    /// Print a key file's public JWK and its thumbprint, or a certificate's
    /// `x5t#S256`. Never prints a private key.
    Show {
        /// A private key (PEM, JWK or JWKS) or a PEM certificate.
        file: PathBuf,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a `keys` subcommand.
pub fn run(command: KeysCommand) -> Result<Exit, Failure> {
    let usage = |message: String| Failure::new(Exit::Usage, message);
    match command {
        KeysCommand::Generate { alg, out, kid } => {
            let alg = Alg::parse(&alg).ok_or_else(|| usage(format!("unknown alg {alg}")))?;
            let mut key = ClientKey::generate(alg).map_err(|err| usage(err.0))?;
            if let Some(kid) = kid {
                key = key.with_kid(kid);
            }
            key.save(&out).map_err(|err| usage(err.0))?;
            eprintln!(
                "Wrote the private key ({}) to {}. Register this public JWKS with the server:",
                key.describe(),
                out.display()
            );
            let mut jwks = key.public_jwks();
            jwks["keys"][0]["alg"] = alg.as_str().into();
            outln!(
                "{}",
                serde_json::to_string_pretty(&jwks).unwrap_or_default()
            );
            Ok(Exit::Success)
        }
        KeysCommand::Show { file, json } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|err| usage(format!("cannot read {}: {err}", file.display())))?;
            let is_certificate =
                text.contains("-----BEGIN CERTIFICATE-----") && !text.contains("PRIVATE KEY-----");
            if is_certificate {
                let thumbprint = keys::certificate_thumbprint(&text)
                    .map_err(|err| usage(format!("{}: {err}", file.display())))?;
                if json {
                    outln!("{}", json!({ "x5t#S256": thumbprint }));
                } else {
                    outln!("certificate {}", file.display());
                    outln!("x5t#S256: {thumbprint}");
                }
                return Ok(Exit::Success);
            }
            let key = ClientKey::load(&file).map_err(|err| usage(err.0))?;
            let certificate = keys::certificate_thumbprint(&text).ok();
            if json {
                let mut out = json!({
                    "kty": key.describe(),
                    "kid": key.kid(),
                    "thumbprint": key.thumbprint(),
                    "jwk": key.public_jwk(),
                });
                if let Some(x5t) = certificate {
                    out["x5t#S256"] = x5t.into();
                }
                outln!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
            } else {
                outln!("{} key, kid {}", key.describe(), key.kid());
                outln!("thumbprint (RFC 7638, SHA-256): {}", key.thumbprint());
                if let Some(x5t) = certificate {
                    outln!("certificate x5t#S256: {x5t}");
                }
                outln!("public JWK:");
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&key.public_jwk()).unwrap_or_default()
                );
            }
            Ok(Exit::Success)
        }
    }
}
