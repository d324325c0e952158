//! A recorded request as a curl command line, for "Copy as curl".
//!
//! Pass the request through [`super::redact::request`] first unless the user
//! revealed secrets.

use super::http::RecordedRequest;

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
            body: b"grant_type=client_credentials&scope=read write".to_vec(),
        };
        assert_eq!(
            to_curl(&request),
            "curl -sS -i -X POST -H 'authorization: Basic ZGVtbzpz' -H 'x-odd: it'\\''s' \
             --data-binary 'grant_type=client_credentials&scope=read write' http://127.0.0.1:7878/token"
        );
    }
}
