//! The worker's side of OpenID logout: runs [`crate::engine::logout`] for
//! the Tokens tab and keeps each profile's back-channel listener alive
//! until it is stopped (or the app ends).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{oneshot, watch};

use super::Event;
use super::answer::client_for;
use super::worker::Events;
use crate::app::session::ProfileId;
use crate::app::tokens::oidc_logout::{OidcLogoutCommand, OidcLogoutEvent};
use crate::engine::endpoints::autodiscovery::{self, DiscoveryCache, Endpoint};
use crate::engine::jwt::jwks::JwksCache;
use crate::engine::logout::{
    BackChannelListener, LogoutOptions, LogoutProgress, LogoutTokenContext, rp_initiated,
};
use crate::engine::wire::http::{HttpClient, Recorder};

/// Where logout tokens are received when the profile names no
/// `backchannel_logout_uri`: a free port.
const DEFAULT_BACKCHANNEL_URI: &str = "http://127.0.0.1:0/backchannel-logout";

/// Each profile's listener, stopped when its sender is dropped or fired,
/// and its logout waiting for the browser, cancelled through its watch.
#[derive(Default)]
pub(super) struct Listeners {
    listening: HashMap<ProfileId, oneshot::Sender<()>>,
    logging_out: HashMap<ProfileId, watch::Sender<bool>>,
}

/// Applies one OpenID logout command for `owner`.
pub(super) fn handle(
    owner: ProfileId,
    command: OidcLogoutCommand,
    events: &Events,
    recorder: Recorder,
    discovery: &DiscoveryCache,
    listeners: &mut Listeners,
) {
    let events = events.clone();
    let discovery = discovery.clone();
    let send = move |event: OidcLogoutEvent| Event::OidcLogout(owner, event);
    match command {
        OidcLogoutCommand::LogOut {
            profile,
            id_token,
            open_browser,
        } => {
            let (cancel, cancelled) = watch::channel(false);
            // A logout still waiting for the profile is given up.
            if let Some(earlier) = listeners.logging_out.insert(owner, cancel) {
                let _ = earlier.send(true);
            }
            tokio::spawn(async move {
                let progress_events = events.clone();
                let progress = move |progress: LogoutProgress| {
                    if let LogoutProgress::Request { url, shown } = progress {
                        progress_events.try_send(send(OidcLogoutEvent::Request {
                            url: url.to_string(),
                            shown,
                        }));
                    }
                };
                let result = async {
                    let http = client_for(&profile, recorder, None).map_err(|f| f.message)?;
                    let (profile, _) = autodiscovery::complete(
                        &profile,
                        &http,
                        &discovery,
                        &[Endpoint::EndSession],
                    )
                    .await
                    .map_err(|err| err.to_string())?;
                    let options = LogoutOptions {
                        open_browser,
                        progress: Some(Arc::new(progress)),
                        cancel: Some(cancelled),
                        ..LogoutOptions::default()
                    };
                    rp_initiated(&profile, Some(&id_token), &options)
                        .await
                        .map(Box::new)
                        .map_err(|err| err.to_string())
                }
                .await;
                events.send(send(OidcLogoutEvent::Finished(result))).await;
            });
        }
        OidcLogoutCommand::Listen {
            profile,
            register_at,
        } => {
            let (stop, stopped) = oneshot::channel();
            // A listener already running for the profile stops first.
            listeners.listening.insert(owner, stop);
            tokio::spawn(async move {
                let started = async {
                    let http = client_for(&profile, recorder, None).map_err(|f| f.message)?;
                    let (profile, _) =
                        autodiscovery::complete(&profile, &http, &discovery, &[Endpoint::JwksUri])
                            .await
                            .map_err(|err| err.to_string())?;
                    let uri = profile
                        .oidc_logout
                        .backchannel_logout_uri
                        .clone()
                        .or_else(|| url::Url::parse(DEFAULT_BACKCHANNEL_URI).ok())
                        .ok_or("no back-channel logout URI")?;
                    let context =
                        LogoutTokenContext::for_profile(&profile, http.clone(), JwksCache::new());
                    let listener = BackChannelListener::bind(&uri, context).await?;
                    let note = match register_at {
                        Some(at) => Some(register(&http, &at, listener.uri()).await),
                        None => Some(
                            "Register this URI as the client's backchannel_logout_uri at the provider (Back-Channel Logout §2.2)."
                                .to_string(),
                        ),
                    };
                    Ok::<_, String>((listener, note))
                }
                .await;
                let mut listener = match started {
                    Ok((listener, note)) => {
                        events
                            .send(send(OidcLogoutEvent::Listening(Ok((
                                listener.uri().to_string(),
                                note,
                            )))))
                            .await;
                        listener
                    }
                    Err(message) => {
                        events
                            .send(send(OidcLogoutEvent::Listening(Err(message))))
                            .await;
                        return;
                    }
                };
                tokio::pin!(stopped);
                loop {
                    tokio::select! {
                        _ = &mut stopped => return,
                        report = listener.next(Duration::from_secs(3600)) => {
                            if let Some(report) = report {
                                events.send(send(OidcLogoutEvent::Received(Box::new(report)))).await;
                            }
                        }
                    }
                }
            });
        }
        OidcLogoutCommand::StopListening => {
            if let Some(stop) = listeners.listening.remove(&owner) {
                let _ = stop.send(());
            }
        }
        OidcLogoutCommand::Cancel => {
            if let Some(cancel) = listeners.logging_out.remove(&owner) {
                let _ = cancel.send(true);
            }
        }
    }
}

/// Registers `uri` as the client's back-channel URI with the demo
/// provider; what happened, for people.
async fn register(http: &HttpClient, at: &url::Url, uri: &url::Url) -> String {
    let request = http::Request::builder()
        .method(http::Method::POST)
        .uri(at.as_str())
        .header("content-type", "text/plain")
        .body(uri.to_string().into_bytes());
    let Ok(request) = request else {
        return "Could not build the registration request.".to_string();
    };
    let exchange = http
        .send(request, crate::engine::ExchangeKind::Discovery)
        .await;
    match (&exchange.response, &exchange.error) {
        (Some(response), None) if (200..300).contains(&response.status) => {
            "Registered with the demo provider as the client's backchannel_logout_uri.".to_string()
        }
        (Some(response), None) => format!(
            "The demo provider refused the registration (HTTP {}): {}",
            response.status,
            crate::engine::diagnose::findings::excerpt(&response.body, 200)
        ),
        (_, Some(error)) => format!("The registration failed: {}", error.message),
        (None, None) => "The registration got no answer.".to_string(),
    }
}
