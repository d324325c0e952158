//! `call`: an API request with a token — given, or obtained by running the
//! profile's grant — and, with `--step-up`, the grant run again asking for
//! what an `insufficient_user_authentication` challenge names (RFC 9470).

use serde_json::{Value, json};

use super::args::CallArgs;
use super::exit::{Exit, Failure};
use super::output;
use super::support::{client, complete, finish_http, load, with_dpop};
use crate::engine::endpoints::api::{self, ApiRequest};
use crate::engine::grants::{self, GrantOptions};
use crate::engine::jwt::jwks::JwksCache;
use crate::engine::jwt::on_arrival;
use crate::engine::profile::{GrantType, TokenPlacement};
use crate::engine::{Secret, Stage};

pub(super) async fn run(args: CallArgs) -> Result<Exit, Failure> {
    let profile = args.ask.apply(load(&args.profile)?);
    let usage = |message: String| Failure::new(Exit::Usage, message);
    let saved = match &args.saved {
        Some(name) => Some(
            profile
                .requests
                .iter()
                .find(|r| r.name.eq_ignore_ascii_case(name))
                .ok_or_else(|| {
                    let known: Vec<&str> =
                        profile.requests.iter().map(|r| r.name.as_str()).collect();
                    usage(format!(
                        "{}: no ready-made request named {name:?}; the profile has: {}",
                        args.profile.display(),
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ))
                })?,
        ),
        None => None,
    };
    let mut request = match (saved, &profile.api, &args.url) {
        (Some(saved), api, _) => ApiRequest::from_saved(saved, api.as_ref()),
        (None, Some(api), _) => ApiRequest::from_config(api),
        (None, None, Some(_)) => ApiRequest {
            method: http::Method::GET,
            url: url::Url::parse("http://127.0.0.1/").map_err(|e| usage(e.to_string()))?,
            headers: Vec::new(),
            body: None,
            placement: TokenPlacement::bearer(),
        },
        (None, None, None) => {
            return Err(usage(format!(
                "{}: no URL given and the profile has no [api] url",
                args.profile.display()
            )));
        }
    };
    if let Some(url) = &args.url {
        request.url = crate::engine::profile::parse_http_url(url).map_err(usage)?;
    }
    if let Some(method) = &args.method {
        request.method = api::parse_method(method).map_err(usage)?;
    }
    for header in &args.headers {
        let header = api::parse_header(header)
            .map_err(|message| usage(format!("-H `{header}`: {message}")))?;
        request.headers.push(header);
    }
    if let Some(body) = &args.body {
        request.body = Some(body.clone());
    }

    let (http, printer) = client(&profile.http, args.verbose)?;
    let http = with_dpop(http, &profile, args.access_token.is_some())?;
    let outcome = async {
        let needs = profile.grant.map(GrantType::endpoints).unwrap_or_default();
        let token = match &args.access_token {
            Some(token) => Secret::new(token.clone()),
            None => {
                let profile = complete(&profile, &http, needs).await?;
                grants::run(&profile, &http, &GrantOptions::default())
                    .await
                    .map_err(|err| Failure::grant(err, profile.grant))?
                    .access_token
            }
        };
        let response = api::call(&http, &request, Some(&token))
            .await
            .map_err(|err| Failure::at(err, Stage::ApiCall))?;
        let Some(step_up) = response
            .step_up
            .as_ref()
            .filter(|s| args.step_up && !s.requirement.is_empty())
        else {
            return Ok(response);
        };
        // RFC 9470 §4: authorize again asking for what the API named,
        // then repeat the call with the new token.
        eprintln!(
            "step-up: the API needs {}; authorizing again asking for it",
            step_up.requirement
        );
        let mut profile = complete(&profile, &http, needs).await?;
        crate::engine::requests::step_up::ask(&mut profile, &step_up.requirement);
        let tokens = grants::run(&profile, &http, &GrantOptions::default())
            .await
            .map_err(|err| Failure::grant(err, profile.grant))?;
        let verified =
            on_arrival::verify_id_token(&http, &JwksCache::new(), &profile, &tokens).await;
        for check in verified
            .iter()
            .flat_map(|verification| &verification.checks)
            .filter(|c| matches!(c.name.as_str(), "acr" | "auth_time"))
        {
            eprintln!("step-up: {} — {}", check.verdict.as_str(), check.message);
        }
        api::call(&http, &request, Some(&tokens.access_token))
            .await
            .map_err(|err| Failure::at(err, Stage::ApiCall))
    }
    .await;
    let har_saved = finish_http(http, printer, &args.har).await;
    let response = outcome?;
    let explanation = response.explanation();
    let exchange = &response.exchange;
    let status = response.status();
    let body = exchange
        .response
        .as_ref()
        .map(|r| r.body.as_ref())
        .unwrap_or_default();
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let headers = || exchange.response.iter().flat_map(|r| &r.headers);
    output::print(
        args.json,
        || {
            json!({
                "status": status,
                "duration_ms": exchange.duration.as_secs_f64() * 1000.0,
                "headers": headers().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
                "body": parsed.clone().unwrap_or_else(|| Value::String(exchange.response_text().into_owned())),
                "www_authenticate": response.challenge,
                "step_up": response.step_up,
                "findings": response.findings,
                "explanation": explanation,
            })
        },
        || {
            let mut out = format!("HTTP {status} ({} ms)\n", exchange.duration.as_millis());
            for (name, value) in headers() {
                out.push_str(&format!("{name}: {value}\n"));
            }
            out.push('\n');
            match &parsed {
                Some(value) => out.push_str(&output::pretty(value)),
                None => out.push_str(&exchange.response_text()),
            }
            out.push('\n');
            out
        },
    );
    if status >= 400 {
        let mut message = format!("the API answered HTTP {status}");
        if let Some(challenge) = &response.challenge {
            message.push_str(&format!(" — WWW-Authenticate: {challenge}"));
        }
        eprintln!("error: {message}");
        for finding in &response.findings {
            eprintln!("  {finding}");
        }
        if let Some(explanation) = &explanation {
            eprint!("\n{explanation}");
        }
        if let Some(step_up) = response
            .step_up
            .as_ref()
            .filter(|s| !s.requirement.is_empty())
        {
            eprintln!(
                "\nStep up: run again with --step-up to authorize asking for {} and repeat the call.",
                step_up.requirement
            );
        }
        return Ok(Exit::Refused);
    }
    Ok(if har_saved {
        Exit::Success
    } else {
        Exit::Usage
    })
}
