//! What goes over the wire: the recording HTTP client, compatibility rewriting, the loopback redirect listener, the browser, and the exports of what was sent (curl, HAR, Mermaid), with secrets redacted.

pub mod browser;
pub mod callback;
pub mod clock;
pub mod compat;
pub mod curl;
pub mod exchange;
pub mod export;
pub mod har;
pub mod http;
pub mod redact;
