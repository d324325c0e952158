//! The OpenID Connect and token commands: `discover`, `inspect`,
//! `introspect` and `userinfo`.

use chrono::Utc;
use serde_json::{Value, json};

use super::args::{DiscoverArgs, InspectArgs, IntrospectArgs, UserinfoArgs};
use super::exit::{Exit, Failure};
use super::output::{self, pretty};
use super::support::{client, complete, finish_printer, load, with_dpop};
use crate::engine::endpoints::autodiscovery::Endpoint;
use crate::engine::endpoints::discovery::{self, Discovered};
use crate::engine::endpoints::introspection;
use crate::engine::endpoints::userinfo;
use crate::engine::jwt::jwks::JwksCache;
use crate::engine::jwt::verify::{self, Expectations, Verdict, Verification};
use crate::engine::profile::{HttpSettings, Profile, ProfileFile};
use crate::engine::{Finding, Secret, Severity, Stage, jwt};

fn usage(message: impl Into<String>) -> Failure {
    Failure::new(Exit::Usage, message)
}

fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

fn list(values: &Option<Vec<String>>) -> String {
    match values {
        None => "(not listed)".to_string(),
        Some(values) if values.is_empty() => "(none)".to_string(),
        Some(values) => values.join(" "),
    }
}

/// A list, or when the metadata leaves it out, its default said as one.
fn list_or_default(values: &Option<Vec<String>>, default: &[&str]) -> String {
    match values {
        None => format!(
            "(not listed; the default is {} — RFC 8414 §2)",
            default.join(" ")
        ),
        Some(_) => list(values),
    }
}

/// `discover`.
pub async fn discover(args: DiscoverArgs) -> Result<Exit, Failure> {
    let file = match &args.profile {
        Some(path) => {
            let source = std::fs::read_to_string(path)
                .map_err(|err| usage(format!("{}: cannot read the file: {err}", path.display())))?;
            Some(ProfileFile::parse(&source, path).map_err(|err| usage(err.to_string()))?)
        }
        None => None,
    };
    let settings = match (&args.profile, &file) {
        (Some(path), Some(_)) => load(path)?.http,
        _ => HttpSettings::default(),
    };
    let issuer = args
        .issuer
        .clone()
        .or_else(|| file.as_ref().and_then(|f| f.issuer.clone()))
        .ok_or_else(|| usage("give an issuer, or a --profile with an issuer"))?;
    let (http, printer) = client(&settings, args.output.verbose)?;
    let result = discovery::discover(&http, &issuer).await;
    finish_printer(http, printer).await;
    let found = result.map_err(|err| Failure::at(err, Stage::ApiCall))?;
    let (filled, profile_findings) = match file {
        Some(mut file) => {
            let before = file.clone();
            let filled = discovery::fill_profile(&mut file, &found.metadata);
            if args.write
                && !filled.is_empty()
                && let Some(path) = &args.profile
            {
                crate::engine::store::storage::write_atomically(path, file.to_toml().as_bytes())
                    .map_err(|err| usage(format!("{}: cannot write: {err}", path.display())))?;
            }
            (filled, discovery::check_profile(&before, &found.metadata))
        }
        None => (Vec::new(), Vec::new()),
    };
    output::print(
        args.output.json,
        || {
            json!({
                "issuer": found.issuer,
                "url": found.url,
                "sources": found.sources,
                "document": found.document,
                "metadata": found.metadata,
                "findings": found.findings,
                "profile": args.profile.as_ref().map(|_| json!({
                    "would_fill": filled,
                    "findings": profile_findings,
                })),
            })
        },
        || {
            let mut out = describe_discovery(&found);
            if args.profile.is_some() {
                out.push_str(&if filled.is_empty() {
                    "Profile: no empty endpoint to fill\n".to_string()
                } else if args.write {
                    format!("Profile: filled {} (written)\n", filled.join(", "))
                } else {
                    format!(
                        "Profile: discovery fills {} (--write saves them)\n",
                        filled.join(", ")
                    )
                });
                for finding in &profile_findings {
                    out.push_str(&format!("  {finding}\n"));
                }
            }
            out
        },
    );
    Ok(if has_errors(&found.findings) {
        Exit::Refused
    } else {
        Exit::Success
    })
}

fn describe_discovery(found: &Discovered) -> String {
    let m = &found.metadata;
    let mut out = match found.sources.as_slice() {
        [_, second, ..] => format!(
            "Discovery documents from {} and {second} (merged, the first first)\n",
            found.url
        ),
        _ => format!("Discovery document from {}\n", found.url),
    };
    let mut row = |name: &str, value: String| out.push_str(&format!("  {name:<40} {value}\n"));
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_string());
    row("issuer", or_dash(&m.issuer));
    row("authorization_endpoint", or_dash(&m.authorization_endpoint));
    row("token_endpoint", or_dash(&m.token_endpoint));
    row(
        "device_authorization_endpoint",
        or_dash(&m.device_authorization_endpoint),
    );
    row("userinfo_endpoint", or_dash(&m.userinfo_endpoint));
    row("jwks_uri", or_dash(&m.jwks_uri));
    row("introspection_endpoint", or_dash(&m.introspection_endpoint));
    row("revocation_endpoint", or_dash(&m.revocation_endpoint));
    row(
        "grant_types_supported",
        list_or_default(&m.grant_types_supported, &discovery::DEFAULT_GRANT_TYPES),
    );
    row(
        "token_endpoint_auth_methods_supported",
        list_or_default(
            &m.token_endpoint_auth_methods_supported,
            &discovery::DEFAULT_AUTH_METHODS,
        ),
    );
    row(
        "code_challenge_methods_supported",
        list(&m.code_challenge_methods_supported),
    );
    row("scopes_supported", list(&m.scopes_supported));
    row(
        "id_token_signing_alg_values_supported",
        list(&m.id_token_signing_alg_values_supported),
    );
    if !found.findings.is_empty() {
        out.push_str("Findings:\n");
        for finding in &found.findings {
            out.push_str(&format!("  {finding}\n"));
        }
    }
    out.push_str("Document:\n");
    out.push_str(&pretty(&Value::Object(found.document.clone())));
    out.push('\n');
    out
}

/// The token text: the argument itself, the file it names, or stdin.
fn read_token(arg: &str) -> Result<String, Failure> {
    let text = if arg == "-" {
        std::io::read_to_string(std::io::stdin())
            .map_err(|err| usage(format!("cannot read stdin: {err}")))?
    } else if std::path::Path::new(arg).is_file() {
        std::fs::read_to_string(arg).map_err(|err| usage(format!("{arg}: {err}")))?
    } else {
        arg.to_string()
    };
    Ok(text.trim().to_string())
}

/// `inspect`.
pub async fn inspect(args: InspectArgs) -> Result<Exit, Failure> {
    let token = read_token(&args.token)?;
    jwt::decode("token", &token).map_err(|err| usage(format!("not a JWT: {err}")))?;
    let profile: Option<Profile> = args.profile.as_deref().map(load).transpose()?;
    let settings = profile.as_ref().map(|p| p.http.clone()).unwrap_or_default();
    let mut expect = Expectations {
        id_token: args.id_token,
        nonce: args.nonce.clone(),
        access_token: args.access_token.clone(),
        ..Expectations::default()
    };
    let mut jwks_uri = None;
    let mut secret = args.secret.clone().map(String::into_bytes);
    if let Some(profile) = &profile {
        expect.issuer = profile.endpoints.issuer.as_ref().map(verify::issuer_text);
        expect.clock_skew = profile.clock_skew;
        if args.id_token {
            expect.audience = profile.client_id.clone();
        }
        jwks_uri = profile.endpoints.jwks_uri.clone();
        if secret.is_none()
            && let Some(source) = &profile.client_secret
        {
            secret = source
                .resolve("client_secret")
                .ok()
                .map(|s| s.expose().as_bytes().to_vec());
        }
    }
    if let Some(audience) = &args.audience {
        expect.audience = Some(audience.clone());
    }
    if let Some(secs) = args.clock_skew {
        expect.clock_skew = std::time::Duration::from_secs(secs);
    }
    if let Some(uri) = &args.jwks {
        jwks_uri = Some(crate::engine::profile::parse_http_url(uri).map_err(usage)?);
    }
    let (http, printer) = client(&settings, args.output.verbose)?;
    let mut discovery_findings = Vec::new();
    let outcome = async {
        if args.jwks.is_none()
            && args.issuer.is_none()
            && let Some(profile) = &profile
        {
            // No jwks_uri in the profile: its issuer's discovery says.
            jwks_uri = complete(profile, &http, &[Endpoint::JwksUri])
                .await?
                .endpoints
                .jwks_uri;
        }
        if let Some(issuer) = &args.issuer {
            let found = discovery::discover(&http, issuer)
                .await
                .map_err(|err| Failure::at(err, Stage::ApiCall))?;
            expect.issuer = Some(issuer.trim().to_string());
            discovery_findings = found.findings;
            jwks_uri = match &found.metadata.jwks_uri {
                Some(uri) => Some(crate::engine::profile::parse_http_url(uri).map_err(|e| {
                    Failure::new(Exit::Refused, format!("the discovered jwks_uri: {e}"))
                })?),
                None => None,
            };
        }
        let cache = JwksCache::new();
        verify::verify_with_jwks(
            &http,
            &cache,
            if args.id_token { "id_token" } else { "token" },
            &token,
            jwks_uri.as_ref(),
            secret,
            &expect,
            Utc::now(),
        )
        .await
        .map_err(|err| usage(format!("not a JWT: {err}")))
    }
    .await;
    finish_printer(http, printer).await;
    let mut verification = outcome?;
    verification.findings.extend(discovery_findings);
    output::print(
        args.output.json,
        || json!(verification),
        || describe_verification(&verification),
    );
    Ok(if verification.passed() {
        Exit::Success
    } else {
        Exit::Refused
    })
}

/// The human form of a verification.
pub fn describe_verification(verification: &Verification) -> String {
    let jwt = &verification.jwt;
    let mut out = format!(
        "Header:\n{}\nClaims:\n{}\nChecks:\n",
        pretty(&jwt.header),
        pretty(&jwt.claims)
    );
    for check in &verification.checks {
        out.push_str(&format!("  {check}\n"));
    }
    if !verification.findings.is_empty() {
        out.push_str("Findings:\n");
        for finding in &verification.findings {
            out.push_str(&format!("  {finding}\n"));
        }
    }
    let failed = verification
        .checks
        .iter()
        .filter(|c| c.verdict == Verdict::Fail)
        .count();
    out.push_str(&if failed == 0 {
        "Verdict: no check failed\n".to_string()
    } else {
        format!("Verdict: {failed} check(s) failed\n")
    });
    out
}

/// `introspect`.
pub async fn introspect(args: IntrospectArgs) -> Result<Exit, Failure> {
    let profile = load(&args.profile)?;
    let (http, printer) = client(&profile.http, args.output.verbose)?;
    let result = async {
        let profile = complete(&profile, &http, &[Endpoint::Introspection]).await?;
        introspection::introspect(
            &profile,
            &http,
            &Secret::new(args.token),
            args.hint.as_deref(),
        )
        .await
        .map_err(|err| Failure::at(err, Stage::Introspection))
    }
    .await;
    finish_printer(http, printer).await;
    let found = result?;
    output::print(
        args.output.json,
        || {
            json!({
                "status": found.exchange.status(),
                "active": found.active,
                "response": found.value,
                "findings": found.findings,
            })
        },
        || {
            let mut out = match found.active {
                Some(true) => "active: true\n",
                Some(false) => "active: false\n",
                None => "active: (not a boolean)\n",
            }
            .to_string();
            match &found.value {
                Some(value) => out.push_str(&pretty(value)),
                None => out.push_str(&found.exchange.response_text()),
            }
            out.push('\n');
            for finding in &found.findings {
                out.push_str(&format!("  {finding}\n"));
            }
            out
        },
    );
    Ok(Exit::Success)
}

/// `userinfo`.
pub async fn userinfo(args: UserinfoArgs) -> Result<Exit, Failure> {
    let profile = load(&args.profile)?;
    let id_token_sub = match &args.id_token {
        Some(token) => Some(
            jwt::decode("id_token", token)
                .map_err(|err| usage(format!("--id-token is not a JWT: {err}")))?
                .claims["sub"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        ),
        None => None,
    };
    let (http, printer) = client(&profile.http, args.output.verbose)?;
    let http = with_dpop(http, &profile, true)?;
    let result = async {
        let profile = complete(&profile, &http, &[Endpoint::Userinfo]).await?;
        userinfo::userinfo(
            &profile,
            &http,
            &Secret::new(args.token),
            id_token_sub.as_deref(),
        )
        .await
        .map_err(|err| Failure::at(err, Stage::ApiCall))
    }
    .await;
    finish_printer(http, printer).await;
    let info = result?;
    output::print(
        args.output.json,
        || {
            json!({
                "status": info.exchange.status(),
                "claims": info.claims,
                "findings": info.findings,
            })
        },
        || {
            let mut out = pretty(&Value::Object(info.claims.clone()));
            out.push('\n');
            for finding in &info.findings {
                out.push_str(&format!("  {finding}\n"));
            }
            out
        },
    );
    Ok(if has_errors(&info.findings) {
        Exit::Refused
    } else {
        Exit::Success
    })
}
