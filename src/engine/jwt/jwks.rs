//! JSON Web Key Sets (RFC 7517 §5): fetched from a `jwks_uri`, cached by
//! that URI, and fetched again — once — when a token names a `kid` the
//! cached set does not have (the server rotated its keys).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use jsonwebtoken::jwk::Jwk;
use serde_json::Value;
use url::Url;

use crate::engine::error::EngineError;
use crate::engine::wire::http::{Exchange, ExchangeKind, HttpClient};

/// A key set as fetched.
#[derive(Debug, Clone)]
pub struct Jwks {
    /// Where it came from.
    pub uri: Url,
    /// The document as sent.
    pub raw: Value,
    /// The keys this debugger can use.
    pub keys: Vec<Jwk>,
    /// Keys it cannot use, each with why (an unknown `kty`, a missing
    /// member).
    pub skipped: Vec<String>,
    /// When it was fetched.
    pub fetched_at: DateTime<Utc>,
}

impl Jwks {
    /// The key ids in the set, in order (keys without one are left out).
    pub fn kids(&self) -> Vec<&str> {
        self.keys
            .iter()
            .filter_map(|k| k.common.key_id.as_deref())
            .collect()
    }

    /// Whether the set has a key with id `kid`.
    pub fn has_kid(&self, kid: &str) -> bool {
        self.kids().contains(&kid)
    }
}

/// Reads a JWKS document tolerantly: every key that parses is kept, the
/// others are listed in [`Jwks::skipped`].
pub fn parse(uri: &Url, raw: Value) -> Jwks {
    let mut keys = Vec::new();
    let mut skipped = Vec::new();
    let list = raw
        .get("keys")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if raw.get("keys").is_none_or(|k| !k.is_array()) {
        skipped.push("the document has no \"keys\" array (RFC 7517 §5)".to_string());
    }
    for (index, key) in list.into_iter().enumerate() {
        let kid = key
            .get("kid")
            .and_then(Value::as_str)
            .map(|k| format!(" ({k})"))
            .unwrap_or_default();
        match serde_json::from_value::<Jwk>(key) {
            Ok(jwk) => keys.push(jwk),
            Err(err) => skipped.push(format!("key {index}{kid}: {err}")),
        }
    }
    Jwks {
        uri: uri.clone(),
        raw,
        keys,
        skipped,
        fetched_at: Utc::now(),
    }
}

/// Fetches the key set at `uri`.
pub async fn fetch(http: &HttpClient, uri: &Url) -> Result<(Jwks, Exchange), EngineError> {
    let exchange = http
        .get_json(uri, ExchangeKind::Discovery, None)
        .await
        .map_err(|error| EngineError::Transport {
            error,
            exchange: None,
        })?;
    let (exchange, object) = EngineError::require_json_object(exchange, "JWKS")?;
    Ok((parse(uri, Value::Object(object)), exchange))
}

/// A key set from the cache or the wire.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// The set.
    pub jwks: Arc<Jwks>,
    /// How many times it was fetched for this lookup: 0 from the cache, 1,
    /// or 2 when the first set lacked the `kid` asked for.
    pub fetches: u32,
    /// True when it was fetched again because the `kid` was unknown.
    pub refetched: bool,
}

/// Key sets by `jwks_uri`. Cheap to clone; clones share the cache.
#[derive(Debug, Clone, Default)]
pub struct JwksCache {
    sets: Arc<Mutex<HashMap<String, Arc<Jwks>>>>,
}

impl JwksCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The cached set for `uri`, if there is one.
    pub fn cached(&self, uri: &Url) -> Option<Arc<Jwks>> {
        self.sets
            .lock()
            .ok()
            .and_then(|sets| sets.get(uri.as_str()).cloned())
    }

    /// Forgets every cached set.
    pub fn clear(&self) {
        if let Ok(mut sets) = self.sets.lock() {
            sets.clear();
        }
    }

    async fn refresh(&self, http: &HttpClient, uri: &Url) -> Result<Arc<Jwks>, EngineError> {
        let (jwks, _) = fetch(http, uri).await?;
        let jwks = Arc::new(jwks);
        if let Ok(mut sets) = self.sets.lock() {
            sets.insert(uri.as_str().to_string(), jwks.clone());
        }
        Ok(jwks)
    }

    /// The set at `uri` for a token whose header names `kid`: the cached
    /// set when it has that key (or when no kid is named), otherwise the set
    /// fetched again, once.
    pub async fn for_kid(
        &self,
        http: &HttpClient,
        uri: &Url,
        kid: Option<&str>,
    ) -> Result<Lookup, EngineError> {
        let mut fetches = 0;
        let jwks = match self.cached(uri) {
            Some(jwks) => jwks,
            None => {
                fetches += 1;
                self.refresh(http, uri).await?
            }
        };
        // A set whose keys carry no kid cannot tell a rotation apart.
        let unknown = kid.filter(|kid| !jwks.kids().is_empty() && !jwks.has_kid(kid));
        let Some(kid) = unknown else {
            return Ok(Lookup {
                jwks,
                fetches,
                refetched: false,
            });
        };
        if fetches > 0 {
            // Just fetched: asking again would not help.
            tracing::debug!("kid {kid} is not in the fresh JWKS at {uri}");
            return Ok(Lookup {
                jwks,
                fetches,
                refetched: false,
            });
        }
        let jwks = self.refresh(http, uri).await?;
        Ok(Lookup {
            jwks,
            fetches: fetches + 1,
            refetched: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unusable_keys_are_listed_not_fatal() {
        let uri = Url::parse("http://127.0.0.1/jwks").expect("url");
        let jwks = parse(
            &uri,
            json!({"keys": [
                {"kty": "oct", "kid": "a", "k": "c2VjcmV0"},
                {"kty": "XYZ", "kid": "b"},
                {"kty": "EC", "kid": "c", "crv": "P-256",
                 "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                 "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}
            ]}),
        );
        assert_eq!(jwks.kids(), vec!["a", "c"]);
        assert_eq!(jwks.skipped.len(), 1, "{:?}", jwks.skipped);
        assert!(jwks.skipped[0].contains("(b)"));
        let empty = parse(&uri, json!({}));
        assert!(empty.keys.is_empty());
        assert_eq!(empty.skipped.len(), 1);
    }
}
