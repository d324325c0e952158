//! `logout`: the profile's `[logout]` request sent with the access token;
//! with `--oidc` or `--listen`, the OpenID logouts in `oidc_logout.rs`
//! (docs/logout.md).

use super::args::LogoutArgs;
use super::exit::{Exit, Failure};
use super::oidc_logout;
use super::support::{client, finish_http, load, with_dpop};
use crate::engine::diagnose::findings::excerpt;
use crate::engine::logout::request;
use crate::engine::{EngineError, Secret, Stage};

/// Runs `logout`: the `[logout]` request here, the OpenID logouts in
/// `oidc_logout.rs`.
pub(super) async fn run(args: LogoutArgs) -> Result<Exit, Failure> {
    if args.oidc.oidc || args.oidc.listen {
        return oidc_logout::run(args).await;
    }
    let Some(access_token) = args.access_token.clone() else {
        return Err(Failure::new(
            Exit::Usage,
            "--access-token is required (or --oidc / --listen)",
        ));
    };
    let profile = load(&args.profile)?;
    if profile.logout.is_none() {
        return Err(Failure::new(
            Exit::Usage,
            format!(
                "{}: the profile has no [logout] table",
                args.profile.display()
            ),
        ));
    }
    let (http, printer) = client(&profile.http, args.verbose)?;
    let http = with_dpop(http, &profile, true)?;
    let result = request::send(&profile, &http, &Secret::new(access_token)).await;
    let har_saved = finish_http(http, printer, &args.har).await;
    match result {
        Ok(response) => {
            outln!("Logged out (HTTP {})", response.status());
            Ok(if har_saved {
                Exit::Success
            } else {
                Exit::Usage
            })
        }
        // The server answered, but not with a 2xx: said with what it sent.
        Err(EngineError::BadResponse { message, exchange }) => {
            eprintln!(
                "error: {message}: {}",
                excerpt(&exchange.response.map(|r| r.body).unwrap_or_default(), 300)
            );
            Ok(Exit::Refused)
        }
        Err(err) => Err(Failure::at(err, Stage::ApiCall)),
    }
}
