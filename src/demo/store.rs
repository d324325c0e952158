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
    /// Registered redirect URIs. A loopback URI registered without a port
    /// matches any port (RFC 8252 §7.3).
    pub redirect_uris: &'static [&'static str],
    /// How its ID tokens are signed: `RS256` or `ES256`
    /// (`id_token_signed_response_alg`, OIDC Dynamic Client Registration §2).
    pub id_token_alg: &'static str,
    /// How its JARM authorization responses are signed: `RS256` or `ES256`
    /// (`authorization_signed_response_alg`, JARM §3).
    pub authorization_signed_response_alg: &'static str,
    /// Its public keys as a JWKS document (`jwks`, RFC 7591 §2), for
    /// private_key_jwt (RFC 7523 §2.2); `POST /admin/clients/{id}/jwks`
    /// replaces them while the server runs.
    pub jwks: Option<&'static str>,
    /// `tls_client_auth` (RFC 8705 §2.1): the subject CN its certificate,
    /// issued by the demo CA, must carry (`tls_client_auth_subject_dn`,
    /// CN only).
    pub tls_client_auth_subject_cn: Option<&'static str>,
}

impl Client {
    /// A public client: no secret, no registered key, no certificate — it
    /// cannot authenticate (RFC 6749 §2.1).
    pub fn is_public(&self) -> bool {
        self.secret.is_none() && self.jwks.is_none() && self.tls_client_auth_subject_cn.is_none()
    }
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

/// Redirect URIs registered for the seeded clients: loopback on any port,
/// and a hosted page elsewhere (its redirects are pasted back by hand).
pub const REDIRECT_URIS: &[&str] = &[
    "http://127.0.0.1/callback",
    "http://[::1]/callback",
    "http://localhost/callback",
    "https://app.example.com/oauth/callback",
];

/// The seeded clients (documented in docs/demo-provider.md).
pub const CLIENTS: &[Client] = &[
    Client {
        id: "demo-client",
        secret: Some("demo-secret"),
        grants: &[
            "client_credentials",
            "password",
            "refresh_token",
            "authorization_code",
            "implicit",
            "urn:ietf:params:oauth:grant-type:device_code",
        ],
        default_scope: "read",
        redirect_uris: REDIRECT_URIS,
        id_token_alg: "RS256",
        authorization_signed_response_alg: "RS256",
        jwks: None,
        tls_client_auth_subject_cn: None,
    },
    Client {
        id: "demo-public",
        secret: None,
        grants: &[
            "password",
            "refresh_token",
            "authorization_code",
            "implicit",
            "urn:ietf:params:oauth:grant-type:device_code",
        ],
        default_scope: "read",
        redirect_uris: REDIRECT_URIS,
        id_token_alg: "RS256",
        authorization_signed_response_alg: "RS256",
        jwks: None,
        tls_client_auth_subject_cn: None,
    },
    Client {
        id: "demo-es256",
        secret: Some("es256-secret"),
        grants: &[
            "authorization_code",
            "implicit",
            "password",
            "refresh_token",
        ],
        default_scope: "openid",
        redirect_uris: REDIRECT_URIS,
        id_token_alg: "ES256",
        authorization_signed_response_alg: "ES256",
        jwks: None,
        tls_client_auth_subject_cn: None,
    },
    Client {
        id: "demo-readonly",
        secret: Some("readonly-secret"),
        grants: &["client_credentials"],
        default_scope: "read",
        redirect_uris: &[],
        id_token_alg: "RS256",
        authorization_signed_response_alg: "RS256",
        jwks: None,
        tls_client_auth_subject_cn: None,
    },
    Client {
        id: "demo-jwt",
        secret: None,
        grants: &[
            "client_credentials",
            "authorization_code",
            "refresh_token",
            "password",
            "urn:ietf:params:oauth:grant-type:device_code",
        ],
        default_scope: "read",
        redirect_uris: REDIRECT_URIS,
        id_token_alg: "RS256",
        authorization_signed_response_alg: "RS256",
        jwks: Some(include_str!(
            "../../assets/demo-keys/demo-jwt-es256.jwks.json"
        )),
        tls_client_auth_subject_cn: None,
    },
    Client {
        id: "demo-token-exchange",
        secret: Some("token-exchange-secret"),
        grants: &[
            "client_credentials",
            "password",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:token-exchange",
        ],
        default_scope: "read",
        redirect_uris: &[],
        id_token_alg: "RS256",
        authorization_signed_response_alg: "RS256",
        jwks: None,
        tls_client_auth_subject_cn: None,
    },
    Client {
        id: "demo-jwt-bearer",
        secret: Some("jwt-bearer-secret"),
        grants: &["urn:ietf:params:oauth:grant-type:jwt-bearer"],
        default_scope: "read",
        redirect_uris: &[],
        id_token_alg: "RS256",
        authorization_signed_response_alg: "RS256",
        jwks: Some(include_str!(
            "../../assets/demo-keys/demo-jwt-es256.jwks.json"
        )),
        tls_client_auth_subject_cn: None,
    },
    Client {
        id: "demo-ciba",
        secret: Some("ciba-secret"),
        grants: &["urn:openid:params:grant-type:ciba"],
        default_scope: "openid",
        redirect_uris: &[],
        id_token_alg: "RS256",
        authorization_signed_response_alg: "RS256",
        jwks: None,
        tls_client_auth_subject_cn: None,
    },
    Client {
        id: "demo-ciba-ping",
        secret: Some("ciba-ping-secret"),
        grants: &["urn:openid:params:grant-type:ciba"],
        default_scope: "openid",
        redirect_uris: &[],
        id_token_alg: "RS256",
        authorization_signed_response_alg: "RS256",
        jwks: None,
        tls_client_auth_subject_cn: None,
    },
    Client {
        id: "demo-mtls",
        secret: None,
        grants: &[
            "client_credentials",
            "authorization_code",
            "refresh_token",
            "password",
        ],
        default_scope: "read",
        redirect_uris: REDIRECT_URIS,
        id_token_alg: "RS256",
        authorization_signed_response_alg: "RS256",
        jwks: None,
        tls_client_auth_subject_cn: Some("demo-mtls"),
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
    /// Unix time (seconds) at which it expires: [`Store::sweep`] forgets it
    /// [`REMEMBERED_FOR`] later.
    pub expires_at: i64,
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
    /// When it was exchanged and rotated out (Unix seconds):
    /// [`Store::sweep`] forgets it [`REMEMBERED_FOR`] later.
    pub spent_at: Option<i64>,
    /// Revoked by the client.
    pub revoked: bool,
    /// When it was issued (Unix seconds).
    pub iat: i64,
    /// Access tokens issued with it, revoked together with it.
    pub access_jtis: Vec<String>,
    /// DPoP: the thumbprint of the key it is bound to (public clients,
    /// RFC 9449 §5); a refresh must prove that key.
    pub jkt: Option<String>,
    /// The sign-in behind it, said again in each refreshed access token
    /// (RFC 9470 §5.1).
    pub authentication: Option<super::step_up::AuthEvent>,
}

/// An opaque access token issued by a seed mode, by its value.
#[derive(Debug, Clone)]
pub struct OpaqueRecord {
    /// Client it was issued to (empty when the request named none).
    pub client_id: String,
    /// Resource owner (or client id for client tokens).
    pub sub: String,
    /// Scope granted.
    pub scope: String,
    /// Unix time in milliseconds at which it expires.
    pub expires_at_ms: i64,
    /// Why it no longer works, once revoked, logged out or replaced.
    pub revoked: Option<&'static str>,
}

/// A client account created through an API (the Orchestrator mode).
#[derive(Debug, Clone)]
pub struct Account {
    /// `client_id`.
    pub id: String,
    /// `client_secret`.
    pub secret: String,
    /// The user who created it.
    pub owner: String,
}

/// An authorization request waiting for the user to sign in and consent.
#[derive(Debug, Clone)]
pub struct Pending {
    /// Whose pages it is on.
    pub flavor: super::Mode,
    /// The client asking.
    pub client_id: String,
    /// Scope asked for.
    pub scope: String,
    /// What happens on consent.
    pub kind: PendingKind,
}

/// What a pending request is for.
#[derive(Debug, Clone)]
pub enum PendingKind {
    /// A browser authorization request (code or implicit).
    Authorize {
        /// Where to send the answer.
        redirect_uri: String,
        /// `code`, `token` or `id_token token`.
        response_type: String,
        /// `state`, echoed back.
        state: Option<String>,
        /// PKCE challenge and method.
        challenge: Option<(String, String)>,
        /// OpenID Connect nonce.
        nonce: Option<String>,
        /// `dpop_jkt` (RFC 9449 §10): the key the code is bound to.
        dpop_jkt: Option<String>,
        /// How the answer reaches the client.
        response_mode: super::response::ResponseMode,
        /// `acr_values` asked (OIDC Core §3.1.2.1, RFC 9470 §4).
        acr_values: Option<String>,
    },
    /// Approving a device (RFC 8628).
    Device {
        /// The device code being approved.
        device_code: String,
    },
}

/// An issued authorization code.
#[derive(Debug, Clone)]
pub struct CodeRecord {
    /// Client it was issued to.
    pub client_id: String,
    /// Redirect URI of the authorization request.
    pub redirect_uri: String,
    /// Scope granted.
    pub scope: String,
    /// The user who consented.
    pub sub: String,
    /// PKCE challenge and method.
    pub challenge: Option<(String, String)>,
    /// Nonce for the ID token.
    pub nonce: Option<String>,
    /// `dpop_jkt` of the authorization request (RFC 9449 §10).
    pub dpop_jkt: Option<String>,
    /// When the user signed in.
    pub auth_time: i64,
    /// The authentication context the sign-in met (RFC 9470 §4).
    pub acr: String,
    /// Unix time after which it is refused.
    pub expires_at: i64,
    /// Exchanged already.
    pub used: bool,
    /// Access tokens issued from it (revoked when the code is replayed).
    pub access_jtis: Vec<String>,
    /// Refresh tokens issued from it.
    pub refresh_tokens: Vec<String>,
}

/// The state of a device code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceStatus {
    /// Waiting for the user.
    Pending,
    /// Approved by this user.
    Approved(String),
    /// The user said no.
    Denied,
    /// Tokens were issued; the code is spent.
    Used,
}

/// An issued device code.
#[derive(Debug, Clone)]
pub struct DeviceRecord {
    /// Client it was issued to.
    pub client_id: String,
    /// The code the user types.
    pub user_code: String,
    /// Scope asked for.
    pub scope: String,
    /// Unix time after which it is expired.
    pub expires_at: i64,
    /// Seconds the client must wait between polls; grows on slow_down.
    pub interval: u64,
    /// When it was last polled (or issued), in milliseconds.
    pub last_poll_ms: i64,
    /// Where the user got to.
    pub status: DeviceStatus,
}

/// Tokens issued by this server since it started.
#[derive(Debug, Default)]
pub struct Store {
    /// Access tokens by jti.
    pub access: HashMap<String, AccessRecord>,
    /// Refresh tokens by value.
    pub refresh: HashMap<String, RefreshRecord>,
    /// Refresh rotation: the token each used refresh token was exchanged
    /// for, so a reuse can revoke the whole family (RFC 9700 §4.14.2).
    pub refresh_successor: HashMap<String, String>,
    /// Authorization requests waiting for the user, by id.
    pub pending: HashMap<String, Pending>,
    /// Authorization codes.
    pub codes: HashMap<String, CodeRecord>,
    /// Signed-in browser sessions: session id to username.
    pub sessions: HashMap<String, String>,
    /// When each session signed in (Unix seconds), for `max_age`.
    pub signed_in_at: HashMap<String, i64>,
    /// Device codes.
    pub devices: HashMap<String, DeviceRecord>,
    /// Opaque access tokens of the seed modes, by value.
    pub opaque: HashMap<String, OpaqueRecord>,
    /// Client accounts created through the API, oldest first.
    pub accounts: Vec<Account>,
    /// Public keys registered with `POST /admin/clients/{id}/jwks`, which
    /// replace a client's seeded ones.
    pub client_jwks: HashMap<String, serde_json::Value>,
    /// Client assertions seen (`client_id` and `jti`), with their `exp`,
    /// refused when replayed (RFC 7523 §3).
    pub assertion_jtis: HashMap<(String, String), i64>,
    /// JWT bearer grant assertions seen (`client_id` and `jti`), with
    /// their `exp`, refused when replayed (RFC 7523 §3).
    pub grant_assertion_jtis: HashMap<(String, String), i64>,
    /// DPoP proofs seen (key thumbprint and `jti`), with their `iat`
    /// (RFC 9449 §11.1).
    pub dpop_jtis: HashMap<(String, String), i64>,
    /// DPoP nonces handed out, newest last; the last two are accepted.
    pub dpop_nonces: Vec<String>,
    /// Pushed authorization requests (RFC 9126), by `request_uri`.
    pub pushed: HashMap<String, Pushed>,
    /// OpenID sessions by `sid` (Back-Channel Logout §2.1).
    pub op_sessions: HashMap<String, super::logout::OpSession>,
    /// `backchannel_logout_uri` registered per client (Back-Channel Logout
    /// §2.2), with `POST /admin/clients/{id}/backchannel_logout_uri`.
    pub backchannel_uris: HashMap<String, String>,
    /// CIBA authentication requests, by `auth_req_id`.
    pub ciba: HashMap<String, super::ciba::CibaRecord>,
    /// Rich authorization requests' details (RFC 9396), by request, code
    /// and refresh token.
    pub rar: super::rar::Held,
    /// When [`Store::sweep`] last ran (Unix seconds).
    swept_at: i64,
}

/// How long the server remembers a token that can no longer be used: an
/// access token or code after it expired, a refresh token after it was
/// rotated out. Within this time a rotated-out refresh token that comes
/// back revokes its family (RFC 9700 §4.14.2); after it, it is refused as
/// unknown. Without a bound a day of 7-second tokens refreshed every few
/// seconds would grow the server's memory by thousands of records.
pub const REMEMBERED_FOR: i64 = 10 * 60;

impl Store {
    /// Forgets what can no longer be used and is older than
    /// [`REMEMBERED_FOR`]; at most once a minute (`now` in Unix seconds).
    pub fn sweep(&mut self, now: i64) {
        if now - self.swept_at < 60 {
            return;
        }
        self.swept_at = now;
        let horizon = now - REMEMBERED_FOR;
        self.access.retain(|_, record| record.expires_at > horizon);
        self.opaque
            .retain(|_, record| record.expires_at_ms > horizon * 1000);
        self.codes.retain(|_, record| record.expires_at > horizon);
        self.refresh
            .retain(|_, record| record.spent_at.is_none_or(|at| at > horizon));
        let refresh = &self.refresh;
        self.refresh_successor
            .retain(|spent, _| refresh.contains_key(spent));
        self.rar.keep_refresh(|token| refresh.contains_key(token));
    }
}

/// A pushed authorization request (RFC 9126 §2), waiting for its one use.
#[derive(Debug, Clone)]
pub struct Pushed {
    /// The client that pushed it.
    pub client_id: String,
    /// Its authorization request parameters (a request object's claims
    /// when it was pushed as one), checked when pushed.
    pub params: Vec<(String, String)>,
    /// Unix time after which it is refused.
    pub expires_at: i64,
}

/// A client by id: a seeded one, or one registered while running.
pub fn client(id: &str) -> Option<&'static Client> {
    CLIENTS
        .iter()
        .find(|c| c.id == id)
        .or_else(|| registered(id))
}

/// Clients registered while running (Dynamic Client Registration, Client
/// ID Metadata Documents; `src/demo/mcp.rs`). Lookups are plain functions
/// (`fn(&str) -> Option<&'static Client>`), so the list is kept for the
/// process, shared by every demo provider in it: registered ids are random
/// (or a document's own URL), so one provider never meets another's.
static REGISTERED: std::sync::Mutex<Vec<&'static Client>> = std::sync::Mutex::new(Vec::new());

/// How many clients may be registered in one process (each is kept for
/// its lifetime).
pub const MAX_REGISTERED: usize = 1000;

/// Registers `client` (replacing one with the same id).
pub fn register(client: Client) -> Result<&'static Client, &'static str> {
    let mut list = REGISTERED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if list.len() >= MAX_REGISTERED {
        return Err("this demo provider registers at most 1000 clients; restart it");
    }
    let client: &'static Client = Box::leak(Box::new(client));
    list.retain(|c| c.id != client.id);
    list.push(client);
    Ok(client)
}

fn registered(id: &str) -> Option<&'static Client> {
    REGISTERED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .iter()
        .find(|c| c.id == id)
        .copied()
}

/// A user by username.
pub fn user(username: &str) -> Option<&'static User> {
    USERS.iter().find(|u| u.username == username)
}

/// True when `uri` is registered for `client`; a loopback URI registered
/// without a port matches any port (RFC 8252 §7.3).
pub fn redirect_allowed(client: &Client, uri: &str) -> bool {
    let Ok(asked) = url::Url::parse(uri) else {
        return false;
    };
    client.redirect_uris.iter().any(|registered| {
        if *registered == uri {
            return true;
        }
        let Ok(registered) = url::Url::parse(registered) else {
            return false;
        };
        let loopback_ip = matches!(
            registered.host(),
            Some(url::Host::Ipv4(ip)) if ip.is_loopback()
        ) || matches!(registered.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback());
        loopback_ip
            && registered.port().is_none()
            && asked.scheme() == registered.scheme()
            && asked.host() == registered.host()
            && asked.path() == registered.path()
            && asked.query() == registered.query()
            && asked.fragment().is_none()
    })
}

/// A user code for the device grant: eight consonants, `WDJB-MJHT` style
/// (RFC 8628 §6.1).
pub fn user_code() -> String {
    const ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
    let mut buf = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut buf);
    let letters: String = buf
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    format!("{}-{}", &letters[..4], &letters[4..])
}

/// A random URL-safe string of `bytes` random bytes.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(expires_at: i64) -> AccessRecord {
        AccessRecord {
            client_id: "demo-client".to_string(),
            expires_at,
            revoked: false,
        }
    }

    fn refresh(spent_at: Option<i64>) -> RefreshRecord {
        RefreshRecord {
            client_id: "demo-client".to_string(),
            sub: "alice".to_string(),
            scope: "read".to_string(),
            used: spent_at.is_some(),
            spent_at,
            revoked: false,
            iat: 0,
            access_jtis: Vec::new(),
            jkt: None,
            authentication: None,
        }
    }

    fn keys<V>(map: &HashMap<String, V>) -> Vec<&str> {
        let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
        keys.sort_unstable();
        keys
    }

    #[test]
    fn spent_and_expired_tokens_are_forgotten_ten_minutes_on_and_nothing_else() {
        let now = 1_800_000_000;
        let long_ago = now - REMEMBERED_FOR - 1;
        let mut store = Store::default();
        store.access.insert("live".into(), access(now + 7));
        store.access.insert("expired".into(), access(now - 60));
        store
            .access
            .insert("expired-long-ago".into(), access(long_ago));
        store.refresh.insert("current".into(), refresh(None));
        store
            .refresh
            .insert("spent".into(), refresh(Some(now - 60)));
        store
            .refresh
            .insert("spent-long-ago".into(), refresh(Some(long_ago)));
        store
            .refresh_successor
            .insert("spent-long-ago".into(), "spent".into());
        store
            .refresh_successor
            .insert("spent".into(), "current".into());
        store.sweep(now);
        assert_eq!(keys(&store.access), ["expired", "live"]);
        assert_eq!(keys(&store.refresh), ["current", "spent"]);
        assert_eq!(
            keys(&store.refresh_successor),
            ["spent"],
            "the family of a token still remembered stays linked"
        );
        // At most once a minute.
        store.access.insert("expired-too".into(), access(long_ago));
        store.sweep(now + 59);
        assert!(store.access.contains_key("expired-too"));
        store.sweep(now + 60);
        assert!(!store.access.contains_key("expired-too"));
    }
}
