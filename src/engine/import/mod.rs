//! Imports: clients configured in other tools, turned into profiles.
//!
//! Each format has its own reader — [`postman`] (collection v2.1 and
//! environment), [`insomnia`] (export v4 JSON, v5 YAML), [`bruno`] (a
//! collection folder of `.bru` files) and [`curl`] (a pasted command line) —
//! and each produces [`ProfileFile`]s, the profile format as written, so the
//! usual validation ([`Profile::from_file`]) applies to what was imported.
//!
//! Nothing is dropped silently: an [`ImportReport`] says, per profile, what
//! was taken (`took`), what could not be mapped and why (`left_out`), and
//! what must be fixed before the profile runs (`to_fix`: variables defined
//! nowhere, and the profile's own validation problems). Variables are
//! resolved from the source's own definitions and the chosen environment;
//! one defined nowhere stays in place as `{{name}}` and is reported — except
//! in a secret, which is left empty rather than filed as a literal
//! placeholder.
//!
//! The format is told from the content, never from the file name alone.
//! What maps to what is documented per format in `docs/import.md`.

pub mod bruno;
pub mod curl;
pub mod insomnia;
pub mod postman;
mod vars;

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use serde::Serialize;

pub use vars::Vars;

use super::profile::{ApiFile, Profile, ProfileFile, RequestFile, TokenPlacementKind};
use crate::engine::store::secret::Secret;

/// The formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// A Postman collection (v2.1 or v2.0).
    Postman,
    /// An Insomnia export, v4 (JSON).
    InsomniaV4,
    /// An Insomnia collection, v5 (YAML).
    InsomniaV5,
    /// A Bruno collection folder (or one `.bru` file).
    Bruno,
    /// A curl command line.
    Curl,
}

impl Format {
    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Postman => "Postman collection",
            Self::InsomniaV4 => "Insomnia export (v4)",
            Self::InsomniaV5 => "Insomnia collection (v5)",
            Self::Bruno => "Bruno collection",
            Self::Curl => "curl command",
        }
    }
}

/// One profile made by an import, with what happened on the way.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportedProfile {
    /// The profile, secrets included.
    #[serde(skip)]
    pub file: ProfileFile,
    /// Where in the source it came from (`Collection > Folder > Request`).
    pub source: String,
    /// What was taken: `source key -> profile key`.
    pub took: Vec<String>,
    /// What could not be mapped, and why.
    pub left_out: Vec<String>,
    /// What to fix before the profile runs: variables defined nowhere, and
    /// the profile's own validation problems.
    pub to_fix: Vec<String>,
}

impl ImportedProfile {
    /// The profile's name.
    pub fn name(&self) -> &str {
        self.file.name.as_deref().unwrap_or("Imported")
    }
}

/// What an import made and what it met.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    /// The format read.
    pub format: Format,
    /// What was read (a file name, or "pasted text").
    pub source: String,
    /// The profiles, in source order.
    pub profiles: Vec<ImportedProfile>,
    /// What the import met outside any one profile: requests without OAuth
    /// 2.0, the environment used, environments not used.
    pub notes: Vec<String>,
}

impl ImportReport {
    /// The whole report as lines for people (no secret values in it).
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "{} — {}: {} profile{}",
            self.source,
            self.format.label(),
            self.profiles.len(),
            if self.profiles.len() == 1 { "" } else { "s" }
        )];
        lines.extend(self.notes.iter().map(|note| format!("  {note}")));
        for profile in &self.profiles {
            lines.push(format!("• {} (from {})", profile.name(), profile.source));
            for took in &profile.took {
                lines.push(format!("    took {took}"));
            }
            for left in &profile.left_out {
                lines.push(format!("    not mapped: {left}"));
            }
            for fix in &profile.to_fix {
                lines.push(format!("    to fix: {fix}"));
            }
        }
        lines
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines().join("\n"))
    }
}

/// Why nothing could be imported, for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ImportError(pub String);

/// Choices the source does not make by itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// The environment: for Postman the path of an environment file; for
    /// Insomnia the name of a sub-environment; for Bruno the name of a file
    /// in `environments/` (or its path).
    pub environment: Option<String>,
}

/// What to import: a file or folder, or text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportSource {
    /// A file (Postman, Insomnia, a `.bru` file, a curl command) or a Bruno
    /// collection folder.
    Path(std::path::PathBuf),
    /// Pasted text: a curl command line, or a whole export.
    Text(String),
}

/// Imports `source`.
pub fn import(source: &ImportSource, options: &ImportOptions) -> Result<ImportReport, ImportError> {
    match source {
        ImportSource::Path(path) => import_path(path, options),
        ImportSource::Text(text) => import_text(text, "pasted text", options),
    }
}

/// Imports the file or Bruno folder at `path`, telling the format from the
/// content.
pub fn import_path(path: &Path, options: &ImportOptions) -> Result<ImportReport, ImportError> {
    let shown = path.display().to_string();
    if path.is_dir() {
        return bruno::import_folder(path, options);
    }
    let bytes = std::fs::read(path)
        .map_err(|err| ImportError(format!("{shown}: cannot read the file: {err}")))?;
    let text =
        String::from_utf8(bytes).map_err(|_| ImportError(format!("{shown}: is not UTF-8 text")))?;
    if path.extension().is_some_and(|e| e == "bru") {
        return bruno::import_file(path, &text, options);
    }
    import_text(&text, &shown, options)
}

/// Imports pasted text (or stdin): a curl command line, a Postman
/// collection, an Insomnia export. `source` names it in the report.
pub fn import_text(
    text: &str,
    source: &str,
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Err(ImportError(format!(
            "{source}: is empty; nothing to import"
        )));
    }
    // A pasted command may come with comment lines (`# …`) above it.
    let command: String = trimmed
        .lines()
        .skip_while(|line| line.trim().is_empty() || line.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    if curl::looks_like_curl(&command) {
        return curl::import(&command, source);
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let value: serde_json::Value = serde_json::from_str(trimmed).map_err(|err| {
            ImportError(format!(
                "{source}: is not valid JSON (line {}, column {}): {err}",
                err.line(),
                err.column()
            ))
        })?;
        return import_json(&value, source, options);
    }
    if insomnia::looks_like_v5(trimmed) {
        return insomnia::import_v5(trimmed, source, options);
    }
    if trimmed.contains("auth:oauth2") || trimmed.starts_with("meta {") {
        return bruno::import_text(trimmed, source, options);
    }
    Err(ImportError(format!(
        "{source}: is not a format this import reads: not a curl command, not JSON (Postman collection, Insomnia v4 export), not an Insomnia v5 YAML collection, not a Bruno .bru file"
    )))
}

fn import_json(
    value: &serde_json::Value,
    source: &str,
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    if postman::is_environment(value) {
        return Err(ImportError(format!(
            "{source}: is a Postman environment: it holds variables, not clients. Import the collection, with this file as its environment (--env {source})"
        )));
    }
    if postman::is_collection(value) {
        return postman::import(value, source, options);
    }
    if insomnia::is_v4(value) {
        return insomnia::import_v4(value, source, options);
    }
    Err(ImportError(format!(
        "{source}: is JSON, but neither a Postman collection (no `info.schema` naming a collection) nor an Insomnia export (no `_type: \"export\"`)"
    )))
}

// ---------------------------------------------------------------------------
// Shared by the formats.

/// A profile being built: the file, and what happened, as it happens.
#[derive(Debug, Default)]
pub(crate) struct Draft {
    pub(crate) file: ProfileFile,
    pub(crate) source: String,
    pub(crate) took: Vec<String>,
    pub(crate) left_out: Vec<String>,
    /// Variables defined nowhere: (name, profile key).
    unresolved: BTreeSet<(String, String)>,
}

/// How the imported tool placed the token in API requests, for the
/// profile's `[api]`.
pub(crate) struct TokenUse<'a> {
    /// In the query string: the tool's setting that said so, and the
    /// parameter's name when the tool names one.
    pub(crate) query: Option<(&'a str, Option<String>)>,
    /// The tool's setting for the header prefix, and its value (`Bearer`,
    /// the default, is not written).
    pub(crate) prefix: (&'a str, String),
}

impl Draft {
    /// Keeps the requests that used the client, each as a `[[requests]]`
    /// entry; the first also becomes the profile's `[api]`, with the token
    /// placed as the tool placed it.
    pub(crate) fn keep_requests(
        &mut self,
        requests: Vec<(String, RequestFile)>,
        token: &TokenUse<'_>,
    ) {
        for (index, (name, saved)) in requests.into_iter().enumerate() {
            if index == 0 {
                let mut api = ApiFile {
                    url: saved.url.clone(),
                    method: saved.method.clone(),
                    body: saved.body.clone(),
                    headers: saved.headers.clone(),
                    query: saved.query.clone(),
                    ..ApiFile::default()
                };
                if let Some((setting, param)) = &token.query {
                    api.token_placement = Some(TokenPlacementKind::Query);
                    api.query_param.clone_from(param);
                    self.took
                        .push(format!("{setting} -> api.token_placement = query"));
                }
                let (setting, prefix) = &token.prefix;
                if !prefix.is_empty() && prefix != "Bearer" {
                    api.header_prefix = Some(prefix.clone());
                    self.took.push(format!("{setting} -> api.header_prefix"));
                }
                self.took.push(format!("request `{name}` -> [api]"));
                self.file.api = Some(api);
            }
            self.took.push(format!("request `{name}` -> [[requests]]"));
            self.file.requests.push(saved);
        }
    }

    pub(crate) fn new(source: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            ..Self::default()
        }
    }

    /// `value` with its variables resolved, recorded as taken from `from`
    /// into `to`; `None` for an empty value.
    pub(crate) fn take(
        &mut self,
        vars: &Vars,
        from: &str,
        to: &str,
        value: &str,
    ) -> Option<String> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        let resolved = vars.resolve(value);
        for name in resolved.unresolved {
            self.unresolved.insert((name, to.to_string()));
        }
        self.took.push(format!("{from} -> {to}"));
        Some(resolved.text)
    }

    /// A secret: resolved like [`Draft::take`], but a value that still holds
    /// a variable defined nowhere is left out (a placeholder is no secret).
    pub(crate) fn take_secret(
        &mut self,
        vars: &Vars,
        from: &str,
        to: &str,
        value: &str,
    ) -> Option<Secret> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        let resolved = vars.resolve(value);
        if !resolved.unresolved.is_empty() {
            self.left_out.push(format!(
                "{from}: `{value}` uses {} defined nowhere; {to} is left empty — type it in the editor",
                names(&resolved.unresolved)
            ));
            return None;
        }
        self.took.push(format!("{from} -> {to} (secret)"));
        Some(Secret::new(resolved.text))
    }

    pub(crate) fn leave(&mut self, what: impl Into<String>) {
        self.left_out.push(what.into());
    }

    /// The finished profile: its problems under the usual validation, and
    /// the variables still to define.
    pub(crate) fn finish(self) -> ImportedProfile {
        let mut to_fix: Vec<String> = self
            .unresolved
            .iter()
            .map(|(name, key)| {
                format!(
                    "variable `{name}` is defined nowhere (source or environment): kept as {{{{{name}}}}} in {key}"
                )
            })
            .collect();
        if let Err(err) = Profile::from_file(&self.file, "imported") {
            to_fix.extend(err.problems.iter().map(|p| match &p.key {
                Some(key) => format!("{key}: {}", p.message),
                None => p.message.clone(),
            }));
        }
        ImportedProfile {
            file: self.file,
            source: self.source,
            took: self.took,
            left_out: self.left_out,
            to_fix,
        }
    }
}

fn names(list: &[String]) -> String {
    let quoted: Vec<String> = list.iter().map(|n| format!("`{n}`")).collect();
    if quoted.len() == 1 {
        format!("the variable {}", quoted[0])
    } else {
        format!("the variables {}", quoted.join(", "))
    }
}

/// Gives every profile a name no other profile (nor one in `taken`) has,
/// by adding " (2)", " (3)"…; the report says so.
pub fn make_names_unique(profiles: &mut [ImportedProfile], taken: &[String]) {
    let mut used: BTreeSet<String> = taken.iter().cloned().collect();
    for profile in profiles.iter_mut() {
        let base = profile.name().to_string();
        let mut name = base.clone();
        let mut n = 2;
        while used.contains(&name) {
            name = format!("{base} ({n})");
            n += 1;
        }
        if name != base {
            profile.left_out.push(format!(
                "renamed to `{name}`: a profile called `{base}` exists"
            ));
        }
        used.insert(name.clone());
        profile.file.name = Some(name);
    }
}

/// A URL's path part and its query, if any.
pub(crate) fn split_query(url: &str) -> (&str, Option<&str>) {
    match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    }
}

/// Form-decodes `a=b&c=d` (RFC 6749 Appendix B) into pairs.
pub(crate) fn form_pairs(body: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}
