//! Keeping a token fresh across API calls.
//!
//! Providers tell clients to refresh *before* the access token expires
//! (WAPI: "when expiration is imminent, less than 30 seconds"), and some
//! issue tokens that live only seconds (PingFederate in the Windchill
//! document: 7 s). [`refresh_at`] says when to refresh; [`Session`] holds the
//! current tokens, refreshes ahead of expiry, and on a 401 refreshes once and
//! retries. The app's auto-refresh and the command line use the same rule.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use crate::engine::endpoints::api::{self, ApiRequest, ApiResponse};
use crate::engine::error::EngineError;
use crate::engine::grants::{self, GrantOptions};
use crate::engine::profile::{GrantType, Profile};
use crate::engine::tokens::response::TokenSet;
use crate::engine::wire::http::HttpClient;

/// Refresh this long before expiry unless told otherwise.
pub const DEFAULT_THRESHOLD: Duration = Duration::from_secs(30);

/// When to refresh `tokens`: `threshold` before they expire — or, for a
/// token that lives no longer than the threshold (PingFederate's 7 s against
/// the usual 30 s), half-way through its lifetime, so it is still used
/// before it is replaced. `None` without a refresh token or a known expiry.
pub fn refresh_at(tokens: &TokenSet, threshold: Duration) -> Option<DateTime<Utc>> {
    tokens.refresh_token.as_ref()?;
    renew_at(tokens, threshold)
}

/// When tokens should be renewed, by a refresh or by running their grant
/// again: `threshold` before expiry, or half-way for tokens that live no
/// longer than that. `None` without an expiry.
pub fn renew_at(tokens: &TokenSet, threshold: Duration) -> Option<DateTime<Utc>> {
    let expires_at = tokens.expires_at?;
    let lifetime = expires_at - tokens.obtained_at;
    let threshold = TimeDelta::from_std(threshold).ok()?;
    let ahead = if threshold < lifetime {
        threshold
    } else {
        lifetime / 2
    };
    Some(expires_at - ahead.max(TimeDelta::zero()))
}

/// A profile's current tokens, refreshed as needed.
pub struct Session<'a> {
    profile: &'a Profile,
    http: &'a HttpClient,
    threshold: Duration,
    tokens: TokenSet,
    refreshes: usize,
}

impl<'a> Session<'a> {
    /// A session starting from `tokens`.
    pub fn new(profile: &'a Profile, http: &'a HttpClient, tokens: TokenSet) -> Self {
        Self {
            profile,
            http,
            threshold: DEFAULT_THRESHOLD,
            tokens,
            refreshes: 0,
        }
    }

    /// Refresh this long before expiry.
    pub fn with_threshold(mut self, threshold: Duration) -> Self {
        self.threshold = threshold;
        self
    }

    /// The current tokens.
    pub fn tokens(&self) -> &TokenSet {
        &self.tokens
    }

    /// How many times the tokens were refreshed.
    pub fn refreshes(&self) -> usize {
        self.refreshes
    }

    /// Refreshes now, using the current refresh token (a server that
    /// rotates refresh tokens returns a new one, used from then on).
    pub async fn refresh(&mut self) -> Result<&TokenSet, EngineError> {
        let Some(refresh_token) = self.tokens.refresh_token.clone() else {
            return Err(EngineError::Unsupported(
                "there is no refresh token: run the grant again".to_string(),
            ));
        };
        let options = GrantOptions {
            grant: Some(GrantType::RefreshToken),
            refresh_token: Some(refresh_token.clone()),
            // The ID token held now, compared with a refreshed one (OIDC
            // Core §12.2).
            current: grants::CurrentTokens::of(&self.tokens),
            ..GrantOptions::default()
        };
        let mut fresh = grants::run(self.profile, self.http, &options).await?;
        // A server that does not rotate may leave the refresh token out.
        if fresh.refresh_token.is_none() {
            fresh.refresh_token = Some(refresh_token);
        }
        self.tokens = fresh;
        self.refreshes += 1;
        Ok(&self.tokens)
    }

    /// The tokens, refreshed first when they are due.
    pub async fn fresh(&mut self) -> Result<&TokenSet, EngineError> {
        if refresh_at(&self.tokens, self.threshold).is_some_and(|at| Utc::now() >= at) {
            self.refresh().await?;
        }
        Ok(&self.tokens)
    }

    /// Calls the API with fresh tokens; on a 401 with a refresh token in
    /// hand, refreshes once and retries.
    pub async fn call(&mut self, request: &ApiRequest) -> Result<ApiResponse, EngineError> {
        let token = self.fresh().await?.access_token.clone();
        let response = api::call(self.http, request, Some(&token)).await?;
        if response.status() != 401 || self.tokens.refresh_token.is_none() {
            return Ok(response);
        }
        let token = self.refresh().await?.access_token.clone();
        api::call(self.http, request, Some(&token)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::store::secret::Secret;

    fn tokens(lifetime_secs: i64, refresh: bool) -> TokenSet {
        let obtained_at = Utc::now();
        TokenSet {
            access_token: Secret::new("a"),
            token_type: None,
            expires_in: Some(lifetime_secs as u64),
            expires_at: Some(obtained_at + TimeDelta::seconds(lifetime_secs)),
            refresh_token: refresh.then(|| Secret::new("r")),
            scope: None,
            id_token: None,
            other: Default::default(),
            findings: Vec::new(),
            raw: serde_json::Value::Null,
            raw_text: None,
            obtained_at,
            grant: GrantType::Password,
            exchange_id: None,
            jwts: Vec::new(),
            nonce: None,
            auth_requirement: None,
            issued_token_type: None,
            delegation: Vec::new(),
            authorization_details: None,
        }
    }

    #[test]
    fn refresh_comes_a_threshold_before_expiry_or_half_way_for_short_tokens() {
        let hour = tokens(3600, true);
        let at = refresh_at(&hour, DEFAULT_THRESHOLD).expect("due");
        assert_eq!((hour.expires_at.expect("exp") - at).num_seconds(), 30);

        let seven = tokens(7, true);
        let at = refresh_at(&seven, DEFAULT_THRESHOLD).expect("due");
        assert_eq!(
            (seven.expires_at.expect("exp") - at).num_milliseconds(),
            3500
        );

        assert_eq!(refresh_at(&tokens(60, false), DEFAULT_THRESHOLD), None);
    }
}
