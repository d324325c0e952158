//! A recorded request as a curl command line, for "Copy as curl".
//!
//! [`to_curl`] writes the request as it is (pass it through
//! [`crate::engine::wire::redact::request`] first to mask secrets). [`to_curl_script`]
//! writes a command that runs as it is, with every secret — bearer token,
//! Basic credentials, secret form and query parameters — taken from a shell
//! variable (`$ACCESS_TOKEN`, `$CLIENT_SECRET`…), and the `export` lines
//! that set them only when the values are asked for.

use crate::engine::wire::http::RecordedRequest;
use crate::engine::wire::redact::SECRET_FIELDS;

/// Headers curl sets on its own from the command line; repeating them would
/// only add noise (Host and Content-Length are computed by curl).
const IMPLIED: &[&str] = &["host", "content-length"];

/// The request as a `curl` command a shell can run as it is.
pub fn to_curl(request: &RecordedRequest) -> String {
    let mut parts = vec!["curl".to_string(), "-sS".to_string(), "-i".to_string()];
    if request.method != "GET" || !request.body.is_empty() {
        parts.push("-X".to_string());
        parts.push(quote(&request.method));
    }
    for (name, value) in &request.headers {
        if IMPLIED.contains(&name.to_ascii_lowercase().as_str()) {
            continue;
        }
        parts.push("-H".to_string());
        parts.push(quote(&format!("{name}: {value}")));
    }
    if !request.body.is_empty() {
        parts.push("--data-binary".to_string());
        parts.push(quote(&String::from_utf8_lossy(&request.body)));
    }
    parts.push(quote(&request.url));
    parts.join(" ")
}

/// A piece of a shell word: literal text, or a variable's value.
enum Piece {
    Text(String),
    Var(String),
}

/// Variables a script needs, in order of first use, with their values.
#[derive(Default)]
struct Vars(Vec<(String, String)>);

impl Vars {
    /// The variable for `value`, named after `name` (`client_secret` →
    /// `CLIENT_SECRET`); the same value keeps one variable.
    fn take(&mut self, name: &str, value: &str) -> Piece {
        let base: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        if let Some((existing, _)) = self.0.iter().find(|(_, v)| v == value) {
            return Piece::Var(existing.clone());
        }
        let mut var = base.clone();
        let mut n = 2;
        while self.0.iter().any(|(k, _)| *k == var) {
            var = format!("{base}_{n}");
            n += 1;
        }
        self.0.push((var.clone(), value.to_string()));
        Piece::Var(var)
    }
}

/// A word of pieces for a POSIX shell: single-quoted when it has no
/// variable, double-quoted (with `$`, `` ` ``, `"` and `\` escaped in the
/// text) when it has.
fn word(pieces: &[Piece]) -> String {
    if pieces.iter().all(|p| matches!(p, Piece::Text(_))) {
        let text: String = pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.as_str(),
                Piece::Var(_) => "",
            })
            .collect();
        return quote(&text);
    }
    let mut out = String::from("\"");
    for piece in pieces {
        match piece {
            Piece::Text(text) => {
                for c in text.chars() {
                    if matches!(c, '$' | '`' | '"' | '\\') {
                        out.push('\\');
                    }
                    out.push(c);
                }
            }
            Piece::Var(var) => out.push_str(&format!("${{{var}}}")),
        }
    }
    out.push('"');
    out
}

/// `a=1&secret=x` with each secret parameter's value as a variable; the
/// other bytes stay as sent.
fn form_pieces(text: &str, vars: &mut Vars) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for (i, pair) in text.split('&').enumerate() {
        if i > 0 {
            pieces.push(Piece::Text("&".to_string()));
        }
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decoded: String = url::form_urlencoded::parse(name.as_bytes())
            .map(|(k, _)| k.into_owned())
            .next()
            .unwrap_or_default();
        if SECRET_FIELDS.contains(&decoded.as_str()) && !value.is_empty() {
            pieces.push(Piece::Text(format!("{name}=")));
            pieces.push(vars.take(&decoded, value));
        } else {
            pieces.push(Piece::Text(pair.to_string()));
        }
    }
    pieces
}

/// The request as a script that runs as it is: secrets come from shell
/// variables; with `include_values` the `export` lines setting them come
/// first, otherwise a comment names the variables to set.
pub fn to_curl_script(request: &RecordedRequest, include_values: bool) -> String {
    let mut vars = Vars::default();
    let command = command_with(request, include_values, &mut vars, &["-i"]);
    if vars.0.is_empty() {
        return command;
    }
    let mut script = String::new();
    if include_values {
        for (var, value) in &vars.0 {
            script.push_str(&format!("export {var}={}\n", quote(value)));
        }
    } else {
        let names: Vec<&str> = vars.0.iter().map(|(k, _)| k.as_str()).collect();
        script.push_str(&format!(
            "# Set {} first (their values are not copied).\n",
            names.join(", ")
        ));
    }
    script.push_str(&command);
    script
}

/// Several requests as one bash script that replays them in order, each
/// printing its HTTP status on stdout (the bodies go to stderr). Secrets
/// come from shell variables shared by all the requests; with
/// `include_values` the script sets them, otherwise it stops at once,
/// naming any that is not set.
pub fn to_curl_run_script(requests: &[&RecordedRequest], include_values: bool) -> String {
    let mut vars = Vars::default();
    let mut commands = Vec::new();
    for (index, request) in requests.iter().enumerate() {
        let path = request
            .url
            .split_once('?')
            .map_or(request.url.as_str(), |(base, _)| base);
        commands.push(format!(
            "# {}. {} {path}\n{}\n",
            index + 1,
            request.method,
            command_with(
                request,
                include_values,
                &mut vars,
                &["-o", "/dev/stderr", "-w", "'%{http_code}\\n'"],
            )
        ));
    }
    let mut script = String::from(
        "#!/usr/bin/env bash\n# Replays the run's requests as oauth-debugger sent them; each prints\n# its HTTP status (the response bodies go to stderr).\nset -euo pipefail\n",
    );
    for (var, value) in &vars.0 {
        if include_values {
            script.push_str(&format!("export {var}={}\n", quote(value)));
        } else {
            script.push_str(&format!(
                ": \"${{{var}:?set {var} first (its value is not copied)}}\"\n"
            ));
        }
    }
    script.push('\n');
    script.push_str(&commands.join("\n"));
    script
}

/// One request as a curl command whose secrets are variables of `vars`;
/// `options` go right after `curl -sS`.
fn command_with(
    request: &RecordedRequest,
    include_values: bool,
    vars: &mut Vars,
    options: &[&str],
) -> String {
    let mut parts = vec!["curl".to_string(), "-sS".to_string()];
    parts.extend(options.iter().map(|o| o.to_string()));
    if request.method != "GET" || !request.body.is_empty() {
        parts.push("-X".to_string());
        parts.push(quote(&request.method));
    }
    for (name, value) in &request.headers {
        let lower = name.to_ascii_lowercase();
        if IMPLIED.contains(&lower.as_str()) {
            continue;
        }
        let pieces = match value.split_once(' ') {
            Some((scheme, secret)) if lower == "authorization" => {
                let var = if scheme.eq_ignore_ascii_case("basic") {
                    "basic_credentials"
                } else {
                    "access_token"
                };
                vec![
                    Piece::Text(format!("{name}: {scheme} ")),
                    vars.take(var, secret),
                ]
            }
            _ if matches!(lower.as_str(), "authorization" | "cookie" | "dpop") => {
                vec![Piece::Text(format!("{name}: ")), vars.take(&lower, value)]
            }
            _ => vec![Piece::Text(format!("{name}: {value}"))],
        };
        parts.push("-H".to_string());
        parts.push(word(&pieces));
    }
    if !request.body.is_empty() {
        let body = String::from_utf8_lossy(&request.body);
        let form = request.headers.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("content-type")
                && v.starts_with("application/x-www-form-urlencoded")
        });
        let pieces = if form {
            form_pieces(&body, vars)
        } else if include_values {
            vec![Piece::Text(body.into_owned())]
        } else {
            let masked = crate::engine::wire::redact::body(&request.body);
            vec![Piece::Text(String::from_utf8_lossy(&masked).into_owned())]
        };
        parts.push("--data-binary".to_string());
        parts.push(word(&pieces));
    }
    let url = match request.url.split_once('?') {
        Some((base, query)) => {
            let mut pieces = vec![Piece::Text(format!("{base}?"))];
            pieces.extend(form_pieces(query, vars));
            pieces
        }
        None => vec![Piece::Text(request.url.clone())],
    };
    parts.push(word(&url));
    parts.join(" ")
}

/// Single-quotes a word for a POSIX shell.
fn quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c))
    {
        return word.to_string();
    }
    format!("'{}'", word.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token_request() -> RecordedRequest {
        RecordedRequest {
            method: "POST".into(),
            url: "http://127.0.0.1:7878/token".into(),
            headers: vec![
                ("authorization".into(), "Basic ZGVtbzpz".into()),
                (
                    "content-type".into(),
                    "application/x-www-form-urlencoded".into(),
                ),
            ],
            body: bytes::Bytes::from_static(
                b"grant_type=password&username=alice&password=p%24ss&scope=read",
            ),
        }
    }

    #[test]
    fn a_script_takes_secrets_from_variables_and_exports_them_only_when_asked() {
        let masked = to_curl_script(&token_request(), false);
        assert_eq!(
            masked,
            "# Set BASIC_CREDENTIALS, PASSWORD first (their values are not copied).\n\
             curl -sS -i -X POST -H \"authorization: Basic ${BASIC_CREDENTIALS}\" \
             -H 'content-type: application/x-www-form-urlencoded' \
             --data-binary \"grant_type=password&username=alice&password=${PASSWORD}&scope=read\" \
             http://127.0.0.1:7878/token"
        );
        assert!(!masked.contains("ZGVtbzpz") && !masked.contains("p%24ss"));
        let shown = to_curl_script(&token_request(), true);
        assert!(
            shown.starts_with("export BASIC_CREDENTIALS=ZGVtbzpz\nexport PASSWORD=p%24ss\ncurl "),
            "{shown}"
        );
    }

    #[test]
    fn a_bearer_token_becomes_access_token() {
        let request = RecordedRequest {
            method: "GET".into(),
            url: "http://127.0.0.1:7878/api/items?access_token=abc&page=2".into(),
            headers: vec![("Authorization".into(), "Bearer abc".into())],
            body: bytes::Bytes::new(),
        };
        let script = to_curl_script(&request, false);
        assert!(
            script.contains("-H \"Authorization: Bearer ${ACCESS_TOKEN}\""),
            "{script}"
        );
        assert!(
            script.contains(
                "\"http://127.0.0.1:7878/api/items?access_token=${ACCESS_TOKEN}&page=2\""
            ),
            "{script}"
        );
        assert!(!script.contains("abc"), "{script}");
    }

    #[test]
    fn builds_a_runnable_command() {
        let request = RecordedRequest {
            method: "POST".into(),
            url: "http://127.0.0.1:7878/token".into(),
            headers: vec![
                ("host".into(), "127.0.0.1:7878".into()),
                ("authorization".into(), "Basic ZGVtbzpz".into()),
                ("x-odd".into(), "it's".into()),
            ],
            body: bytes::Bytes::from_static(b"grant_type=client_credentials&scope=read write"),
        };
        assert_eq!(
            to_curl(&request),
            "curl -sS -i -X POST -H 'authorization: Basic ZGVtbzpz' -H 'x-odd: it'\\''s' \
             --data-binary 'grant_type=client_credentials&scope=read write' http://127.0.0.1:7878/token"
        );
    }
}
