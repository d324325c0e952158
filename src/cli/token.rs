//! `token`: run a profile's grant and print the token set — the ID token
//! verified as it arrives (OpenID Connect Core §3.1.3.7) unless the profile
//! says `verify_id_token = false`.

use std::sync::Arc;
use std::time::Duration;

use super::args::TokenArgs;
use super::exit::{Exit, Failure};
use super::output::{self, describe_id_token_checks, describe_tokens, token_value};
use super::support::{
    client, complete, finish_http, load, report_progress, stdin_lines, with_dpop,
};
use crate::engine::Secret;
use crate::engine::grants::{self, BrowserOptions, GrantOptions};
use crate::engine::jwt::jwks::JwksCache;
use crate::engine::jwt::on_arrival;
use crate::engine::profile::GrantType;

pub(super) async fn run(args: TokenArgs) -> Result<Exit, Failure> {
    let mut profile = args.ask.apply(load(&args.profile)?);
    if let Some(details) = args.authorization_details.clone() {
        crate::engine::requests::rar::ask(&mut profile, details);
    }
    let (http, printer) = client(&profile.http, args.verbose)?;
    let http = with_dpop(http, &profile, false)?;
    let grant = args.grant.or(profile.grant);
    let browser_grant = grant.is_some_and(GrantType::needs_browser);
    let options = GrantOptions {
        grant: args.grant,
        refresh_token: args.refresh_token.map(Secret::new),
        subject_token: args.subject_token.map(Secret::new),
        actor_token: args.actor_token.map(Secret::new),
        assertion: args.assertion.map(Secret::new),
        // One run of the CLI holds no earlier tokens: `from` in
        // [token_exchange] is said to need --subject-token.
        current: Default::default(),
        login_hint: args.login_hint,
        binding_message: args.binding_message,
        browser: BrowserOptions {
            open_browser: !args.no_browser,
            paste_only: args.no_browser,
            timeout: Duration::from_secs(args.browser_timeout.max(1)),
            progress: Some(Arc::new(report_progress)),
            paste: browser_grant.then(stdin_lines),
            cancel: None,
            approve_url: None,
            approve_request: None,
        },
    };
    let result = async {
        let needs = grant.map(GrantType::endpoints).unwrap_or_default();
        let profile = complete(&profile, &http, needs).await?;
        let tokens = grants::run(&profile, &http, &options)
            .await
            .map_err(|err| Failure::grant(err, grant))?;
        // An ID token is verified as it arrives (OpenID Connect Core
        // §3.1.3.7) unless the profile says `verify_id_token = false`.
        let verified =
            on_arrival::verify_id_token(&http, &JwksCache::new(), &profile, &tokens).await;
        Ok::<_, Failure>((tokens, verified))
    }
    .await;
    let har_saved = finish_http(http, printer, &args.har).await;
    let (tokens, verified) = result?;
    output::print(
        args.json,
        || token_value(&tokens, verified.as_ref()),
        || {
            let mut out = describe_tokens(&tokens, args.show_secrets);
            if let Some(verification) = &verified {
                out.push_str(&describe_id_token_checks(verification));
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
