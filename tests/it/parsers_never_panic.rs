//! The parsers that read what servers and users send never panic: a seed
//! corpus per parser (kept in this file), each seed mutated 10,000 times
//! with a fixed-seed generator (byte flips, truncations, insertions,
//! repetitions), fed to the token-response parser, the JWT decoder, the
//! callback URL and fragment parser, the WWW-Authenticate parser and the
//! profile loader. A stand-in for coverage-guided fuzzing, which needs a
//! nightly toolchain; it runs in every `cargo test` and is deterministic.

use std::path::Path;

use chrono::Utc;
use oauth_debugger::engine::endpoints::api::parse_www_authenticate;
use oauth_debugger::engine::jwt;
use oauth_debugger::engine::profile::{CompatFile, GrantType, Profile};
use oauth_debugger::engine::tokens::response::parse_token_response;
use oauth_debugger::engine::wire::callback::{Expect, check_callback, parse_pasted};
use oauth_debugger::engine::wire::http::RecordedResponse;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Mutations per seed.
const ROUNDS: usize = 10_000;

const TOKEN_RESPONSES: &[&str] = &[
    r#"{"access_token":"abc","token_type":"bearer","expires_in":3600,"refresh_token":"r","scope":"a b"}"#,
    r#"{"access_token":"abc","expires_in":"899",}"#,
    "{\n \"access_token\": \"x\",\n \"token_type\": \"Bearer\",\n \"id_token\": \"eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.\"\n}",
    r#"{"error":"invalid_grant","error_description":"bad \"code\""}"#,
    r#"[1,2,{"access_token":null}]"#,
    "<html><body>Login</body></html>",
];

const JWTS: &[&str] = &[
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwOi8vYXMiLCJzdWIiOiJhbGljZSIsImV4cCI6MTcwMDAwMDAwMH0.c2ln",
    "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.",
    "a.b.c.d",
];

const CALLBACKS: &[&str] = &[
    "http://127.0.0.1:8765/callback?code=abc&state=xyz&iss=http%3A%2F%2Fas",
    "https://app.example.com/cb#access_token=t&token_type=bearer&expires_in=60&state=xyz",
    "?error=access_denied&error_description=The+user+said+no&state=xyz",
    "#state=xyz&access_token=",
];

const CHALLENGES: &[&str] = &[
    r#"Bearer realm="api", error="invalid_token", error_description="The token expired""#,
    r#"Basic realm="x", Bearer error="insufficient_scope", scope="read write""#,
    r#"Bearer error="a\"b", ,,, realm"#,
];

const PROFILES: &[&str] = &[
    "name = \"P\"\nbase_url = \"https://as.example\"\ntoken_endpoint = \"/token\"\nclient_id = \"c\"\nclient_secret = \"s\"\ngrant_type = \"client_credentials\"\n\n[api]\nurl = \"/me\"\n\n[compat]\nrepair_json = true\n\n[[requests]]\nname = \"x\"\nurl = \"/x\"\n",
    "client_id = \"a\"\n[http]\ntimeout_secs = 0\nmax_response_mb = 5000\n",
];

/// `seed` changed in one to four random ways.
fn mutate(rng: &mut StdRng, seed: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for _ in 0..rng.gen_range(1..=4) {
        match rng.gen_range(0..5) {
            0 if !bytes.is_empty() => {
                let at = rng.gen_range(0..bytes.len());
                bytes[at] = rng.r#gen();
            }
            1 if !bytes.is_empty() => {
                let at = rng.gen_range(0..bytes.len());
                bytes.truncate(at);
            }
            2 => {
                let at = rng.gen_range(0..=bytes.len());
                let pick = [
                    b'"', b'{', b'}', b',', b'\\', b'%', b'#', b'=', b'&', 0xff, b'.',
                ];
                bytes.insert(at, pick[rng.gen_range(0..pick.len())]);
            }
            3 if !bytes.is_empty() => {
                let from = rng.gen_range(0..bytes.len());
                let to = (from + rng.gen_range(1..16)).min(bytes.len());
                let piece = bytes[from..to].to_vec();
                bytes.splice(from..from, piece);
            }
            _ => bytes.reverse(),
        }
    }
    bytes
}

fn each_mutation(seeds: &[&str], mut run: impl FnMut(&[u8])) {
    let mut rng = StdRng::seed_from_u64(0x0a07_4de6);
    for seed in seeds {
        run(seed.as_bytes());
        for _ in 0..ROUNDS {
            run(&mutate(&mut rng, seed.as_bytes()));
        }
    }
}

#[test]
fn token_responses() {
    let compat = [
        CompatFile::default(),
        CompatFile {
            repair_json: true,
            accept_any_2xx: true,
            accept_non_json_content_type: true,
            ..CompatFile::default()
        },
    ];
    each_mutation(TOKEN_RESPONSES, |body| {
        for (status, compat) in [(200, &compat[0]), (201, &compat[1]), (400, &compat[0])] {
            let response = RecordedResponse {
                status,
                headers: vec![("content-type".into(), "application/json".into())],
                body: body.to_vec().into(),
                truncated: false,
            };
            let _ = parse_token_response(
                &response,
                GrantType::ClientCredentials,
                1,
                Utc::now(),
                None,
                compat,
                Vec::new(),
            );
        }
    });
}

#[test]
fn jwts() {
    each_mutation(JWTS, |bytes| {
        let _ = jwt::decode("access_token", &String::from_utf8_lossy(bytes));
    });
}

#[test]
fn callback_urls_and_fragments() {
    each_mutation(CALLBACKS, |bytes| {
        if let Ok(params) = parse_pasted(&String::from_utf8_lossy(bytes)) {
            let _ = check_callback(params.clone(), "xyz", Some("http://as"), Expect::Code);
            let _ = check_callback(params, "xyz", None, Expect::Tokens);
        }
    });
}

#[test]
fn www_authenticate_challenges() {
    each_mutation(CHALLENGES, |bytes| {
        let _ = parse_www_authenticate(&String::from_utf8_lossy(bytes));
    });
}

#[test]
fn profiles() {
    each_mutation(PROFILES, |bytes| {
        let _ = Profile::parse(&String::from_utf8_lossy(bytes), Path::new("fuzz.toml"));
    });
}
