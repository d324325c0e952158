//! The seed modes: the demo provider behaving like one of the providers in
//! `shared/seeds/` — its paths, its clients and its documented quirks — on
//! top of the standard server's store, pages and grant checks.

mod entra;
mod github;
mod orchestrator;
mod pingfederate;
pub(super) mod tokens;
mod wapi;
mod wordapp;

use std::sync::Arc;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};

use super::client_auth::Form;
use super::store::{self, Client, SCOPES, User};
use super::token::{scope_in, take_code, take_refresh};
use super::{Demo, Mode, authorize, oauth_error};
use tokens::Refresh;

/// How one mode's authorization pages look and answer.
pub struct Flavor {
    /// The mode it belongs to.
    pub mode: Mode,
    /// The authorization endpoint; its forms post to `{path}/login` and
    /// `{path}/consent`.
    pub path: &'static str,
    /// The mode's registered clients, by id.
    pub client: fn(&str) -> Option<&'static Client>,
    /// The mode's users, by what they type as their name.
    pub user: fn(&str) -> Option<&'static User>,
    /// Scopes it knows.
    pub scopes: &'static [&'static str],
    /// Scope granted when a client-less request names none.
    pub default_scope: &'static str,
    /// The login button.
    pub sign_in: &'static str,
    /// The consent buttons.
    pub allow: &'static str,
    /// The consent buttons.
    pub deny: &'static str,
    /// `error_description` sent back when the user refuses.
    pub denied: &'static str,
    /// The line under the login form naming the demo users.
    pub hint: &'static str,
    /// Adds `iss` to authorization responses (RFC 9207).
    pub iss: bool,
    /// The implicit grant answers in the query string, not the fragment.
    pub implicit_in_query: bool,
    /// Issues an implicit grant's token and returns the redirect's fields;
    /// `None` issues the standard signed JWT.
    pub implicit: Option<ImplicitIssuer>,
}

/// Issues an implicit grant's token for (client, user, scope) and returns
/// the fields of the redirect.
pub type ImplicitIssuer = fn(&Demo, &Client, &str, &str) -> Vec<(String, String)>;

/// The standard server's pages.
pub static STANDARD: Flavor = Flavor {
    mode: Mode::Standard,
    path: "/authorize",
    client: store::client,
    user: store::user,
    scopes: SCOPES,
    default_scope: "read",
    sign_in: "Sign in",
    allow: "Allow",
    deny: "Deny",
    denied: "The user denied the request",
    hint: "Users: alice / alice-password, bob / bob-password.",
    iss: true,
    implicit_in_query: false,
    implicit: None,
};

/// The pages of `mode`.
pub fn flavor(mode: Mode) -> &'static Flavor {
    match mode {
        Mode::Standard | Mode::Orchestrator => &STANDARD,
        Mode::Wapi => &wapi::FLAVOR,
        Mode::Wordapp => &wordapp::FLAVOR,
        Mode::PingFederate => &pingfederate::FLAVOR,
        Mode::GitHub => &github::FLAVOR,
        Mode::Entra => &entra::FLAVOR,
    }
}

/// The routes a mode adds to the standard ones.
pub fn routes(mode: Mode) -> Router<Arc<Demo>> {
    let extra = match mode {
        Mode::Standard => return Router::new(),
        Mode::Wapi => wapi::routes(),
        Mode::Orchestrator => return orchestrator::routes(),
        Mode::Wordapp => wordapp::routes(),
        Mode::PingFederate => pingfederate::routes(),
        Mode::GitHub => github::routes(),
        Mode::Entra => entra::routes(),
    };
    let pages = flavor(mode);
    extra
        .route(
            pages.path,
            get(
                move |State(demo): State<Arc<Demo>>,
                      headers: HeaderMap,
                      RawQuery(query): RawQuery| async move {
                    authorize::start(pages, &demo, &headers, query)
                },
            ),
        )
        .route(&format!("{}/login", pages.path), post(authorize::login))
        .route(&format!("{}/consent", pages.path), post(authorize::consent))
}

/// What a token request was granted, before tokens are issued.
pub struct Granted {
    /// The resource owner, or the client id for client credentials.
    pub sub: String,
    /// Scope granted.
    pub scope: String,
    /// Whether and how a refresh token comes with it.
    pub refresh: Refresh,
    /// The authorization code it came from, to link the tokens to.
    pub code: Option<String>,
}

/// Checks a token request of the code, password, client credentials or
/// refresh grant for `client` (none: a client-less request, which only the
/// password and refresh grants accept). `rotate` decides whether a refresh
/// issues a new refresh token or keeps the presented one.
pub fn grant(
    demo: &Demo,
    pages: &Flavor,
    client: Option<&'static Client>,
    form: &Form,
    rotate: bool,
) -> Result<Granted, Response> {
    let Some(grant_type) = form.get("grant_type") else {
        return Err(bad("invalid_request", "grant_type is missing"));
    };
    if !matches!(
        grant_type,
        "authorization_code" | "password" | "client_credentials" | "refresh_token"
    ) {
        return Err(bad(
            "unsupported_grant_type",
            &format!("the grant type '{grant_type}' is not supported here"),
        ));
    }
    let client_id = client.map_or("", |c| c.id);
    match client {
        Some(client) if !client.grants.contains(&grant_type) => {
            return Err(bad(
                "unauthorized_client",
                &format!("client '{}' may not use the {grant_type} grant", client.id),
            ));
        }
        None if matches!(grant_type, "authorization_code" | "client_credentials") => {
            return Err(bad(
                "invalid_client",
                &format!("the {grant_type} grant needs client authentication"),
            ));
        }
        _ => {}
    }
    let default_scope = client.map_or(pages.default_scope, |c| c.default_scope);
    match grant_type {
        "authorization_code" => {
            let (code, record) = take_code(demo, client_id, form)?;
            Ok(Granted {
                sub: record.sub,
                scope: record.scope,
                refresh: Refresh::New,
                code: Some(code),
            })
        }
        "password" => {
            let (Some(username), Some(password)) = (form.get("username"), form.get("password"))
            else {
                return Err(bad(
                    "invalid_request",
                    "the password grant needs username and password",
                ));
            };
            let user = match (pages.user)(username) {
                Some(user) if user.password == password => user,
                _ => return Err(bad("invalid_grant", "wrong username or password")),
            };
            Ok(Granted {
                sub: user.username.to_string(),
                scope: scope_in(form, default_scope, pages.scopes)?,
                refresh: Refresh::New,
                code: None,
            })
        }
        "client_credentials" => Ok(Granted {
            sub: client_id.to_string(),
            scope: scope_in(form, default_scope, pages.scopes)?,
            refresh: Refresh::None,
            code: None,
        }),
        _ => {
            let Some(presented) = form.get("refresh_token") else {
                return Err(bad("invalid_request", "refresh_token is missing"));
            };
            let record = take_refresh(demo, Some(client_id), presented, rotate)?;
            Ok(Granted {
                sub: record.sub,
                scope: record.scope,
                refresh: if rotate {
                    Refresh::New
                } else {
                    Refresh::Keep(presented.to_string())
                },
                code: None,
            })
        }
    }
}

/// Issues what [`grant`] granted, linked to its code.
pub fn issue(demo: &Demo, client_id: &str, granted: Granted) -> tokens::Issued {
    let issued = tokens::issue(
        demo,
        client_id,
        &granted.sub,
        &granted.scope,
        granted.refresh,
    );
    if let Some(code) = &granted.code {
        super::token::link_code(
            demo,
            code,
            issued.access_token.clone(),
            issued.refresh_token.clone(),
        );
    }
    issued
}

/// A 400 OAuth error (RFC 6749 §5.2).
fn bad(error: &str, description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, error, description)
}
