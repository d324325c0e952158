//! What a command prints on stdout, one way for every command.
//!
//! A command builds its result and hands it to [`print`]: with `--json`,
//! one pretty-printed JSON object; otherwise the human text. Messages about
//! the run (progress, notes, errors) go to stderr, never here, so stdout
//! stays one JSON object that scripts can parse. `outln!` and `out!` are
//! the `println!`/`print!` underneath, safe when stdout closes early.
//!
//! The token set's two forms live here too ([`token_json`],
//! [`describe_tokens`]): `token`, `mcp` and the tests print them.

use serde::Serialize;
use serde_json::{Value, json};

use crate::engine::jwt::verify::{Verdict, Verification};
use crate::engine::{Secret, TokenSet};

/// `println!` that does not panic when stdout is closed early
/// (`oauth-debugger token … | head -1`): what cannot be written is dropped,
/// and the command still finishes and exits with its own code.
macro_rules! outln {
    () => {
        outln!("")
    };
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `print!`, likewise.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Prints a command's result on stdout: with `--json` (`json` true), the
/// value `to_json` builds, pretty-printed, and a newline; otherwise the text
/// `human` builds, as it is (it ends its own lines). Only the form asked
/// for is built.
pub(super) fn print(json: bool, to_json: impl FnOnce() -> Value, human: impl FnOnce() -> String) {
    if json {
        print_json(&to_json());
    } else {
        out!("{}", human());
    }
}

/// One JSON value on stdout, pretty-printed, and a newline.
pub(super) fn print_json(value: &impl Serialize) {
    outln!("{}", pretty(value));
}

/// `value` as pretty-printed JSON (empty if it cannot be: a map whose keys
/// are not strings).
pub(super) fn pretty(value: &impl Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// The `--json` form of a token set.
pub fn token_json(tokens: &TokenSet) -> String {
    token_json_verified(tokens, None)
}

/// [`token_json`] with the ID token's verification, when one was made, as
/// `id_token_verification`.
pub fn token_json_verified(tokens: &TokenSet, verification: Option<&Verification>) -> String {
    pretty(&token_value(tokens, verification))
}

/// The `--json` value of a token set (tokens in full), with the ID token's
/// verification, when one was made, as `id_token_verification`.
pub fn token_value(tokens: &TokenSet, verification: Option<&Verification>) -> Value {
    let mut value =
        serde_json::to_value(tokens).unwrap_or_else(|err| json!({ "error": err.to_string() }));
    if let Some(verification) = verification
        && let Some(object) = value.as_object_mut()
    {
        object.insert(
            "id_token_verification".to_string(),
            json!({
                "passed": verification.passed(),
                "checks": verification.checks,
                "findings": verification.findings,
            }),
        );
    }
    value
}

/// The ID token's checks after a grant, one line each, and the verdict.
pub fn describe_id_token_checks(verification: &Verification) -> String {
    let mut out = String::from("ID token verification (OpenID Connect Core §3.1.3.7):\n");
    for check in &verification.checks {
        out.push_str(&format!("  {check}\n"));
    }
    for finding in &verification.findings {
        out.push_str(&format!("  {finding}\n"));
    }
    let failed = verification
        .checks
        .iter()
        .filter(|c| c.verdict == Verdict::Fail)
        .count();
    out.push_str(&if failed == 0 {
        "  Verdict: the ID token verified (verify_id_token = false turns this off)\n".to_string()
    } else {
        format!("  Verdict: {failed} check(s) failed — do not trust this ID token\n")
    });
    out
}

/// The human form of a token set.
pub fn describe_tokens(tokens: &TokenSet, show_secrets: bool) -> String {
    let shown = |secret: &Secret| {
        if show_secrets {
            secret.expose().to_string()
        } else {
            secret.abbreviated()
        }
    };
    let dash = || "—".to_string();
    let mut out = format!("Token received ({} grant)\n", tokens.grant);
    let mut row = |name: &str, value: String| out.push_str(&format!("  {name:<14} {value}\n"));
    row("access_token", shown(&tokens.access_token));
    row(
        "token_type",
        tokens
            .token_type
            .clone()
            .unwrap_or_else(|| "(missing — treated as Bearer)".to_string()),
    );
    row(
        "expires_in",
        match (tokens.expires_in, tokens.expires_at) {
            (Some(secs), Some(at)) => format!("{secs} s (expires at {})", at.to_rfc3339()),
            (Some(secs), None) => format!("{secs} s"),
            _ => "(unknown)".to_string(),
        },
    );
    row(
        "refresh_token",
        tokens
            .refresh_token
            .as_ref()
            .map(shown)
            .unwrap_or_else(dash),
    );
    row("scope", tokens.scope.clone().unwrap_or_else(dash));
    row(
        "id_token",
        tokens.id_token.as_ref().map(shown).unwrap_or_else(dash),
    );
    if let Some(issued) = &tokens.issued_token_type {
        row("issued_token_type", issued.clone());
    }
    for (name, value) in &tokens.other {
        row(name, value.to_string());
    }
    // RFC 9396 §7: what was asked, beside the granted value above.
    if let Some(asked) = tokens
        .authorization_details
        .as_ref()
        .and_then(|d| d.asked.as_ref())
    {
        row("authorization_details asked", asked.to_string());
    }
    if !tokens.delegation.is_empty() {
        // RFC 8693 §4.1: the current actor first, prior actors nested.
        out.push_str("Delegation (act):\n");
        for (depth, actor) in tokens.delegation.iter().enumerate() {
            let name = actor
                .get("sub")
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .unwrap_or_else(|| serde_json::Value::Object(actor.clone()).to_string());
            let role = if depth == 0 { "current" } else { "prior" };
            out.push_str(&format!("  {}{name} ({role} actor)\n", "  ".repeat(depth)));
        }
    }
    if !tokens.findings.is_empty() {
        out.push_str("Findings:\n");
        for finding in &tokens.findings {
            out.push_str(&format!("  {finding}\n"));
        }
    }
    out
}
