//! The authorization code and PKCE: each check signs in once in the
//! browser (the same BROWSER or paste mechanism as a grant), then bends the
//! code exchange one way — spent twice, a wrong or missing verifier, another
//! redirect URI — and the server must refuse it.

use super::client::{answer, error_code, issued_tokens, send_raw};
use super::{Check, Found, Weight, fail, inconclusive, not_applicable, pass};
use crate::engine::endpoints::discovery::ServerMetadata;
use crate::engine::error::EngineError;
use crate::engine::grants::BrowserOptions;
use crate::engine::grants::authorization_code::{
    AuthorizationRequest, ResponseKind, authorize_in_browser, new_state,
};
use crate::engine::grants::step::{self, PreparedRequest};
use crate::engine::profile::{ClientAuthMethod, PkceMode, Profile};
use crate::engine::wire::callback::CallbackError;
use crate::engine::wire::http::{ExchangeKind, HttpClient};

pub(super) const STATE_ECHO: Check = Check {
    id: "state-echo",
    expected: "the authorization response returns state unchanged",
    rfc: "RFC 6749 §4.1.2",
    intrusive: false,
    browser: true,
    weight: Weight::Required,
};

pub(super) const ISS: Check = Check {
    id: "iss-response-parameter",
    expected: "a server that advertises authorization_response_iss_parameter_supported sends iss, equal to its issuer, in the authorization response",
    rfc: "RFC 9207 §2, §3",
    intrusive: false,
    browser: true,
    weight: Weight::Required,
};

pub(super) const REPLAY: Check = Check {
    id: "code-replay",
    expected: "a code works once: the second exchange fails, and the tokens issued with it are revoked",
    rfc: "RFC 6749 §4.1.2; RFC 9700 §4.2.4",
    intrusive: true,
    browser: true,
    weight: Weight::Required,
};

pub(super) const VERIFIER_MISMATCH: Check = Check {
    id: "pkce-verifier-mismatch",
    expected: "a code exchange whose code_verifier does not match the challenge fails",
    rfc: "RFC 7636 §4.6",
    intrusive: false,
    browser: true,
    weight: Weight::Required,
};

pub(super) const VERIFIER_MISSING: Check = Check {
    id: "pkce-verifier-missing",
    expected: "a code exchange without code_verifier, after a request with a code_challenge, fails",
    rfc: "RFC 7636 §4.6; RFC 9700 §2.1.1",
    intrusive: false,
    browser: true,
    weight: Weight::Required,
};

pub(super) const DOWNGRADE: Check = Check {
    id: "pkce-downgrade",
    expected: "a server that advertises only S256 does not accept code_challenge_method=plain",
    rfc: "RFC 9700 §2.1.1; RFC 7636 §4.2",
    intrusive: false,
    browser: true,
    weight: Weight::Required,
};

pub(super) const REQUIRED: Check = Check {
    id: "pkce-required",
    expected: "a public client cannot get tokens without PKCE",
    rfc: "RFC 9700 §2.1.1",
    intrusive: false,
    browser: true,
    weight: Weight::Required,
};

pub(super) const REDIRECT_MISMATCH: Check = Check {
    id: "redirect-uri-mismatch-at-token",
    expected: "a code exchange naming another redirect_uri than the authorization request fails",
    rfc: "RFC 6749 §4.1.3",
    intrusive: false,
    browser: true,
    weight: Weight::Required,
};

pub(super) const LIFETIME: Check = Check {
    id: "code-lifetime",
    expected: "a code held longer than the server's limit (at most 10 minutes recommended) is refused",
    rfc: "RFC 6749 §4.1.2; RFC 9700 §4.2.4",
    intrusive: false,
    browser: true,
    weight: Weight::Required,
};

/// A random value (a state's worth of entropy).
pub(super) fn random_text() -> String {
    new_state()
}

/// A finished sign-in: the request sent and the redirect's parameters.
pub(super) struct SignIn {
    request: AuthorizationRequest,
    code: String,
    iss: Option<String>,
}

/// Why a sign-in did not give a code.
pub(super) struct SignInFailed {
    /// The redirect's state was missing or wrong.
    state: bool,
    /// The redirect's iss was missing (though promised) or wrong.
    issuer: bool,
    /// The server refused at the authorization endpoint (an OAuth error).
    refused: bool,
    /// In the user's words.
    message: String,
}

/// Signs in once in the browser.
pub(super) async fn sign_in(
    profile: &Profile,
    http: &HttpClient,
    browser: &BrowserOptions,
) -> Result<SignIn, SignInFailed> {
    match authorize_in_browser(profile, http, browser, ResponseKind::Code).await {
        Ok((request, params, _)) => Ok(SignIn {
            request,
            code: params.code.clone().unwrap_or_default(),
            iss: params.iss,
        }),
        Err(err) => {
            let callback = match &err {
                EngineError::Callback(callback) => Some(callback),
                _ => None,
            };
            // A redirect without state is refused as a possible forgery and
            // the listener waits on for a matching one; after the timeout
            // the refused redirect says what happened.
            if matches!(callback, Some(CallbackError::Timeout(_))) && came_back_without_state(http)
            {
                return Err(SignInFailed {
                    state: true,
                    issuer: false,
                    refused: false,
                    message: "the server's redirect carried a response but no state; it was refused as a possible forgery, and no redirect with the state ever came (RFC 6749 §4.1.2 wants state returned unchanged)".to_string(),
                });
            }
            Err(SignInFailed {
                state: matches!(
                    callback,
                    Some(CallbackError::StateMismatch { .. } | CallbackError::StateMissing { .. })
                ),
                issuer: matches!(
                    callback,
                    Some(
                        CallbackError::IssuerMismatch { .. } | CallbackError::IssuerMissing { .. }
                    )
                ),
                refused: matches!(
                    callback,
                    Some(CallbackError::Authorization { .. } | CallbackError::ErrorPage { .. })
                ),
                message: err.to_string(),
            })
        }
    }
}

/// A redirect the listener refused carried a code or an error but no
/// state.
fn came_back_without_state(http: &HttpClient) -> bool {
    http.exchanges().iter().any(|exchange| {
        if exchange.kind != ExchangeKind::Callback {
            return false;
        }
        let query = exchange
            .request
            .url
            .split_once('?')
            .map(|(_, query)| query)
            .unwrap_or_default();
        let names: Vec<String> = url::form_urlencoded::parse(query.as_bytes())
            .map(|(name, _)| name.into_owned())
            .collect();
        names.iter().any(|n| n == "code" || n == "error") && !names.iter().any(|n| n == "state")
    })
}

/// The code exchange of `signed_in`, built but not sent.
async fn exchange(
    profile: &Profile,
    http: &HttpClient,
    signed_in: &SignIn,
) -> Result<PreparedRequest, EngineError> {
    step::prepare_code_exchange(profile, http, &signed_in.request, &signed_in.code).await
}

/// Judges a bent code exchange the server must refuse.
fn must_refuse(
    what: &str,
    exchange: &crate::engine::wire::http::Exchange,
) -> Result<Found, EngineError> {
    let said = answer(exchange);
    if issued_tokens(exchange) {
        return fail(format!("{what} was accepted: {said}"));
    }
    match error_code(exchange) {
        Some(_) => pass(format!("{what} was refused: {said}")),
        None => inconclusive(format!("{what}: {said}, without an OAuth error body")),
    }
}

pub(super) fn state_echo(signed_in: &Result<SignIn, SignInFailed>) -> Result<Found, EngineError> {
    match signed_in {
        Ok(_) => pass("state came back unchanged (the redirect is accepted only when it matches)"),
        Err(failed) if failed.state => fail(failed.message.clone()),
        Err(failed) => inconclusive(format!("the sign-in failed: {}", failed.message)),
    }
}

pub(super) fn iss(
    signed_in: &Result<SignIn, SignInFailed>,
    metadata: Option<&ServerMetadata>,
    issuer: Option<&url::Url>,
) -> Result<Found, EngineError> {
    let advertised = metadata
        .and_then(|m| m.authorization_response_iss_parameter_supported)
        .unwrap_or(false);
    match signed_in {
        Err(failed) if failed.issuer => fail(failed.message.clone()),
        Err(failed) => inconclusive(format!("the sign-in failed: {}", failed.message)),
        Ok(signed_in) => match (&signed_in.iss, advertised) {
            (Some(iss), _) if issuer.is_some() => {
                pass(format!("iss {iss} came back, the profile's issuer"))
            }
            (Some(iss), _) => pass(format!(
                "iss {iss} came back (the profile names no issuer to compare it with)"
            )),
            (None, true) => fail(
                "the metadata says authorization_response_iss_parameter_supported, yet the response carried no iss",
            ),
            (None, false) => not_applicable(
                "the server does not advertise authorization_response_iss_parameter_supported, and sent no iss",
            ),
        },
    }
}

/// A sign-in for a check that needs a code; `Err` is the check's verdict.
async fn code_for(
    profile: &Profile,
    http: &HttpClient,
    browser: &BrowserOptions,
) -> Result<SignIn, Result<Found, EngineError>> {
    sign_in(profile, http, browser)
        .await
        .map_err(|failed| inconclusive(format!("the sign-in failed: {}", failed.message)))
}

pub(super) async fn replay(
    profile: &Profile,
    http: &HttpClient,
    browser: &BrowserOptions,
) -> Result<Found, EngineError> {
    let signed_in = match code_for(profile, http, browser).await {
        Ok(signed_in) => signed_in,
        Err(verdict) => return verdict,
    };
    let first = exchange(profile, http, &signed_in).await?;
    let tokens = match step::send(http, &first).await {
        Ok(tokens) => tokens,
        Err(err) => return inconclusive(format!("the first code exchange failed: {err}")),
    };
    let again = exchange(profile, http, &signed_in).await?;
    let second = send_raw(http, &again).await?;
    let said = answer(&second);
    if issued_tokens(&second) {
        return fail(format!("the code worked a second time: {said}"));
    }
    // Were the first tokens revoked? Asked of introspection, else userinfo.
    if profile.endpoints.introspection.is_some() {
        let looked = crate::engine::endpoints::introspection::introspect(
            profile,
            http,
            &tokens.access_token,
            Some("access_token"),
        )
        .await;
        return match looked.map(|l| l.active) {
            Ok(Some(false)) => pass(format!(
                "second use refused ({said}); introspection says the first access token is no longer active"
            )),
            Ok(Some(true)) => fail(format!(
                "second use refused ({said}), but the access token issued with the code is still active (RFC 9700 §4.2.4: revoke it)"
            )),
            Ok(None) | Err(_) => pass(format!(
                "second use refused ({said}); introspection could not say whether the first tokens were revoked"
            )),
        };
    }
    if let Some(userinfo) = &profile.endpoints.userinfo
        && let Ok(looked) = http
            .get_json_with_token(
                userinfo,
                ExchangeKind::Userinfo,
                tokens.access_token.expose(),
            )
            .await
    {
        return match looked.status() {
            Some(401) => pass(format!(
                "second use refused ({said}); userinfo refuses the first access token"
            )),
            Some(200) => fail(format!(
                "second use refused ({said}), but userinfo still takes the access token issued with the code (RFC 9700 §4.2.4: revoke it)"
            )),
            _ => pass(format!(
                "second use refused ({said}); userinfo could not say whether the first tokens were revoked"
            )),
        };
    }
    pass(format!(
        "second use refused ({said}); with no introspection or userinfo endpoint, whether the first tokens were revoked was not checked"
    ))
}

pub(super) async fn verifier(
    profile: &Profile,
    http: &HttpClient,
    browser: &BrowserOptions,
    mismatch: bool,
) -> Result<Found, EngineError> {
    if profile.pkce == PkceMode::None {
        return not_applicable("the profile sends no code_challenge (pkce = \"none\")");
    }
    let signed_in = match code_for(profile, http, browser).await {
        Ok(signed_in) => signed_in,
        Err(verdict) => return verdict,
    };
    let mut bent = exchange(profile, http, &signed_in).await?;
    if mismatch {
        for (name, value) in &mut bent.params {
            if name == "code_verifier" {
                *value = random_text();
            }
        }
    } else {
        bent.params.retain(|(name, _)| name != "code_verifier");
    }
    let sent = send_raw(http, &bent).await?;
    must_refuse(
        if mismatch {
            "a code_verifier that does not match the challenge"
        } else {
            "a code exchange without code_verifier"
        },
        &sent,
    )
}

/// Signs in with `pkce` instead of the profile's, then exchanges the code
/// as that request meant.
async fn run_with_pkce(
    profile: &Profile,
    http: &HttpClient,
    browser: &BrowserOptions,
    pkce: PkceMode,
    what: &str,
) -> Result<Found, EngineError> {
    let mut bent = profile.clone();
    bent.pkce = pkce;
    let signed_in = match sign_in(&bent, http, browser).await {
        Ok(signed_in) => signed_in,
        Err(failed) if failed.refused => {
            return pass(format!(
                "{what} was refused at the authorization endpoint: {}",
                failed.message
            ));
        }
        Err(failed) => return inconclusive(format!("the sign-in failed: {}", failed.message)),
    };
    let prepared = exchange(&bent, http, &signed_in).await?;
    let sent = send_raw(http, &prepared).await?;
    must_refuse(what, &sent)
}

pub(super) async fn downgrade(
    profile: &Profile,
    http: &HttpClient,
    browser: &BrowserOptions,
    metadata: Option<&ServerMetadata>,
) -> Result<Found, EngineError> {
    let Some(methods) = metadata.and_then(|m| m.code_challenge_methods_supported.as_ref()) else {
        return not_applicable("the metadata has no code_challenge_methods_supported");
    };
    if methods.iter().any(|m| m == "plain") || !methods.iter().any(|m| m == "S256") {
        return not_applicable(format!(
            "the server advertises {}: plain is not a downgrade here",
            methods.join(", ")
        ));
    }
    run_with_pkce(
        profile,
        http,
        browser,
        PkceMode::Plain,
        "code_challenge_method=plain (the server advertises S256 only)",
    )
    .await
}

pub(super) async fn required(
    profile: &Profile,
    http: &HttpClient,
    browser: &BrowserOptions,
) -> Result<Found, EngineError> {
    if profile.auth_method != ClientAuthMethod::None {
        return not_applicable(format!(
            "applies to public clients; this one authenticates ({})",
            profile.auth_method.as_str()
        ));
    }
    run_with_pkce(
        profile,
        http,
        browser,
        PkceMode::None,
        "a public client's request without PKCE",
    )
    .await
}

pub(super) async fn redirect_mismatch(
    profile: &Profile,
    http: &HttpClient,
    browser: &BrowserOptions,
) -> Result<Found, EngineError> {
    let signed_in = match code_for(profile, http, browser).await {
        Ok(signed_in) => signed_in,
        Err(verdict) => return verdict,
    };
    let mut bent = exchange(profile, http, &signed_in).await?;
    let mut other = signed_in.request.redirect_uri.clone();
    other.set_path(&format!("{}-audit", other.path().trim_end_matches('/')));
    for (name, value) in &mut bent.params {
        if name == "redirect_uri" {
            *value = other.to_string();
        }
    }
    let sent = send_raw(http, &bent).await?;
    must_refuse(
        &format!("a code exchange naming redirect_uri {other}"),
        &sent,
    )
}

/// Signs in, holds the code for `wait`, then exchanges it: the server must
/// refuse a code older than its limit (RFC 6749 §4.1.2: codes "MUST expire
/// shortly after" issue, at most 10 minutes recommended). The exchange is
/// built after the wait, so a client assertion in it is fresh.
pub(super) async fn lifetime(
    profile: &Profile,
    http: &HttpClient,
    browser: &BrowserOptions,
    wait: std::time::Duration,
) -> Result<Found, EngineError> {
    let signed_in = match code_for(profile, http, browser).await {
        Ok(signed_in) => signed_in,
        Err(verdict) => return verdict,
    };
    tokio::time::sleep(wait).await;
    let held = exchange(profile, http, &signed_in).await?;
    let sent = send_raw(http, &held).await?;
    must_refuse(
        &format!("a code held {} s before its exchange", wait.as_secs()),
        &sent,
    )
}
