//! Authorization code grant (RFC 6749 §4.1) with PKCE (RFC 7636).
//!
//! The listener is bound first, so the redirect URI sent carries the real
//! port; then the authorization request is built (state from a CSPRNG, PKCE,
//! a nonce when `openid` is asked for), reported parameter by parameter, and
//! the browser is sent to it. The redirect comes back to the listener, or is
//! pasted by hand for a redirect URI registered elsewhere. Before the
//! browser opens, the request is asked once ([`super::preflight`]) so an
//! error page the browser would be stuck on ends the grant at once. After
//! the state check the code is exchanged, with the PKCE verifier.

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, ResponseType, Scope,
};
use url::Url;

use super::{BrowserOptions, Progress, finish, token_client, token_sender};
use crate::engine::error::EngineError;
use crate::engine::profile::{GrantType, PkceMode, Profile, ProfileError};
use crate::engine::store::secret::Secret;
use crate::engine::tokens::response::TokenSet;
use crate::engine::wire::callback::{self, CallbackListener, CallbackParams, Expect};
use crate::engine::wire::http::HttpClient;

/// What the redirect should carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// `response_type=code`.
    Code,
    /// `response_type=token` (or `id_token token` with `openid`).
    Token,
}

/// An authorization request, ready for the browser.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorizationRequest {
    /// The full URL the browser is sent to.
    pub url: Url,
    /// The redirect URI it names (with the listener's real port).
    pub redirect_uri: Url,
    /// The `state` sent; the redirect must carry it back.
    pub state: String,
    /// The PKCE verifier kept for the code exchange.
    pub pkce_verifier: Option<Secret>,
    /// `S256` or `plain` when PKCE is used.
    pub pkce_method: Option<&'static str>,
    /// The `nonce` sent (OpenID Connect), to compare with the ID token's.
    pub nonce: Option<String>,
}

impl AuthorizationRequest {
    /// The query parameters, in order, for showing one by one.
    pub fn params(&self) -> Vec<(String, String)> {
        self.url.query_pairs().into_owned().collect()
    }
}

/// A fresh `state` value: 16 bytes from a CSPRNG, base64url.
pub fn new_state() -> String {
    CsrfToken::new_random().secret().clone()
}

/// Builds the authorization request for `profile`, redirecting to
/// `redirect_uri`, carrying `state`.
pub fn authorization_request(
    profile: &Profile,
    redirect_uri: &Url,
    kind: ResponseKind,
    state: &str,
) -> Result<AuthorizationRequest, EngineError> {
    let endpoint = profile.endpoints.authorization.clone().ok_or_else(|| {
        ProfileError::field("authorization_endpoint", "is required for this grant")
    })?;
    let client = BasicClient::new(ClientId::new(profile.require_client_id()?.to_string()))
        .set_auth_uri(AuthUrl::from_url(endpoint))
        .set_redirect_uri(RedirectUrl::from_url(redirect_uri.clone()));
    let openid = profile.scopes.iter().any(|s| s == "openid");
    let mut request = client.authorize_url(|| CsrfToken::new(state.to_string()));
    for scope in &profile.scopes {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    let mut pkce_verifier = None;
    let mut pkce_method = None;
    if kind == ResponseKind::Code {
        let pair = match profile.pkce {
            PkceMode::S256 => Some((PkceCodeChallenge::new_random_sha256(), "S256")),
            PkceMode::Plain => Some((PkceCodeChallenge::new_random_plain(), "plain")),
            PkceMode::None => None,
        };
        if let Some(((challenge, verifier), method)) = pair {
            request = request.set_pkce_challenge(challenge);
            pkce_verifier = Some(Secret::new(verifier.secret().clone()));
            pkce_method = Some(method);
        }
        // The hybrid flow asks for more than the code (OIDC Core §3.3.2.1).
        if profile.authz.response_type.is_hybrid() {
            request = request.set_response_type(&ResponseType::new(
                profile.authz.response_type.as_str().to_string(),
            ));
        }
    } else if openid {
        request = request.set_response_type(&ResponseType::new("id_token token".to_string()));
    } else {
        request = request.use_implicit_flow();
    }
    // OpenID Connect requires a nonce for the implicit flow and recommends
    // one for the code flow; send one whenever openid is asked for.
    let nonce = openid.then(|| CsrfToken::new_random().secret().clone());
    if let Some(nonce) = &nonce {
        request = request.add_extra_param("nonce", nonce.clone());
    }
    if let Some(mode) = profile.authz.response_mode.as_str()
        && !profile
            .authorize_params
            .iter()
            .any(|(name, _)| name == "response_mode")
    {
        request = request.add_extra_param("response_mode", mode);
    }
    for (name, value) in &profile.authorize_params {
        request = request.add_extra_param(name.clone(), value.clone());
    }
    let (url, state) = request.url();
    Ok(AuthorizationRequest {
        url,
        redirect_uri: redirect_uri.clone(),
        state: state.secret().clone(),
        pkce_verifier,
        pkce_method,
        nonce,
    })
}

/// Exchanges an authorization code for tokens (RFC 6749 §4.1.3).
pub async fn exchange_code(
    profile: &Profile,
    http: &HttpClient,
    request: &AuthorizationRequest,
    code: &str,
) -> Result<TokenSet, EngineError> {
    let client = token_client(profile)?
        .set_redirect_uri(RedirectUrl::from_url(request.redirect_uri.clone()));
    let http = http.scoped();
    let (send, rewriter) = token_sender(&http, profile)?;
    let mut exchange = client.exchange_code(AuthorizationCode::new(code.to_string()));
    if let Some(verifier) = &request.pkce_verifier {
        exchange = exchange.set_pkce_verifier(PkceCodeVerifier::new(verifier.expose().to_string()));
    }
    // Scopes were asked for at the authorization step; only extra parameters go here.
    for (name, value) in &profile.token_params {
        exchange = exchange.add_extra_param(name.as_str(), value.as_str());
    }
    let result = exchange.request_async(&send).await;
    finish(
        result,
        &http,
        GrantType::AuthorizationCode,
        profile,
        &rewriter,
    )
}

/// What the redirect's `iss` must be: the profile's issuer, and present
/// when the profile says the server sends it (RFC 9207 §2.4).
fn expected_issuer(profile: &Profile) -> callback::Issuer<'_> {
    callback::Issuer {
        expected: profile.endpoints.issuer.as_ref().map(Url::as_str),
        required: profile.authz.iss_parameter_supported == Some(true),
    }
}

/// The redirect URI to use and, when it is on this machine, the listener
/// that receives it.
pub(super) async fn prepare_redirect(
    profile: &Profile,
    options: &BrowserOptions,
    state: &str,
    expect: Expect,
) -> Result<(Url, Option<CallbackListener>), EngineError> {
    let redirect = profile
        .redirect_uri
        .clone()
        .unwrap_or_else(callback::default_redirect_uri);
    if options.paste_only || !callback::is_loopback(&redirect) || redirect.scheme() != "http" {
        return Ok((redirect, None));
    }
    let listener =
        CallbackListener::bind(&redirect, state, expected_issuer(profile), expect).await?;
    Ok((listener.redirect_uri().clone(), Some(listener)))
}

/// The browser half of the code and implicit grants: listener (or paste),
/// authorization request, browser, redirect, checks. Returns the request sent
/// and what came back.
pub async fn authorize_in_browser(
    profile: &Profile,
    http: &HttpClient,
    options: &BrowserOptions,
    kind: ResponseKind,
) -> Result<
    (
        AuthorizationRequest,
        CallbackParams,
        Option<super::hardened::Pushed>,
    ),
    EngineError,
> {
    profile.require_client_id()?;
    profile.endpoints.authorization.as_ref().ok_or_else(|| {
        ProfileError::field("authorization_endpoint", "is required for this grant")
    })?;
    let expect = match kind {
        ResponseKind::Code => Expect::Code,
        ResponseKind::Token => Expect::Tokens,
    };
    let state = new_state();
    let (redirect_uri, listener) = prepare_redirect(profile, options, &state, expect).await?;
    let mut request = authorization_request(profile, &redirect_uri, kind, &state)?;
    // DPoP: the code is bound to our key from the start (RFC 9449 §10).
    if let Some(key) = http.dpop()
        && kind == ResponseKind::Code
        && !profile
            .authorize_params
            .iter()
            .any(|(name, _)| name == "dpop_jkt")
    {
        request
            .url
            .query_pairs_mut()
            .append_pair("dpop_jkt", &key.thumbprint());
    }
    options.report(Progress::AuthorizationUrl(request.clone()));
    // In step mode the user may change any parameter first; the checks on
    // the way back still compare with what this request meant to send.
    let url = options.approved_url(&request.url).await?;
    // Signed and pushed, when the profile says so, from what was approved.
    let hardened = super::hardened::harden(profile, http, &url, options).await?;
    let url = hardened.url;
    // An error page would keep the browser from ever coming back: asked
    // once first, it ends the grant now, with its text. Not with PAR: the
    // request_uri is good for one use only (RFC 9126 §4).
    if !profile.authz.par {
        super::preflight::check(
            http,
            &url,
            &redirect_uri,
            profile.redirect_uri.as_ref(),
            profile.client_id.as_deref().unwrap_or_default(),
        )
        .await?;
    }
    options.send_user_to(url.as_str()).await;
    let params = options
        .wait_for_redirect(
            http,
            listener,
            &redirect_uri,
            &request.state,
            expected_issuer(profile),
            expect,
        )
        .await?;
    if let Some(response) = params.get("response") {
        let checks = super::jarm::verify(profile, http, response).await?;
        let failed: Vec<String> = checks
            .iter()
            .filter(|c| c.verdict == crate::engine::jwt::claims::Verdict::Fail)
            .map(|c| format!("{}: {}", c.name, c.message))
            .collect();
        options.report(Progress::JarmVerified(checks));
        if !failed.is_empty() {
            return Err(crate::engine::wire::callback::CallbackError::JarmRejected(
                failed.join("; "),
            )
            .into());
        }
    }
    Ok((request, params, hardened.pushed))
}

/// Runs the whole grant: listener, browser, redirect, code exchange.
pub async fn run(
    profile: &Profile,
    http: &HttpClient,
    options: &BrowserOptions,
) -> Result<TokenSet, EngineError> {
    // Checked before anything is opened, so a bad profile sends nothing.
    profile.token_endpoint()?;
    let hybrid = profile.authz.response_type.is_hybrid();
    if hybrid {
        super::hybrid::check_profile(profile)?;
    }
    let (request, params, pushed) =
        authorize_in_browser(profile, http, options, ResponseKind::Code).await?;
    // The hybrid flow's front channel is checked before the code is used
    // (OIDC Core §3.3.2.12); a failed check ends the grant here.
    let front = if hybrid {
        Some(super::hybrid::check_before_exchange(profile, http, options, &request, &params).await?)
    } else {
        None
    };
    let code = params.code.unwrap_or_default();
    let mut tokens = if options.approve_request.is_some() {
        let prepared = super::step::prepare_code_exchange(profile, http, &request, &code).await?;
        match options.approved_request(prepared).await? {
            Some(edited) => super::step::send(http, &edited).await?,
            None => exchange_code(profile, http, &request, &code).await?,
        }
    } else {
        exchange_code(profile, http, &request, &code).await?
    };
    tokens.nonce = request.nonce.clone();
    tokens.auth_requirement =
        (!profile.auth_requirement.is_empty()).then(|| profile.auth_requirement.clone());
    if let Some(front) = &front {
        let mut found = front.findings();
        found.extend(super::hybrid::compare_with_token_endpoint(front, &tokens));
        tokens.findings.extend(found);
    }
    if profile.fapi2 {
        let mut found = crate::engine::diagnose::fapi2::check_profile(profile);
        found.extend(crate::engine::diagnose::fapi2::check_run(
            params.iss.is_some(),
            pushed.and_then(|p| p.expires_in),
            &tokens,
        ));
        let summary = crate::engine::diagnose::fapi2::summary(&found);
        tokens.findings.extend(found);
        tokens.findings.push(summary);
    }
    Ok(tokens)
}
