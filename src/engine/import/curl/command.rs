//! Reading a curl command line: shell words, then curl's own options\n(which take a value, which are ignored) into a [`Command`].

use crate::engine::profile::HttpFile;

/// Splits a command line into words as a POSIX shell does.
pub fn shell_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\n') => {}
                Some('\r') if chars.peek() == Some(&'\n') => {
                    chars.next();
                }
                Some('\r') => {}
                Some(next) => {
                    word.push(next);
                    in_word = true;
                }
                None => {}
            },
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("a single quote (') is never closed".to_string()),
                    }
                }
            }
            '$' if chars.peek() == Some(&'\'') => {
                chars.next();
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some('\\') => match chars.next() {
                            Some('n') => word.push('\n'),
                            Some('t') => word.push('\t'),
                            Some('r') => word.push('\r'),
                            Some(other) => word.push(other),
                            None => return Err("a $'…' string is never closed".to_string()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("a $'…' string is never closed".to_string()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(e @ ('"' | '\\' | '$' | '`')) => word.push(e),
                            Some('\n') => {}
                            Some(other) => {
                                word.push('\\');
                                word.push(other);
                            }
                            None => return Err("a double quote (\") is never closed".to_string()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("a double quote (\") is never closed".to_string()),
                    }
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// The parts of a curl command this import reads.
#[derive(Debug, Default)]
pub(super) struct Command {
    pub(super) url: Option<String>,
    pub(super) method: Option<String>,
    pub(super) headers: Vec<(String, String)>,
    /// `-d`/`--data*`, in order, joined with `&` as curl does.
    pub(super) data: Vec<String>,
    /// `-F name=value`.
    pub(super) form: Vec<(String, String)>,
    pub(super) user: Option<String>,
    pub(super) get: bool,
    pub(super) bearer: Option<String>,
    pub(super) http: HttpFile,
    /// Options read and deliberately without effect on a profile.
    pub(super) ignored: Vec<String>,
    /// Options this import does not know.
    pub(super) unknown: Vec<String>,
}

/// Options that take a value and change nothing a profile holds.
pub(super) const IGNORED_WITH_VALUE: &[&str] = &[
    "-o",
    "--output",
    "-w",
    "--write-out",
    "-A",
    "--user-agent",
    "-e",
    "--referer",
    "-b",
    "--cookie",
    "-c",
    "--cookie-jar",
    "--retry",
    "-D",
    "--dump-header",
];

/// Flags that change nothing a profile holds (output, progress, redirects:
/// the debugger never follows redirects anyway).
pub(super) const IGNORED_FLAGS: &[&str] = &[
    "-s",
    "--silent",
    "-S",
    "--show-error",
    "-i",
    "--include",
    "-v",
    "--verbose",
    "-L",
    "--location",
    "--compressed",
    "-f",
    "--fail",
    "--fail-with-body",
    "-#",
    "--progress-bar",
    "-N",
    "--no-buffer",
    "--http1.1",
    "--http2",
    "-g",
    "--globoff",
];

pub(super) fn parse(words: &[String]) -> Result<Command, String> {
    let mut command = Command::default();
    let mut args = words.iter().skip(1).peekable();
    while let Some(arg) = args.next() {
        // `--data=x` and `-dx` forms.
        let (name, inline): (String, Option<String>) = if let Some(rest) = arg.strip_prefix("--") {
            match rest.split_once('=') {
                Some((n, v)) if !rest.is_empty() => (format!("--{n}"), Some(v.to_string())),
                _ => (arg.clone(), None),
            }
        } else if arg.starts_with('-')
            && arg.len() > 2
            && arg.is_char_boundary(2)
            && !IGNORED_FLAGS.contains(&arg.as_str())
        {
            let short = &arg[..2];
            if takes_value(short) {
                (short.to_string(), Some(arg[2..].to_string()))
            } else if arg[1..].chars().all(|c| c.is_ascii_alphabetic()) {
                // Combined flags (`-sSL`): each on its own.
                for flag in arg[1..].chars() {
                    let flag = format!("-{flag}");
                    apply_flag(&mut command, &flag);
                }
                continue;
            } else {
                (arg.clone(), None)
            }
        } else {
            (arg.clone(), None)
        };
        if !name.starts_with('-') || name == "-" {
            if command.url.is_none() {
                command.url = Some(name);
            } else {
                command.unknown.push(format!("`{name}` (a second URL)"));
            }
            continue;
        }
        if takes_value(&name) {
            let value = match inline {
                Some(value) => value,
                None => args
                    .next()
                    .cloned()
                    .ok_or_else(|| format!("{name} needs a value"))?,
            };
            apply_value(&mut command, &name, value);
        } else {
            apply_flag(&mut command, &name);
        }
    }
    Ok(command)
}

pub(super) fn takes_value(name: &str) -> bool {
    matches!(
        name,
        "-X" | "--request"
            | "-H"
            | "--header"
            | "-d"
            | "--data"
            | "--data-raw"
            | "--data-ascii"
            | "--data-binary"
            | "--data-urlencode"
            | "-F"
            | "--form"
            | "--form-string"
            | "-u"
            | "--user"
            | "--url"
            | "--oauth2-bearer"
            | "--cacert"
            | "-E"
            | "--cert"
            | "--key"
            | "-x"
            | "--proxy"
            | "-m"
            | "--max-time"
            | "--connect-timeout"
    ) || IGNORED_WITH_VALUE.contains(&name)
}

pub(super) fn apply_flag(command: &mut Command, name: &str) {
    match name {
        "-G" | "--get" => command.get = true,
        "-k" | "--insecure" => command.http.accept_invalid_certs = Some(true),
        "-I" | "--head" => command.method = Some("HEAD".to_string()),
        flag if IGNORED_FLAGS.contains(&flag) => command.ignored.push(flag.to_string()),
        other => command.unknown.push(format!("`{other}`")),
    }
}

pub(super) fn apply_value(command: &mut Command, name: &str, value: String) {
    match name {
        "-X" | "--request" => command.method = Some(value.to_ascii_uppercase()),
        "-H" | "--header" => match value.split_once(':') {
            Some((n, v)) => command
                .headers
                .push((n.trim().to_string(), v.trim().to_string())),
            None => command
                .unknown
                .push(format!("-H `{value}` (not a `Name: value` header)")),
        },
        "-d" | "--data" | "--data-ascii" | "--data-binary" | "--data-raw" => {
            if name != "--data-raw" && value.starts_with('@') {
                command.unknown.push(format!(
                    "{name} `{value}` (a body read from a file, which is not in the command)"
                ));
            } else {
                command.data.push(value);
            }
        }
        "--data-urlencode" => command.data.push(urlencode_data(&value)),
        "-F" | "--form" | "--form-string" => match value.split_once('=') {
            Some((_, v)) if v.starts_with('@') || v.starts_with('<') => command.unknown.push(
                format!("{name} `{value}` (a file upload, which is not in the command)"),
            ),
            Some((n, v)) => command.form.push((n.to_string(), v.to_string())),
            None => command.unknown.push(format!("{name} `{value}`")),
        },
        "-u" | "--user" => command.user = Some(value),
        "--url" => command.url = Some(value),
        "--oauth2-bearer" => command.bearer = Some(value),
        "--cacert" => command.http.ca_file = Some(value),
        "-E" | "--cert" => command.http.client_cert_file = Some(value),
        "--key" => command.http.client_key_file = Some(value),
        "-x" | "--proxy" => command.http.proxy = Some(value),
        "-m" | "--max-time" => match value.parse::<f64>() {
            Ok(secs) if secs >= 1.0 => command.http.timeout_secs = Some(secs.ceil() as u64),
            _ => command.unknown.push(format!("{name} `{value}`")),
        },
        "--connect-timeout" => match value.parse::<f64>() {
            Ok(secs) if secs >= 1.0 => command.http.connect_timeout_secs = Some(secs.ceil() as u64),
            _ => command.unknown.push(format!("{name} `{value}`")),
        },
        other => command.ignored.push(format!("{other} {value}")),
    }
}

/// `--data-urlencode` as curl reads it: `name=content` encodes the content,
/// `=content` and `content` encode all of it.
pub(super) fn urlencode_data(value: &str) -> String {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    match value.split_once('=') {
        Some(("", content)) => encode(content),
        Some((name, content)) => format!("{name}={}", encode(content)),
        None => encode(value),
    }
}
