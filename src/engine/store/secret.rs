//! A newtype for secrets: client secrets, passwords and tokens.
//!
//! `Debug` and `Display` never print the value, so a secret cannot slip into a
//! log line or a panic message by accident. Reading it is explicit
//! ([`Secret::expose`]); serialising it is deliberate (profile files and the
//! CLI's `--json` output carry the real value).

use serde::{Deserialize, Serialize};

/// A string that must not be printed by accident.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself. Call this only where the value is needed: on the wire,
    /// in a file the user asked for, or on screen after the user revealed it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A short form that is safe to show: the first few characters, an
    /// ellipsis and the length (`eyJhbGci… (812 chars)`).
    pub fn abbreviated(&self) -> String {
        abbreviate(&self.0)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The first eight characters of `value`, an ellipsis and its length; values
/// of twelve characters or fewer are masked completely.
pub fn abbreviate(value: &str) -> String {
    let count = value.chars().count();
    if count <= 12 {
        return format!("•••• ({count} chars)");
    }
    let head: String = value.chars().take(8).collect();
    format!("{head}… ({count} chars)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let secret = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert_eq!(format!("{secret}"), "[redacted]");
        assert_eq!(secret.expose(), "hunter2-very-secret");
    }

    #[test]
    fn abbreviation_keeps_short_values_hidden() {
        assert_eq!(abbreviate("short"), "•••• (5 chars)");
        assert_eq!(abbreviate("abcdefghijklmnop"), "abcdefgh… (16 chars)");
    }
}
