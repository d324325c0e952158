//! Refresh tokens: no scope beyond the grant (RFC 6749 §6), and a rotated
//! refresh token that comes back is a theft signal that ends its family
//! (RFC 9700 §4.14.2).

use super::client::{answer, issued_tokens, send_raw};
use super::{Check, Found, Weight, fail, inconclusive, not_applicable, pass};
use crate::engine::endpoints::discovery::ServerMetadata;
use crate::engine::error::EngineError;
use crate::engine::grants::GrantOptions;
use crate::engine::grants::step::{self, PreparedRequest};
use crate::engine::profile::{GrantType, Profile};
use crate::engine::store::secret::Secret;
use crate::engine::tokens::response::TokenSet;
use crate::engine::wire::http::HttpClient;

pub(super) const SCOPE_ESCALATION: Check = Check {
    id: "refresh-scope-escalation",
    expected: "a refresh asking for a scope the grant did not include is refused (invalid_scope)",
    rfc: "RFC 6749 §6",
    intrusive: false,
    browser: false,
    weight: Weight::Required,
};

pub(super) const ROTATION_REUSE: Check = Check {
    id: "refresh-rotation-reuse",
    expected: "after rotation the old refresh token fails, and its reuse revokes the new one",
    rfc: "RFC 9700 §4.14.2; RFC 6749 §10.4",
    intrusive: true,
    browser: false,
    weight: Weight::Required,
};

/// The refresh request for `token`, built but not sent.
async fn refresh_request(
    profile: &Profile,
    http: &HttpClient,
    token: &Secret,
) -> Result<PreparedRequest, EngineError> {
    step::prepare(
        profile,
        http,
        &GrantOptions {
            grant: Some(GrantType::RefreshToken),
            refresh_token: Some(token.clone()),
            ..GrantOptions::default()
        },
    )
    .await
}

pub(super) async fn scope_escalation(
    profile: &Profile,
    http: &HttpClient,
    tokens: &TokenSet,
    metadata: Option<&ServerMetadata>,
) -> Result<Found, EngineError> {
    let Some(refresh_token) = &tokens.refresh_token else {
        return not_applicable("the profile's grant issued no refresh token");
    };
    let granted: Vec<String> = match &tokens.scope {
        Some(scope) => scope.split_whitespace().map(str::to_string).collect(),
        None => profile.scopes.clone(),
    };
    let supported = metadata
        .and_then(|m| m.scopes_supported.clone())
        .unwrap_or_default();
    let mut candidates: Vec<&String> = supported.iter().filter(|s| !granted.contains(s)).collect();
    // A plain resource scope says it best; openid and offline_access change
    // what is issued rather than what may be done.
    candidates.sort_by_key(|s| matches!(s.as_str(), "openid" | "offline_access"));
    let Some(extra) = candidates.first() else {
        return not_applicable(
            "no scope the server lists (scopes_supported) that the grant did not include",
        );
    };
    let mut asked = granted.clone();
    asked.push((*extra).clone());
    let mut bent = refresh_request(profile, http, refresh_token).await?;
    bent.params.retain(|(name, _)| name != "scope");
    bent.params.push(("scope".to_string(), asked.join(" ")));
    let sent = send_raw(http, &bent).await?;
    let said = answer(&sent);
    if !issued_tokens(&sent) {
        return match super::client::error_code(&sent) {
            Some(_) => pass(format!("asking for {extra} as well was refused: {said}")),
            None => inconclusive(said),
        };
    }
    let body: serde_json::Value = sent
        .response
        .as_ref()
        .and_then(|r| serde_json::from_slice(&r.body).ok())
        .unwrap_or_default();
    match body.get("scope").and_then(|s| s.as_str()) {
        Some(scope) if scope.split_whitespace().any(|s| s == extra.as_str()) => fail(format!(
            "the refresh widened the scope to \"{scope}\" (the grant had \"{}\")",
            granted.join(" ")
        )),
        Some(scope) => pass(format!(
            "tokens issued with the granted scope only (\"{scope}\"), not {extra}"
        )),
        None => fail(format!(
            "tokens issued for \"{}\": a response without scope has the scope asked for (RFC 6749 §5.1), and {extra} was never granted",
            asked.join(" ")
        )),
    }
}

pub(super) async fn rotation_reuse(
    profile: &Profile,
    http: &HttpClient,
    tokens: &TokenSet,
) -> Result<Found, EngineError> {
    let Some(first) = &tokens.refresh_token else {
        return not_applicable("the profile's grant issued no refresh token");
    };
    let prepared = refresh_request(profile, http, first).await?;
    let rotated = match step::send(http, &prepared).await {
        Ok(rotated) => rotated,
        Err(err) => return inconclusive(format!("the first refresh failed: {err}")),
    };
    let Some(second) = rotated
        .refresh_token
        .filter(|second| second.expose() != first.expose())
    else {
        return not_applicable(
            "the server does not rotate refresh tokens (no new one came back), so there is no old one to reuse",
        );
    };
    let reuse = refresh_request(profile, http, first).await?;
    let reused = send_raw(http, &reuse).await?;
    if issued_tokens(&reused) {
        return fail(format!(
            "the rotated-out refresh token still works: {}",
            answer(&reused)
        ));
    }
    let newest = refresh_request(profile, http, &second).await?;
    let after = send_raw(http, &newest).await?;
    if issued_tokens(&after) {
        return fail(format!(
            "the old refresh token was refused ({}), but its reuse did not revoke the new one: it still works",
            answer(&reused)
        ));
    }
    pass(format!(
        "the old refresh token was refused ({}), and the new one is revoked with it ({})",
        answer(&reused),
        answer(&after)
    ))
}
