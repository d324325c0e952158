//! Self-conformance (issue 17, part 2): the debugger judges servers, so it
//! must judge correctly. The demo provider serves, one at a time, the bad
//! responses of the OpenID conformance suite's relying-party tests
//! (`rp-*` faults, `src/demo/rp_tests.rs`); each row runs the authorization
//! code grant against it and checks what the debugger says with its own
//! checks (ID token validation, userinfo, discovery). The table is written
//! to docs/CONFORMANCE.md: the test fails when the file differs from what
//! this run found (regenerate with `OAUTH_DEBUGGER_UPDATE_DOCS=1`), so the
//! document cannot drift from the code.

use crate::support;

use oauth_debugger::demo::DemoServer;
use oauth_debugger::demo::rp_tests::RpCase;
use oauth_debugger::demo::user_agent::Person;
use oauth_debugger::engine::endpoints::discovery;
use oauth_debugger::engine::grants::{CurrentTokens, GrantOptions};
use oauth_debugger::engine::jwt::claims::{Expectations, Verdict};
use oauth_debugger::engine::jwt::jwks::JwksCache;
use oauth_debugger::engine::jwt::verify::Verification;
use oauth_debugger::engine::profile::{ClientAuthMethod, GrantType};
use oauth_debugger::engine::{
    Profile, ProfileFile, TokenSet, endpoints::userinfo, grants, jwt::verify,
};
use support::{browser_file, client, played_by, profile};

/// One row: the suite's test, what a relying party must do, what the
/// debugger did.
struct Row {
    test: &'static str,
    must: &'static str,
    observed: String,
    ok: bool,
    /// False for a case the debugger has nothing to run against yet.
    applicable: bool,
}

fn file_for(base: &str, client_id: &str, secret: &str) -> ProfileFile {
    ProfileFile {
        client_id: Some(client_id.into()),
        client_secret: Some(oauth_debugger::engine::Secret::new(secret)),
        jwks_uri: Some(format!("{base}/jwks")),
        userinfo_endpoint: Some(format!("{base}/userinfo")),
        scope: Some("openid profile".into()),
        ..browser_file(
            base,
            GrantType::AuthorizationCode,
            ClientAuthMethod::ClientSecretBasic,
        )
    }
}

/// Runs the code grant against `server` and verifies the ID token as the
/// debugger does: the failed checks, by name.
async fn grant_and_verify(
    server: &DemoServer,
    client_id: &str,
    secret: &str,
) -> (Profile, TokenSet, Vec<String>) {
    let (profile, tokens, verification) =
        grant_and_verify_with(server, client_id, secret, &JwksCache::new()).await;
    (profile, tokens, failed(&verification))
}

/// The names of the checks that failed.
fn failed(verification: &Verification) -> Vec<String> {
    verification
        .checks
        .iter()
        .filter(|c| c.verdict == Verdict::Fail)
        .map(|c| c.name.to_string())
        .collect()
}

/// Runs the code grant against `server` and verifies the ID token with the
/// keys of `cache` (shared between grants to see a key rotation).
async fn grant_and_verify_with(
    server: &DemoServer,
    client_id: &str,
    secret: &str,
    cache: &JwksCache,
) -> (Profile, TokenSet, Verification) {
    let base = server.url();
    let profile = profile(&file_for(&base, client_id, secret));
    let http = client(&profile);
    let (options, _) = played_by(Person::default());
    let tokens = grants::run(&profile, &http, &options)
        .await
        .expect("the grant runs (the checks come after)");
    let id_token = tokens.id_token.clone().expect("an ID token");
    let verification = verify::verify_with_jwks(
        &http,
        cache,
        "id_token",
        id_token.expose(),
        profile.endpoints.jwks_uri.as_ref(),
        Some(secret.as_bytes().to_vec()),
        &Expectations::for_id_token(&profile, &tokens),
        chrono::Utc::now(),
    )
    .await
    .expect("decodes");
    (profile, tokens, verification)
}

/// Runs the code grant, then refreshes with its refresh token, holding its
/// ID token as the current one: the codes of the refresh's findings.
async fn grant_and_refresh(server: &DemoServer) -> Vec<String> {
    let (profile, tokens, _) = grant_and_verify(server, "demo-client", "demo-secret").await;
    let http = client(&profile);
    let options = GrantOptions {
        grant: Some(GrantType::RefreshToken),
        refresh_token: Some(tokens.refresh_token.clone().expect("a refresh token")),
        current: CurrentTokens::of(&tokens),
        ..GrantOptions::default()
    };
    let refreshed = grants::run(&profile, &http, &options)
        .await
        .expect("the refresh runs (the comparison comes after)");
    refreshed.findings.into_iter().map(|f| f.code).collect()
}

/// What a relying party must do for each case, and the checks that must
/// fail (none: the token must be accepted).
fn expected(case: RpCase) -> (&'static str, &'static [&'static str]) {
    match case {
        RpCase::InvalidSigRs256 | RpCase::InvalidSigEs256 | RpCase::InvalidSigHs256 => (
            "reject the ID token: its signature does not verify (Core §3.1.3.7 item 6)",
            &["signature"],
        ),
        RpCase::SigNone => (
            "reject an unsigned ID token (Core §3.1.3.7 item 7; RFC 8725 §3.1)",
            &["alg", "signature"],
        ),
        RpCase::NonceInvalid => (
            "reject: the nonce is not the one sent (Core §3.1.3.7 item 11)",
            &["nonce"],
        ),
        RpCase::MissingIat => (
            "reject: iat is required (Core §2, §3.1.3.7 item 10)",
            &["iat"],
        ),
        RpCase::InvalidAud => (
            "reject: aud does not contain the client id (Core §3.1.3.7 item 3)",
            &["aud"],
        ),
        RpCase::MissingAud => ("reject: aud is required (Core §2)", &["aud"]),
        RpCase::InvalidIss => (
            "reject: iss is not the issuer (Core §3.1.3.7 item 2)",
            &["iss"],
        ),
        RpCase::MissingSub => ("reject: sub is required (Core §2)", &["sub"]),
        RpCase::InvalidAtHash => (
            "reject: at_hash does not match the access token (Core §3.1.3.6)",
            &["at_hash"],
        ),
        RpCase::MissingAtHash => (
            "accept: at_hash is optional in the code flow (Core §3.1.3.6)",
            &[],
        ),
        RpCase::KidAbsentSingleJwks => (
            "verify the signature with the one key in the JWKS and accept (Core §10.1)",
            &[],
        ),
        RpCase::UserinfoInvalidSub
        | RpCase::DiscoveryIssuerMismatch
        | RpCase::KidAbsentMultipleJwks
        | RpCase::SigningKeyRotation
        | RpCase::RefreshTokenInvalidIssuer
        | RpCase::RefreshTokenInvalidSub
        | RpCase::InvalidCHash => ("", &[]),
    }
}

async fn row(case: RpCase, fault: &'static str, test: &'static str) -> Row {
    let server = support::demo_with_faults(&[fault], false).await;
    match case {
        RpCase::UserinfoInvalidSub => {
            let (profile, tokens, _) =
                grant_and_verify(&server, "demo-client", "demo-secret").await;
            let http = client(&profile);
            let sub = tokens
                .jwts
                .iter()
                .find(|j| j.source == "id_token")
                .and_then(|j| j.claims.get("sub").and_then(|s| s.as_str()))
                .map(str::to_string);
            let info = userinfo::userinfo(&profile, &http, &tokens.access_token, sub.as_deref())
                .await
                .expect("userinfo answers");
            let codes: Vec<String> = info.findings.iter().map(|f| f.code.clone()).collect();
            let ok = codes.iter().any(|c| c == "userinfo_sub_mismatch");
            Row {
                test,
                must: "not use the userinfo claims: their sub is not the ID token's (Core §5.3.2)",
                observed: format!("finding {}", codes.join(", ")),
                ok,
                applicable: true,
            }
        }
        RpCase::DiscoveryIssuerMismatch => {
            let base = server.url();
            let profile = profile(&file_for(&base, "demo-client", "demo-secret"));
            let found = discovery::discover(&client(&profile), &base)
                .await
                .expect("the document is read");
            let refused = found
                .findings
                .iter()
                .any(|f| f.code == "discovery_issuer_mismatch");
            Row {
                test,
                must: "not use metadata whose issuer is not the one asked for (Discovery §4.3)",
                observed: if refused {
                    "finding discovery_issuer_mismatch (the metadata is refused)".to_string()
                } else {
                    "accepted".to_string()
                },
                ok: refused,
                applicable: true,
            }
        }
        RpCase::KidAbsentMultipleJwks => {
            let (_, _, verification) =
                grant_and_verify_with(&server, "demo-client", "demo-secret", &JwksCache::new())
                    .await;
            let signature = verification
                .check("signature")
                .map(|c| (c.verdict, &c.message));
            // Verified with a demo key, not the decoy listed first.
            let verified = signature.is_some_and(|(verdict, message)| {
                verdict == Verdict::Pass && message.contains("key demo-rs256-")
            });
            let warned = verification
                .check("kid")
                .is_some_and(|c| c.verdict == Verdict::Warn);
            Row {
                test,
                must: "either refuse the ID token (no kid to choose a key by) or try each key of its type until one verifies (Core §10.1)",
                observed: if verified && warned {
                    "accepted: tried each RS256 key, the second verified; warns that a kid is required with several keys".to_string()
                } else {
                    format!("signature {signature:?}, kid warning {warned}")
                },
                ok: verified && warned && failed(&verification).is_empty(),
                applicable: true,
            }
        }
        RpCase::SigningKeyRotation => {
            // One cache for both, as in a running debugger.
            let cache = JwksCache::new();
            let (_, _, first) =
                grant_and_verify_with(&server, "demo-client", "demo-secret", &cache).await;
            let (_, _, second) =
                grant_and_verify_with(&server, "demo-client", "demo-secret", &cache).await;
            let first_kid = first.jwt.header["kid"].as_str().map(str::to_string);
            let rotated =
                first_kid.is_some() && first_kid.as_deref() != second.jwt.header["kid"].as_str();
            let refetched = second.findings.iter().any(|f| f.code == "jwks_refetched");
            let both = failed(&first).is_empty() && failed(&second).is_empty();
            Row {
                test,
                must: "fetch the JWKS again when an ID token names a kid it does not have, and accept the token (Core §10.1.1)",
                observed: if rotated && refetched && both {
                    "accepted both ID tokens; the second's new kid made it fetch the JWKS again (finding jwks_refetched)".to_string()
                } else {
                    format!(
                        "rotated {rotated}, refetched {refetched}, failed {:?} / {:?}",
                        failed(&first),
                        failed(&second)
                    )
                },
                ok: rotated && refetched && both,
                applicable: true,
            }
        }
        RpCase::InvalidCHash => {
            // c_hash comes in the hybrid flow's front-channel ID token
            // (Core §3.3.2.11): run it, and the code must not be exchanged.
            let base = server.url();
            let profile = profile(&ProfileFile {
                response_type: Some("code id_token".into()),
                ..file_for(&base, "demo-client", "demo-secret")
            });
            let http = client(&profile);
            let (options, _) = played_by(Person::default());
            let result = grants::run(&profile, &http, &options).await;
            let exchanged = http
                .exchanges()
                .iter()
                .any(|e| e.kind == oauth_debugger::engine::ExchangeKind::Token);
            let failed: Vec<String> = match &result {
                Err(oauth_debugger::engine::EngineError::Callback(
                    oauth_debugger::engine::wire::callback::CallbackError::HybridRejected {
                        findings,
                        ..
                    },
                )) => findings
                    .iter()
                    .filter(|f| f.severity == oauth_debugger::engine::Severity::Error)
                    .map(|f| f.code.trim_start_matches("hybrid_").to_string())
                    .collect(),
                _ => Vec::new(),
            };
            let ok = failed == ["c_hash"] && !exchanged;
            Row {
                test,
                must: "reject: c_hash does not match the code (Core §3.3.2.11)",
                observed: if ok {
                    "rejected: c_hash failed on the hybrid response's ID token; the code was not exchanged".to_string()
                } else {
                    format!("failed {failed:?}, code exchanged {exchanged}")
                },
                ok,
                applicable: true,
            }
        }
        RpCase::RefreshTokenInvalidIssuer | RpCase::RefreshTokenInvalidSub => {
            let (claim, code) = if case == RpCase::RefreshTokenInvalidIssuer {
                ("iss", "refresh_id_token_iss_changed")
            } else {
                ("sub", "refresh_id_token_sub_changed")
            };
            let codes = grant_and_refresh(&server).await;
            let refused = codes.iter().any(|c| c == code);
            Row {
                test,
                must: if claim == "iss" {
                    "refuse a refreshed ID token whose iss is not the original one's (Core §12.2)"
                } else {
                    "refuse a refreshed ID token whose sub is not the original one's (Core §12.2)"
                },
                observed: if refused {
                    format!("refused: error finding {code}")
                } else {
                    format!("not refused: findings {}", codes.join(", "))
                },
                ok: refused,
                applicable: true,
            }
        }
        _ => {
            let (client_id, secret) = if case == RpCase::InvalidSigEs256 {
                ("demo-es256", "es256-secret")
            } else {
                ("demo-client", "demo-secret")
            };
            let (_, tokens, failed) = grant_and_verify(&server, client_id, secret).await;
            let (must, expected) = expected(case);
            let ok = if expected.is_empty() {
                failed.is_empty()
            } else {
                expected.iter().all(|name| failed.iter().any(|f| f == name))
            };
            // The kid-absent case proves nothing if the token names one.
            let has_kid = tokens
                .jwts
                .iter()
                .any(|j| j.source == "id_token" && j.header.get("kid").is_some());
            let ok = ok && !(case.without_kid() && has_kid);
            Row {
                test,
                must,
                observed: if failed.is_empty() {
                    "accepted: every check passed".to_string()
                } else {
                    format!("rejected: {} failed", failed.join(", "))
                },
                ok,
                applicable: true,
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_debugger_passes_the_relying_party_tests_it_covers() {
    // The control: a good ID token passes every check.
    let server = support::demo().await;
    let (_, _, failed) = grant_and_verify(&server, "demo-client", "demo-secret").await;
    assert!(failed.is_empty(), "a good ID token: {failed:?}");

    let mut rows = Vec::new();
    for (case, fault, test) in RpCase::ALL {
        rows.push(row(case, fault, test).await);
    }
    let mut table = String::from(
        "# Self-conformance: the OpenID relying-party tests\n\n\
         The debugger judges servers, so its own checks are tested against the bad\n\
         responses of the OpenID Foundation conformance suite's relying-party tests.\n\
         The demo provider serves each (`demo-server --fault rp-…`); the table below\n\
         is written by `tests/it/conformance.rs` on every `cargo test` run, which\n\
         fails when this file differs from what the run found.\n\n\
         | test | a relying party must | the debugger | verdict |\n|---|---|---|---|\n",
    );
    for row in &rows {
        table.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            row.test,
            row.must,
            row.observed,
            match (row.applicable, row.ok) {
                (false, _) => "not applicable",
                (true, true) => "pass",
                (true, false) => "FAIL",
            }
        ));
    }
    table.push_str(
        "\nWithout a `kid`, the debugger tries each key of the JWKS whose type \
         (and `alg`, when the key names one) fits the token's `alg`, reports \
         which one verified, and warns (check `kid`) when there were several: \
         OpenID Connect Core §10.1 requires a `kid` then.\n",
    );
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/CONFORMANCE.md");
    if std::env::var_os("OAUTH_DEBUGGER_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &table).expect("write docs/CONFORMANCE.md");
    }
    let failed: Vec<&str> = rows.iter().filter(|r| !r.ok).map(|r| r.test).collect();
    assert!(failed.is_empty(), "failed: {failed:?}\n{table}");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        committed, table,
        "docs/CONFORMANCE.md is not what this run found; regenerate it with OAUTH_DEBUGGER_UPDATE_DOCS=1 cargo test --test it conformance"
    );
}
