//! One call to one server endpoint each: the protected API, discovery, introspection, revocation, userinfo.

pub mod api;
pub mod autodiscovery;
pub mod discovery;
pub mod introspection;
pub mod revoke;
pub mod userinfo;
