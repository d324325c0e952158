//! `revoke`: a token revoked at the profile's revocation endpoint
//! (RFC 7009).

use serde_json::json;

use super::args::RevokeArgs;
use super::exit::{Exit, Failure};
use super::output;
use super::support::{client, complete, finish_http, load};
use crate::engine::endpoints::autodiscovery::Endpoint;
use crate::engine::endpoints::revoke::{self, TokenHint};
use crate::engine::{Secret, Stage};

pub(super) async fn run(args: RevokeArgs) -> Result<Exit, Failure> {
    let profile = load(&args.profile)?;
    let hint = if args.hint == "refresh_token" {
        TokenHint::RefreshToken
    } else {
        TokenHint::AccessToken
    };
    let (http, printer) = client(&profile.http, args.verbose)?;
    let result = async {
        let profile = complete(&profile, &http, &[Endpoint::Revocation]).await?;
        revoke::revoke(&profile, &http, &Secret::new(args.token), hint)
            .await
            .map_err(|err| Failure::at(err, Stage::Revocation))
    }
    .await;
    let har_saved = finish_http(http, printer, &args.har).await;
    let revoked = result?;
    let status = revoked.exchange.status().unwrap_or_default();
    output::print(
        args.json,
        || {
            json!({
                "revoked": true,
                "token_type_hint": hint.as_str(),
                "status": status,
                "findings": revoked.findings,
            })
        },
        || {
            let mut out = format!(
                "Revoked the {} (HTTP {status})\n",
                hint.as_str().replace('_', " ")
            );
            for finding in &revoked.findings {
                out.push_str(&format!("  {finding}\n"));
            }
            out
        },
    );
    Ok(if har_saved {
        Exit::Success
    } else {
        Exit::Usage
    })
}
