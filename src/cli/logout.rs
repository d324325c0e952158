//! `logout`: the profile's `[logout]` request sent with the access token;
//! with `--oidc` or `--listen`, the OpenID logouts in `oidc_logout.rs`
//! (docs/logout.md).

use super::args::LogoutArgs;
use super::exit::{Exit, Failure};
use super::oidc_logout;
use super::support::{client, finish_http, load, with_dpop};
use crate::engine::endpoints::api::{self, ApiRequest};
use crate::engine::{Secret, Stage};

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
    let Some(config) = &profile.logout else {
        return Err(Failure::new(
            Exit::Usage,
            format!(
                "{}: the profile has no [logout] table",
                args.profile.display()
            ),
        ));
    };
    let request = ApiRequest::logout(config, profile.api.as_ref());
    let (http, printer) = client(&profile.http, args.verbose)?;
    let http = with_dpop(http, &profile, true)?;
    let result = api::call(&http, &request, Some(&Secret::new(access_token))).await;
    let har_saved = finish_http(http, printer, &args.har).await;
    let response = result.map_err(|err| Failure::at(err, Stage::ApiCall))?;
    let status = response.status();
    if (200..300).contains(&status) {
        outln!("Logged out (HTTP {status})");
        return Ok(if har_saved {
            Exit::Success
        } else {
            Exit::Usage
        });
    }
    eprintln!(
        "error: the logout request answered HTTP {status}: {}",
        crate::engine::diagnose::findings::excerpt(
            &response
                .exchange
                .response
                .map(|r| r.body)
                .unwrap_or_default(),
            300
        )
    );
    Ok(Exit::Refused)
}
