//! `keys generate` and `keys show`: the client's own key pairs, for
//! `private_key_jwt` (RFC 7523), DPoP (RFC 9449) and mutual TLS (RFC 8705).

use serde_json::json;

use super::args::KeysCommand;
use super::exit::{Exit, Failure};
use super::output;
use crate::engine::client::keys::{self, Alg, ClientKey};

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
            output::print_json(&jwks);
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
            output::print(
                json,
                || {
                    let mut out = json!({
                        "kty": key.describe(),
                        "kid": key.kid(),
                        "thumbprint": key.thumbprint(),
                        "jwk": key.public_jwk(),
                    });
                    if let Some(x5t) = &certificate {
                        out["x5t#S256"] = x5t.as_str().into();
                    }
                    out
                },
                || {
                    let mut out = format!("{} key, kid {}\n", key.describe(), key.kid());
                    out.push_str(&format!(
                        "thumbprint (RFC 7638, SHA-256): {}\n",
                        key.thumbprint()
                    ));
                    if let Some(x5t) = &certificate {
                        out.push_str(&format!("certificate x5t#S256: {x5t}\n"));
                    }
                    out.push_str("public JWK:\n");
                    out.push_str(&output::pretty(&key.public_jwk()));
                    out.push('\n');
                    out
                },
            );
            Ok(Exit::Success)
        }
    }
}
