//! The demo provider's registered clients, users and issued tokens.

use std::collections::HashMap;

use base64::Engine as _;
use rand::RngCore;

/// A registered client.
#[derive(Debug, Clone)]
pub struct Client {
    /// `client_id`.
    pub id: &'static str,
    /// `client_secret`; `None` for a public client.
    pub secret: Option<&'static str>,
    /// Grants it may use.
    pub grants: &'static [&'static str],
    /// Scope granted when the request names none.
    pub default_scope: &'static str,
}

/// A resource owner.
#[derive(Debug, Clone)]
pub struct User {
    /// Username.
    pub username: &'static str,
    /// Password.
    pub password: &'static str,
    /// Display name.
    pub name: &'static str,
    /// E-mail.
    pub email: &'static str,
}

/// Every scope the demo provider knows.
pub const SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "read",
    "write",
    "offline_access",
];

/// The seeded clients (documented in docs/demo-provider.md).
pub const CLIENTS: &[Client] = &[
    Client {
        id: "demo-client",
        secret: Some("demo-secret"),
        grants: &["client_credentials", "password", "refresh_token"],
        default_scope: "read",
    },
    Client {
        id: "demo-public",
        secret: None,
        grants: &["password", "refresh_token"],
        default_scope: "read",
    },
    Client {
        id: "demo-readonly",
        secret: Some("readonly-secret"),
        grants: &["client_credentials"],
        default_scope: "read",
    },
];

/// The seeded users.
pub const USERS: &[User] = &[
    User {
        username: "alice",
        password: "alice-password",
        name: "Alice Example",
        email: "alice@example.com",
    },
    User {
        username: "bob",
        password: "bob-password",
        name: "Bob Example",
        email: "bob@example.com",
    },
];

/// An issued access token, by `jti`.
#[derive(Debug, Clone)]
pub struct AccessRecord {
    /// Client it was issued to.
    pub client_id: String,
    /// Revoked by the client.
    pub revoked: bool,
}

/// An issued refresh token.
#[derive(Debug, Clone)]
pub struct RefreshRecord {
    /// Client it was issued to.
    pub client_id: String,
    /// Resource owner (or client id for client tokens).
    pub sub: String,
    /// Scope granted.
    pub scope: String,
    /// Already exchanged (rotation: a used refresh token stops working).
    pub used: bool,
    /// Revoked by the client.
    pub revoked: bool,
    /// When it was issued (Unix seconds).
    pub iat: i64,
    /// Access tokens issued with it, revoked together with it.
    pub access_jtis: Vec<String>,
}

/// Tokens issued by this server since it started.
#[derive(Debug, Default)]
pub struct Store {
    /// Access tokens by jti.
    pub access: HashMap<String, AccessRecord>,
    /// Refresh tokens by value.
    pub refresh: HashMap<String, RefreshRecord>,
}

/// A client by id.
pub fn client(id: &str) -> Option<&'static Client> {
    CLIENTS.iter().find(|c| c.id == id)
}

/// A user by username.
pub fn user(username: &str) -> Option<&'static User> {
    USERS.iter().find(|u| u.username == username)
}

/// A random URL-safe string of `bytes` random bytes.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}
