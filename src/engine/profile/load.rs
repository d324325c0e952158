//! From file to [`Profile`]: [`Profile::from_file`] validates every key
//! in one pass and reports every problem at once (parse, don't validate).

use std::path::{Path, PathBuf};

use url::Url;

use super::*;

mod sections;
use sections::*;

/// The text of a profile file, or a problem naming the file.
pub(crate) fn read_profile_text(path: &Path) -> Result<String, ProfileError> {
    std::fs::read_to_string(path).map_err(|err| ProfileError {
        path: Some(path.to_path_buf()),
        problems: vec![Problem {
            key: None,
            line: None,
            message: format!("cannot read the file: {err}"),
        }],
    })
}

/// The name of a profile whose file does not give one: the file's stem.
pub(crate) fn default_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "profile".to_string())
}

/// The 1-based line of byte offset `offset` in `source`.
pub fn line_at(source: &str, offset: usize) -> usize {
    let end = offset.min(source.len());
    source.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The field named by a serde "unknown field `x`" message.
pub(super) fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

impl Profile {
    /// Reads and validates a profile file.
    pub fn load(path: &Path) -> Result<Self, ProfileError> {
        Self::parse(&read_profile_text(path)?, path)
    }

    /// Parses and validates profile text; `path` is used in messages and for
    /// the default name.
    pub fn parse(source: &str, path: &Path) -> Result<Self, ProfileError> {
        let file = ProfileFile::parse(source, path)?;
        Self::from_file(&file, &default_name(path)).map_err(|err| err.located(path, source))
    }

    /// Validates a profile as written, collecting every problem.
    pub fn from_file(file: &ProfileFile, default_name: &str) -> Result<Self, ProfileError> {
        placeholders::refuse_unfilled(file)?;
        let mut problems = Vec::new();
        if let Some(version) = file.schema_version.filter(|v| *v > SCHEMA_VERSION) {
            problems.push(problem(
                "schema_version",
                format!(
                    "the file was written for profile format {version}; this oauth-debugger reads format {SCHEMA_VERSION} — update it to use this file"
                ),
            ));
        }
        let base = non_empty(&file.base_url).and_then(|value| match parse_http_url(&value) {
            Ok(url) => Some(url),
            Err(message) => {
                problems.push(problem("base_url", message));
                None
            }
        });
        let base_given = file
            .base_url
            .as_deref()
            .is_some_and(|v| !v.trim().is_empty());
        let base = base.as_ref();
        let mut url = |key: &str, value: &Option<String>| -> Option<Url> {
            let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
            match resolve_url(value, base, base_given) {
                Ok(url) => Some(url),
                Err(message) => {
                    problems.push(problem(key, message));
                    None
                }
            }
        };
        let endpoints = Endpoints {
            issuer: url("issuer", &file.issuer),
            authorization: url("authorization_endpoint", &file.authorization_endpoint),
            token: url("token_endpoint", &file.token_endpoint),
            device_authorization: url(
                "device_authorization_endpoint",
                &file.device_authorization_endpoint,
            ),
            revocation: url("revocation_endpoint", &file.revocation_endpoint),
            introspection: url("introspection_endpoint", &file.introspection_endpoint),
            userinfo: url("userinfo_endpoint", &file.userinfo_endpoint),
            jwks_uri: url("jwks_uri", &file.jwks_uri),
            par: url(
                "pushed_authorization_request_endpoint",
                &file.pushed_authorization_request_endpoint,
            ),
            end_session: url("end_session_endpoint", &file.end_session_endpoint),
            backchannel_authentication: url(
                "backchannel_authentication_endpoint",
                &file.backchannel_authentication_endpoint,
            ),
        };
        let redirect_uri = url("redirect_uri", &file.redirect_uri);

        let client_secret = secret_source(
            "client_secret",
            &file.client_secret,
            &file.client_secret_env,
            &file.client_secret_keychain,
            &mut problems,
        );
        let password = secret_source(
            "password",
            &file.password,
            &file.password_env,
            &file.password_keychain,
            &mut problems,
        );
        // A secret the keychain did not give is reported once, on its own key.
        let secret_missing =
            file.client_secret.is_none() && non_empty(&file.client_secret_keychain).is_some();

        let secret_available = client_secret.is_some() || secret_missing;
        let (auth_method, revocation_auth_method, introspection_auth_method) = auth_methods(
            file,
            client_secret.is_some(),
            secret_available,
            &mut problems,
        );
        let key_file_given = non_empty(&file.signing_key_file).is_some();
        let uses = |method: ClientAuthMethod| {
            [
                auth_method,
                revocation_auth_method,
                introspection_auth_method,
            ]
            .contains(&method)
        };
        let assertion_alg = parse_alg(
            "token_endpoint_auth_signing_alg",
            &file.token_endpoint_auth_signing_alg,
            &mut problems,
        );
        if let Some(signing_alg) = assertion_alg {
            if signing_alg.is_hmac() && uses(ClientAuthMethod::PrivateKeyJwt) {
                problems.push(problem(
                    "token_endpoint_auth_signing_alg",
                    format!("{signing_alg} signs with the client secret; private_key_jwt signs with the key (RS256, PS256, ES256 or EdDSA)"),
                ));
            } else if !signing_alg.is_hmac() && uses(ClientAuthMethod::ClientSecretJwt) {
                problems.push(problem(
                    "token_endpoint_auth_signing_alg",
                    format!(
                        "client_secret_jwt signs with HS256, HS384 or HS512, not {signing_alg}"
                    ),
                ));
            }
        }
        let assertion = assertion_settings(file, assertion_alg, &mut problems);
        let dpop_alg = parse_alg("dpop_signing_alg", &file.dpop_signing_alg, &mut problems);
        if let Some(hmac) = dpop_alg.filter(|a| a.is_hmac()) {
            problems.push(problem(
                "dpop_signing_alg",
                format!("DPoP proofs are signed with a key pair (RFC 9449 §4.2), not {hmac}"),
            ));
        }
        let authz = authz_settings(file, secret_available, &mut problems);
        let dpop = file
            .dpop_bound_access_tokens
            .unwrap_or(false)
            .then(|| DpopSettings {
                key_file: non_empty(&file.dpop_key_file).map(PathBuf::from),
                alg: dpop_alg,
            });
        let api = file
            .api
            .as_ref()
            .and_then(|api| api_config(api, base, base_given, &mut problems));
        if let Some(url) = file.mcp.as_ref().and_then(|mcp| mcp.url.as_deref())
            && let Err(message) = parse_http_url(url)
        {
            problems.push(problem("mcp.url", message));
        }
        let logout = file.logout.as_ref().and_then(|logout| {
            let url = required_url(&logout.url, "logout.url", base, base_given, &mut problems)?;
            let method = method_or(&logout.method, "DELETE", "logout.method", &mut problems)?;
            Some(LogoutConfig { url, method })
        });
        let oidc_logout = oidc_logout_settings(file.oidc_logout.as_ref(), &mut problems);
        let requests = file
            .requests
            .iter()
            .enumerate()
            .filter_map(|(index, request)| {
                let key = |field: &str| format!("requests[{index}].{field}");
                let url = required_url(&request.url, &key("url"), base, base_given, &mut problems)?;
                let method = method_or(&request.method, "GET", &key("method"), &mut problems)?;
                header_names(request.headers.keys(), &key("headers"), &mut problems);
                Some(SavedRequest {
                    name: non_empty(&request.name)
                        .unwrap_or_else(|| format!("{method} {}", url.path())),
                    method,
                    url,
                    headers: pairs(&request.headers),
                    query: pairs(&request.query),
                    body: request.body.clone(),
                })
            })
            .collect();
        let http = http_settings(file, &mut problems);
        let clock_skew = clock_skew(file, &mut problems);
        let RequestParams {
            resources,
            authorization_details,
            auth_requirement,
            authorize_params,
            token_params,
        } = request_params(file, &mut problems);

        let token_exchange = file.token_exchange.as_ref().map(|table| {
            crate::engine::profile::grant_tables::token_exchange(table, &mut problems)
        });
        let jwt_bearer = file.jwt_bearer.as_ref().map(|table| {
            crate::engine::profile::grant_tables::jwt_bearer(table, key_file_given, &mut problems)
        });
        let ciba = file
            .ciba
            .as_ref()
            .map(|table| crate::engine::profile::grant_tables::ciba(table, &mut problems));

        if !problems.is_empty() {
            return Err(ProfileError {
                path: None,
                problems,
            });
        }
        Ok(Profile {
            name: non_empty(&file.name).unwrap_or_else(|| default_name.to_string()),
            endpoints,
            client_id: non_empty(&file.client_id),
            client_secret,
            auth_method,
            revocation_auth_method,
            introspection_auth_method,
            assertion,
            dpop,
            authz,
            fapi2: file.fapi2.unwrap_or(false),
            verify_id_token: file.verify_id_token.unwrap_or(true),
            resources,
            auth_requirement,
            authorization_details,
            grant: file.grant_type,
            scopes: file
                .scope
                .as_deref()
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            username: non_empty(&file.username),
            password,
            redirect_uri,
            pkce: file.pkce.unwrap_or_default(),
            clock_skew,
            authorize_params,
            token_params,
            api,
            http,
            compat: file.compat.unwrap_or_default(),
            logout,
            oidc_logout,
            requests,
            token_exchange,
            jwt_bearer,
            ciba,
        })
    }

    /// The token endpoint, or an error naming the missing field.
    pub fn token_endpoint(&self) -> Result<&Url, ProfileError> {
        self.endpoints
            .token
            .as_ref()
            .ok_or_else(|| ProfileError::field("token_endpoint", "is required for this grant"))
    }

    /// The client id, or an error naming the missing field.
    pub fn require_client_id(&self) -> Result<&str, ProfileError> {
        self.client_id
            .as_deref()
            .ok_or_else(|| ProfileError::field("client_id", "is required for this grant"))
    }

    /// The scope as sent on the wire, if any.
    pub fn scope_string(&self) -> Option<String> {
        (!self.scopes.is_empty()).then(|| self.scopes.join(" "))
    }
}
