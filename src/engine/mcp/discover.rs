//! The first hops: the protected resource metadata (RFC 9728), the
//! authorization server's metadata, and client registration (pre-registered,
//! Client ID Metadata Document or RFC 7591).

use serde_json::Value;
use url::Url;

use crate::engine::diagnose::findings::{Finding, Severity};
use crate::engine::profile::{ClientAuthMethod, GrantType, McpFile, PkceMode, ProfileFile};
use crate::engine::wire::http::HttpClient;

use super::*;

/// Hop 2: the protected resource metadata.
pub(super) async fn resource_metadata(
    http: &HttpClient,
    url: &Url,
    challenge: &McpChallenge,
    run: &mut McpRun,
) -> Option<prm::ResourceMetadata> {
    let mut hop = Hop::new(
        "resource_metadata",
        "Protected resource metadata (RFC 9728)",
    );
    let well_known = prm::well_known_url(url);
    let candidates: Vec<Url> = match challenge.resource_metadata.as_deref() {
        Some(given) => match Url::parse(given) {
            Ok(given) => vec![given],
            Err(err) => {
                hop.fail(format!(
                    "resource_metadata {given:?} is not a URL ({err}) (RFC 9728 §5.1)"
                ));
                run.hops.push(hop);
                return None;
            }
        },
        None => {
            hop.line(
                "no resource_metadata: trying the well-known URLs in the specification's order",
            );
            prm::fallback_urls(url)
        }
    };
    let mut document = None;
    let mut found_at = None;
    for candidate in &candidates {
        if let Some(doc) = fetch_json(http, candidate, &mut hop).await {
            document = Some(doc);
            found_at = Some(candidate.clone());
            break;
        }
    }
    let Some(doc) = document else {
        hop.fail("no protected resource metadata found");
        run.hops.push(hop);
        return None;
    };
    if found_at.as_ref() != Some(&well_known) {
        // Where RFC 9728 §3 puts it: asked once, so the finding says what
        // was observed, not guessed.
        if fetch_json(http, &well_known, &mut hop).await.is_none() {
            hop.found([Finding::new(
                Severity::Warning,
                "prm_not_at_well_known",
                format!(
                    "the metadata is at {}, not at {well_known}, where RFC 9728 §3.1 puts it (the well-known string inserted between host and path); a client that gets no resource_metadata in the challenge does not find it",
                    found_at.as_ref().map(Url::as_str).unwrap_or_default()
                ),
                Some("RFC 9728 §3.1"),
            )]);
        }
    }
    let meta = prm::ResourceMetadata::from_json(&doc);
    hop.line(format!(
        "resource: {}",
        meta.resource.as_deref().unwrap_or("(none)")
    ));
    hop.line(format!(
        "authorization_servers: {}",
        list(&meta.authorization_servers)
    ));
    hop.line(format!(
        "scopes_supported: {}",
        list(&meta.scopes_supported)
    ));
    hop.line(format!(
        "bearer_methods_supported: {}",
        list(&meta.bearer_methods_supported)
    ));
    hop.found(meta.check(url));
    let failed = hop.has_errors();
    run.hops.push(hop);
    (!failed).then_some(meta)
}

/// Hop 3: the authorization server's metadata.
pub(super) async fn authorization_server(
    http: &HttpClient,
    options: &McpOptions,
    resource: &prm::ResourceMetadata,
    run: &mut McpRun,
) -> Option<(Url, Value)> {
    let mut hop = Hop::new(
        "authorization_server_metadata",
        "Authorization server metadata (RFC 8414 / OpenID Connect Discovery)",
    );
    let first = resource.authorization_servers.first()?;
    if resource.authorization_servers.len() > 1 {
        hop.line(format!(
            "{} authorization servers named; using the first, {first}",
            resource.authorization_servers.len()
        ));
    }
    let issuer = match Url::parse(first) {
        Ok(issuer) => issuer,
        Err(err) => {
            hop.fail(format!(
                "the authorization server {first:?} is not a URL: {err}"
            ));
            run.hops.push(hop);
            return None;
        }
    };
    let urls = as_meta::metadata_urls(&issuer);
    let mut found = None;
    for (index, candidate) in urls.iter().enumerate() {
        if let Some(doc) = fetch_json(http, candidate, &mut hop).await {
            found = Some((index, doc));
            break;
        }
    }
    let Some((index, doc)) = found else {
        hop.fail(format!(
            "no metadata at any of the {} well-known URLs for the issuer {issuer}",
            urls.len()
        ));
        run.hops.push(hop);
        return None;
    };
    if index > 0 {
        hop.found([Finding::new(
            Severity::Warning,
            "as_metadata_one_form",
            format!(
                "the metadata is only at {}; {} did not serve it. MCP clients MUST try both forms, but clients that try only RFC 8414 (or only OpenID Connect Discovery) fail here",
                urls[index],
                urls[..index]
                    .iter()
                    .map(Url::as_str)
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            Some("MCP 2025-11-25 Authorization Server Metadata Discovery; RFC 8414 §3.1, §5"),
        )]);
    }
    for name in [
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "registration_endpoint",
    ] {
        if let Some(value) = doc[name].as_str() {
            hop.line(format!("{name}: {value}"));
        }
    }
    hop.line(format!(
        "code_challenge_methods_supported: {}",
        doc["code_challenge_methods_supported"]
    ));
    hop.line(format!(
        "client_id_metadata_document_supported: {}",
        doc["client_id_metadata_document_supported"]
    ));
    let mut findings = as_meta::check(&doc, &issuer);
    if options.allow_without_s256 {
        for finding in &mut findings {
            if finding.code == "pkce_s256_missing" {
                finding.severity = Severity::Warning;
                finding
                    .message
                    .push_str(" — overridden by the user: going on with S256 anyway");
            }
        }
    }
    hop.found(findings);
    let failed = hop.has_errors();
    run.hops.push(hop);
    (!failed).then_some((issuer, doc))
}

/// Hop 4: the client's registration; the profile the rest runs with.
pub(super) async fn registration(
    http: &HttpClient,
    options: &McpOptions,
    issuer: &Url,
    metadata: &Value,
    scope: &[String],
    run: &mut McpRun,
) -> Option<(ProfileFile, Option<register::CimdServer>)> {
    let mut hop = Hop::new("registration", "Client registration");
    // The profile given keeps its settings (redirect URI, HTTP) whatever
    // the mode; it is a pre-registered client only when it names one.
    let pre_registered = options.profile.as_ref().is_some_and(|p| {
        p.client_id
            .as_deref()
            .is_some_and(|id| !id.trim().is_empty())
    });
    let mode = match register::choose(pre_registered, metadata, options.registration) {
        Ok(mode) => mode,
        Err(message) => {
            hop.fail(message);
            run.hops.push(hop);
            return None;
        }
    };
    hop.line(format!("mode: {}", mode.as_str()));
    let mut file = options.profile.clone().unwrap_or_default();
    if mode != Registration::PreRegistered {
        // A registered client brings its own credentials (or none): the
        // profile's secret references belong to another client.
        file.client_secret = None;
        file.client_secret_env = None;
        file.client_secret_keychain = None;
    }
    let mut cimd = None;
    match mode {
        Registration::PreRegistered => {
            hop.line(format!(
                "client_id {} from the profile",
                file.client_id.as_deref().unwrap_or_default()
            ));
        }
        Registration::Cimd => {
            let redirect = file
                .redirect_uri
                .clone()
                .unwrap_or_else(|| LOOPBACK_REDIRECT.to_string());
            match register::serve_cimd(std::slice::from_ref(&redirect)).await {
                Ok(server) => {
                    hop.line(format!("client_id (the document's URL): {}", server.url));
                    hop.line(format!("document: {}", server.document));
                    hop.found([register::cimd_loopback_finding(&server.url)]);
                    file.client_id = Some(server.url.to_string());
                    file.client_secret = None;
                    file.token_endpoint_auth_method = Some(ClientAuthMethod::None);
                    file.redirect_uri = Some(redirect);
                    cimd = Some(server);
                }
                Err(message) => {
                    hop.fail(message);
                    run.hops.push(hop);
                    return None;
                }
            }
        }
        Registration::Dcr => {
            let endpoint = metadata["registration_endpoint"]
                .as_str()
                .and_then(|s| Url::parse(s).ok());
            let Some(endpoint) = endpoint else {
                hop.fail("the registration_endpoint is not a URL");
                run.hops.push(hop);
                return None;
            };
            let redirect = file
                .redirect_uri
                .clone()
                .unwrap_or_else(|| LOOPBACK_REDIRECT.to_string());
            let scope = (!scope.is_empty()).then(|| scope.join(" "));
            let outcome = register::dynamic(
                http,
                &endpoint,
                std::slice::from_ref(&redirect),
                scope.as_deref(),
            )
            .await;
            if let Some(exchange) = &outcome.exchange {
                hop.saw(exchange);
                hop.line(format!(
                    "request: {}",
                    String::from_utf8_lossy(&exchange.request.body)
                ));
            }
            hop.found(outcome.findings);
            hop.found([Finding::new(
                Severity::Info,
                "dcr_deprecated",
                "Dynamic Client Registration is kept for backwards compatibility: the 2026-07-28 revision deprecates it in favour of Client ID Metadata Documents",
                Some("MCP 2026-07-28 Client Registration"),
            )]);
            match (outcome.client, outcome.error) {
                (Some(client), _) => {
                    hop.line(format!(
                        "client_id {} issued{}",
                        client.client_id,
                        if client.client_secret.is_some() {
                            ", with a client_secret"
                        } else {
                            ""
                        }
                    ));
                    file.client_id = Some(client.client_id);
                    file.client_secret = client.client_secret;
                    file.token_endpoint_auth_method = Some(client.auth_method);
                    file.redirect_uri = Some(redirect);
                }
                (None, error) => {
                    hop.fail(error.unwrap_or_else(|| "no client issued".to_string()));
                    run.hops.push(hop);
                    return None;
                }
            }
        }
    }
    // The rest of the profile: what the chain discovered.
    let endpoint = |name: &str| doc_str(metadata, name);
    if file.name.as_deref().is_none_or(str::is_empty) {
        file.name = Some(format!(
            "MCP {}",
            options.url.host_str().unwrap_or("server")
        ));
    }
    file.issuer = Some(issuer.to_string());
    file.authorization_endpoint =
        endpoint("authorization_endpoint").or(file.authorization_endpoint);
    file.token_endpoint = endpoint("token_endpoint").or(file.token_endpoint);
    if file.revocation_endpoint.is_none() {
        file.revocation_endpoint = endpoint("revocation_endpoint");
    }
    if file.introspection_endpoint.is_none() {
        file.introspection_endpoint = endpoint("introspection_endpoint");
    }
    file.grant_type = Some(GrantType::AuthorizationCode);
    file.pkce = Some(PkceMode::S256);
    if !scope.is_empty() {
        file.scope = Some(scope.join(" "));
    }
    // RFC 8707: the MCP server's canonical URI on both requests.
    let resource = options.url.to_string();
    file.authorize_params
        .insert("resource".into(), resource.clone());
    file.token_params
        .insert("resource".into(), resource.clone());
    file.mcp = Some(McpFile {
        url: Some(resource),
    });
    run.hops.push(hop);
    Some((file, cimd))
}
