//! The profile's own logout request (`[logout]`): an API call that ends the
//! session the access token belongs to, with the token placed as the
//! profile's `[api]` says. Not an OpenID logout (those are
//! [`rp_initiated`](super::rp_initiated) and
//! [`back_channel`](super::back_channel)): many providers offer a plain
//! "log out" endpoint of their own. The CLI's `logout` and the app's Log
//! out button both send it through [`send`].

use crate::engine::endpoints::api::{self, ApiRequest, ApiResponse};
use crate::engine::error::EngineError;
use crate::engine::profile::Profile;
use crate::engine::store::secret::Secret;
use crate::engine::wire::http::HttpClient;

/// Sends the profile's `[logout]` request with `token`. A 2xx answer is a
/// logout; any other status is [`EngineError::BadResponse`] carrying the
/// exchange; a profile with no `[logout]` is [`EngineError::Unsupported`].
pub async fn send(
    profile: &Profile,
    http: &HttpClient,
    token: &Secret,
) -> Result<ApiResponse, EngineError> {
    let Some(logout) = &profile.logout else {
        return Err(EngineError::Unsupported(
            "the profile has no [logout] request".to_string(),
        ));
    };
    let request = ApiRequest::logout(logout, profile.api.as_ref());
    let response = api::call(http, &request, Some(token)).await?;
    let status = response.status();
    if (200..300).contains(&status) {
        Ok(response)
    } else {
        Err(EngineError::BadResponse {
            message: format!("the logout request answered HTTP {status}"),
            exchange: Box::new(response.exchange),
        })
    }
}
