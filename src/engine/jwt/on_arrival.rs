//! An ID token verified as it arrives (OpenID Connect Core §3.1.3.7, and
//! §12.2 after a refresh), unless the profile says `verify_id_token =
//! false`. The CLI prints the checks under the token set (`token`, and
//! `call --step-up` for the new sign-in's `acr`/`auth_time`); the app runs
//! its Verify tool, which shows the access token's checks beside them.

use crate::engine::jwt::jwks::JwksCache;
use crate::engine::jwt::verify::{self, Verification};
use crate::engine::profile::Profile;
use crate::engine::tokens::response::TokenSet;
use crate::engine::wire::http::HttpClient;

/// Whether `tokens`' ID token is verified as it arrives: there is one, and
/// the profile does not turn verification off.
pub fn wanted(profile: &Profile, tokens: &TokenSet) -> bool {
    profile.verify_id_token && tokens.id_token.is_some()
}

/// The ID token of a token set just received, verified check by check
/// against the profile's keys and expectations; `None` when [`wanted`]
/// says no.
pub async fn verify_id_token(
    http: &HttpClient,
    cache: &JwksCache,
    profile: &Profile,
    tokens: &TokenSet,
) -> Option<Verification> {
    if !wanted(profile, tokens) {
        return None;
    }
    verify::verify_token_set(http, cache, profile, tokens, &["id_token"])
        .await
        .pop()
}
