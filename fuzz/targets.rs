//! The fuzz targets, as plain functions over bytes.
//!
//! Each function feeds one input to a parser that reads what servers or
//! users send (the same public calls as `tests/it/parsers_never_panic.rs`) and
//! checks a few cheap facts that must hold whatever the input. A panic, or a
//! failed check, is a bug.
//!
//! Two places include this file with `#[path]`: the cargo-fuzz binaries in
//! `fuzz/fuzz_targets/` (one per target) and `tests/it/fuzz_corpus.rs`, which
//! replays the committed corpus in every `cargo test`. See docs/FUZZING.md.

use std::path::Path;

use chrono::{DateTime, Utc};
use oauth_debugger::engine::endpoints::api::parse_www_authenticate;
use oauth_debugger::engine::jwt::{self, JwtDecodeError};
use oauth_debugger::engine::profile::{
    ClientAuthMethod, CompatFile, GrantType, Profile, ProfileFile,
};
use oauth_debugger::engine::tokens::response::{TokenResponseError, parse_token_response};
use oauth_debugger::engine::wire::callback::{
    Expect, check_callback, parse_pasted, pasted_in_query,
};
use oauth_debugger::engine::wire::http::RecordedResponse;

/// One fuzz target: takes any bytes, panics only on a bug.
pub type Target = fn(&[u8]);

/// Every target by name; the name is also its corpus folder,
/// `fuzz/corpus/<name>/`, and its binary in `fuzz/fuzz_targets/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("token_response", token_response),
    ("jwt", jwt),
    ("callback", callback),
    ("www_authenticate", www_authenticate),
    ("profile", profile),
];

/// Fields the token parser takes out of the response; they never stay
/// among the "other" fields.
const TOKEN_FIELDS: &[&str] = &[
    "access_token",
    "token_type",
    "expires_in",
    "refresh_token",
    "scope",
    "id_token",
];

/// The token-response parser, with the data as the response body, under
/// the strict and the tolerant compat settings and three statuses.
pub fn token_response(data: &[u8]) {
    // A fixed receipt time keeps a run reproducible.
    let obtained_at = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap_or_default();
    let strict = CompatFile::default();
    let tolerant = CompatFile {
        repair_json: true,
        accept_any_2xx: true,
        accept_non_json_content_type: true,
        ..CompatFile::default()
    };
    for (status, compat) in [(200, &strict), (201, &tolerant), (400, &strict)] {
        let response = RecordedResponse {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: data.to_vec().into(),
            truncated: false,
        };
        let result = parse_token_response(
            &response,
            GrantType::ClientCredentials,
            1,
            obtained_at,
            None,
            compat,
            Vec::new(),
        );
        match result {
            Ok(tokens) => {
                // Tokens only ever come from a 2xx answer, and from a 2xx
                // other than 200 only when compat allows it.
                assert!((200..300).contains(&status), "tokens from HTTP {status}");
                assert!(status == 200 || compat.accept_any_2xx);
                assert!(!tokens.access_token.is_empty(), "empty access token");
                assert!(tokens.raw.is_object(), "raw is not a JSON object");
                assert_eq!(tokens.exchange_id, Some(1));
                assert_eq!(tokens.grant, GrantType::ClientCredentials);
                assert_eq!(tokens.obtained_at, obtained_at);
                if tokens.raw_text.is_some() {
                    assert!(compat.repair_json, "repaired JSON without repair_json");
                }
                for field in TOKEN_FIELDS {
                    assert!(
                        !tokens.other.contains_key(*field),
                        "{field} left among the other fields"
                    );
                }
                // The expiry time is the receipt time plus the lifetime.
                if let Some(at) = tokens.expires_at {
                    let secs = tokens.expires_in.unwrap_or_default();
                    assert_eq!(
                        u64::try_from((at - obtained_at).num_seconds()).ok(),
                        Some(secs)
                    );
                }
                assert!(tokens.jwts.len() <= 2);
                for decoded in &tokens.jwts {
                    assert!(decoded.source == "access_token" || decoded.source == "id_token");
                    assert!(decoded.header.is_object() && decoded.claims.is_object());
                }
                // What the UI shows of a token set.
                let _ = tokens.access_token.abbreviated();
                let _ = tokens.seconds_left(obtained_at);
                let _ = tokens.effective_token_type();
            }
            Err(TokenResponseError::OAuth(error, _)) => {
                assert_eq!(error.status, status);
                let _ = error.to_string();
            }
            Err(err @ TokenResponseError::Malformed(_)) => {
                let _ = err.to_string();
            }
        }
    }
}

/// The JWT decoder, with the data (lossy UTF-8) as the token.
pub fn jwt(data: &[u8]) {
    let token = String::from_utf8_lossy(data);
    let parts = token.trim().split('.').count();
    match jwt::decode("access_token", &token) {
        Ok(decoded) => {
            assert_eq!(parts, 3, "decoded a token of {parts} parts");
            assert_eq!(decoded.source, "access_token");
            assert!(decoded.header.is_object(), "header is not an object");
            assert!(decoded.claims.is_object(), "claims are not an object");
            assert!(!decoded.signature.contains('.'), "signature holds a dot");
        }
        Err(JwtDecodeError::Parts(count)) => {
            assert_eq!(count, parts);
            assert_ne!(count, 3);
        }
        Err(err) => {
            assert_eq!(parts, 3, "a {parts}-part token failed on its content");
            let _ = err.to_string();
        }
    }
}

/// The paste parser (a whole redirect URL, or its query or fragment), then
/// the callback checks on what it read, as the authorization code and the
/// implicit grant run them.
pub fn callback(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = pasted_in_query(&text);
    let params = match parse_pasted(&text) {
        Ok(params) => params,
        Err(err) => {
            let _ = err.to_string();
            return;
        }
    };
    assert!(!params.is_empty(), "parse_pasted accepted no parameters");
    assert!(params.iter().all(|(k, _)| !k.is_empty()), "an empty name");
    assert!(
        params.iter().any(|(_, v)| !v.is_empty()),
        "only empty values"
    );

    for (issuer, expect) in [
        (Some("http://as"), Expect::Code),
        (None, Expect::Tokens),
        (None, Expect::LoggedOut),
    ] {
        match check_callback(params.clone(), "xyz", issuer, expect) {
            Ok(checked) => {
                // Accepted only with the state sent, without an error, and
                // with what the grant needs.
                assert_eq!(checked.state.as_deref(), Some("xyz"));
                assert_eq!(checked.all, params);
                assert_eq!(checked.get("state"), Some("xyz"));
                assert!(checked.get("error").is_none(), "accepted an error");
                match expect {
                    Expect::Code => assert!(checked.code.is_some(), "accepted without a code"),
                    Expect::Tokens => assert!(checked.get("access_token").is_some()),
                    Expect::LoggedOut => {}
                }
                if let (Some(iss), Some(issuer)) = (&checked.iss, issuer) {
                    assert_eq!(iss.trim_end_matches('/'), issuer.trim_end_matches('/'));
                }
            }
            Err(err) => {
                let _ = err.to_string();
            }
        }
    }
}

/// The `WWW-Authenticate` parser, with the data (lossy UTF-8) as the
/// header value.
pub fn www_authenticate(data: &[u8]) {
    let value = String::from_utf8_lossy(data);
    let Some(challenge) = parse_www_authenticate(&value) else {
        return;
    };
    // A challenge needs a scheme token, which is none of these.
    assert!(
        !value
            .chars()
            .all(|c| c.is_whitespace() || c == ',' || c == '='),
        "a challenge read out of separators alone"
    );
    assert!(!challenge.scheme.is_empty(), "empty scheme");
    assert!(
        !challenge
            .scheme
            .contains(|c: char| c == '=' || c == ',' || c.is_whitespace()),
        "scheme {:?} holds a separator",
        challenge.scheme
    );
    // Each named parameter is one of the parameters as sent.
    for (name, value) in [
        ("realm", &challenge.realm),
        ("error", &challenge.error),
        ("error_description", &challenge.error_description),
        ("scope", &challenge.scope),
    ] {
        if let Some(value) = value {
            assert!(
                challenge
                    .params
                    .iter()
                    .any(|(k, v)| k.eq_ignore_ascii_case(name) && v == value),
                "{name} is not among the parameters"
            );
        }
    }
    let _ = challenge.to_string();
}

/// The profile loader, with the data (lossy UTF-8) as the TOML file.
pub fn profile(data: &[u8]) {
    let source = String::from_utf8_lossy(data);
    let path = Path::new("fuzz.toml");
    let parsed = Profile::parse(&source, path);

    // The two steps on their own agree with the whole.
    let file = ProfileFile::parse(&source, path);
    let stepwise = file
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|file| Profile::from_file(file, "fuzz"));
    match (&parsed, &stepwise) {
        (Ok(whole), Ok(steps)) => assert_eq!(whole, steps, "parse and from_file disagree"),
        (Err(_), Err(_)) => {}
        _ => panic!("parse and from_file disagree on whether the profile is valid"),
    }

    // A file that reads can be written out and read back unchanged: that
    // is how the app saves profiles.
    if let Ok(file) = &file {
        let written = file.to_toml();
        match ProfileFile::parse(&written, path) {
            Ok(again) => assert_eq!(&again, file, "changed on the way through:\n{written}"),
            Err(err) => panic!("cannot read back what was written: {err}\n{written}"),
        }
    }

    match parsed {
        Ok(profile) => {
            assert!(!profile.name.trim().is_empty(), "empty name");
            assert!(
                profile
                    .scopes
                    .iter()
                    .all(|s| !s.is_empty() && !s.contains(char::is_whitespace)),
                "a scope with spaces"
            );
            if let Some(scope) = profile.scope_string() {
                assert_eq!(scope.split(' ').count(), profile.scopes.len());
            }
            if profile.auth_method != ClientAuthMethod::None {
                assert!(profile.client_secret.is_some(), "an auth method, no secret");
            }
            let endpoints = &profile.endpoints;
            for url in [
                &endpoints.issuer,
                &endpoints.authorization,
                &endpoints.token,
                &endpoints.device_authorization,
                &endpoints.revocation,
                &endpoints.introspection,
                &endpoints.userinfo,
                &endpoints.jwks_uri,
                &profile.redirect_uri,
            ]
            .into_iter()
            .flatten()
            {
                assert!(matches!(url.scheme(), "http" | "https"), "{url}");
            }
            assert!(profile.http.timeout.as_secs() >= 1);
            assert!(profile.http.connect_timeout.as_secs() >= 1);
            assert!(profile.http.max_response_bytes > 0);
        }
        Err(err) => {
            assert!(!err.problems.is_empty(), "an error with no problem");
            assert_eq!(err.path.as_deref(), Some(path));
            for problem in &err.problems {
                assert!(problem.line.is_none_or(|line| line >= 1), "line 0");
                if let Some(key) = &problem.key {
                    assert!(err.message_for(key).is_some());
                }
            }
            let _ = err.to_string();
        }
    }
}
