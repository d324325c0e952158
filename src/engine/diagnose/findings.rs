//! Findings: what a response did that the specifications do not ask for.
//!
//! A debugger's job is to carry on where it safely can and say what was odd.
//! Each finding names the rule it concerns, so the user can look it up.

use serde::{Deserialize, Serialize};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Allowed, but worth knowing.
    Info,
    /// Breaks a rule; the engine worked around it.
    Warning,
    /// Breaks a rule badly enough that strict clients fail.
    Error,
}

impl Severity {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

/// One observation about a response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// How much it matters.
    pub severity: Severity,
    /// A stable identifier, e.g. `token_type_missing`.
    pub code: String,
    /// What was seen, for people.
    pub message: String,
    /// The rule concerned, e.g. `RFC 6749 §5.1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

impl Finding {
    /// A finding citing `reference`.
    pub fn new(
        severity: Severity,
        code: &str,
        message: impl Into<String>,
        reference: Option<&str>,
    ) -> Self {
        Self {
            severity,
            code: code.to_string(),
            message: message.into(),
            reference: reference.map(str::to_string),
        }
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {}", self.severity.as_str(), self.message)?;
        if let Some(reference) = &self.reference {
            write!(f, " ({reference})")?;
        }
        Ok(())
    }
}

/// `content_type_not_json` unless `content_type` is JSON
/// (`application/json` or `…+json`), citing `reference`.
pub fn content_type_not_json(content_type: &str, reference: &str) -> Option<Finding> {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json" || essence.ends_with("+json") {
        return None;
    }
    let shown = if content_type.is_empty() {
        "(none)"
    } else {
        content_type
    };
    Some(Finding::new(
        Severity::Warning,
        "content_type_not_json",
        format!("Content-Type is {shown:?}, not application/json"),
        Some(reference),
    ))
}

/// At most `max` characters of `body` as text, with a note of what was cut —
/// for quoting what a server sent in an error message.
pub fn excerpt(body: &[u8], max: usize) -> String {
    if body.is_empty() {
        return "(empty body)".to_string();
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let count = text.chars().count();
    if count <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}… ({} bytes in all)", body.len())
}
