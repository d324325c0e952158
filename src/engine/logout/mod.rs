//! Logging out: at the OpenID provider, both ways round, and with the
//! profile's own logout request.
//!
//! - [`rp_initiated`]: the debugger sends the browser to the provider's
//!   `end_session_endpoint` with `id_token_hint`, `client_id`,
//!   `post_logout_redirect_uri`, `state`, `logout_hint` and `ui_locales`
//!   (OpenID Connect RP-Initiated Logout 1.0 §2), captures the return on the
//!   loopback listener the grants use ([`crate::engine::wire::callback`]) and checks that
//!   `state` came back unchanged (§3).
//! - [`back_channel`]: the debugger serves a loopback
//!   `backchannel_logout_uri` (OpenID Connect Back-Channel Logout 1.0 §2.2),
//!   has each logout token it receives validated check by check
//!   ([`logout_token`], §2.6) and answers 200 or 400 (§2.8).
//!
//! - [`request`]: the profile's own `[logout]` API request, sent with the
//!   access token.
//!
//! Front-channel logout (OpenID Connect Front-Channel Logout 1.0) is not
//! implemented: it needs an iframe in a browser page the debugger does not
//! have. The CLI and the app both call these functions; docs/logout.md is
//! the user's guide.

pub mod back_channel;
pub mod logout_token;
pub mod request;
pub mod rp_initiated;

pub use back_channel::BackChannelListener;
pub use logout_token::{
    BACKCHANNEL_LOGOUT_EVENT, LogoutTokenContext, LogoutTokenReport, SessionRef,
    validate_logout_token,
};
pub use rp_initiated::{LogoutError, LogoutOptions, LogoutOutcome, LogoutProgress, rp_initiated};
