//! What is wrong with a profile: each problem names its key, and, when the
//! profile came from a file, the file and the line.

use std::fmt;
use std::path::{Path, PathBuf};

/// One thing wrong with a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The key, dotted for tables (`api.url`); `None` for a syntax error.
    pub key: Option<String>,
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    /// What is wrong, for people.
    pub message: String,
}

/// A profile that cannot be used, with every problem found in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ProfileError {
    /// The file, when the profile came from one.
    pub path: Option<PathBuf>,
    /// What is wrong; never empty.
    pub problems: Vec<Problem>,
}

impl ProfileError {
    /// A problem with one field, not tied to a file.
    pub fn field(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: None,
            problems: vec![Problem {
                key: Some(key.into()),
                line: None,
                message: message.into(),
            }],
        }
    }

    /// The message of the problem with `key`, if there is one (for inline
    /// validation beside a field).
    pub fn message_for(&self, key: &str) -> Option<&str> {
        self.problems
            .iter()
            .find(|p| p.key.as_deref() == Some(key))
            .map(|p| p.message.as_str())
    }

    pub(crate) fn located(mut self, path: &Path, source: &str) -> Self {
        for problem in &mut self.problems {
            if problem.line.is_none()
                && let Some(key) = &problem.key
            {
                problem.line = locate_key(source, key);
            }
        }
        self.path = Some(path.to_path_buf());
        self
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            if let Some(path) = &self.path {
                write!(f, "{}", path.display())?;
                if let Some(line) = problem.line {
                    write!(f, ":{line}")?;
                }
                write!(f, ": ")?;
            }
            if let Some(key) = &problem.key {
                write!(f, "{key}: ")?;
            }
            write!(f, "{}", problem.message)?;
        }
        Ok(())
    }
}

/// The 1-based line on which `key` (dotted for tables) is assigned.
pub(super) fn locate_key(source: &str, dotted: &str) -> Option<usize> {
    let (table, key) = match dotted.rsplit_once('.') {
        Some((table, key)) => (table, key),
        None => ("", dotted),
    };
    let mut current = String::new();
    for (index, line) in source.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(header) = trimmed.strip_prefix('[') {
            current = header.trim_end_matches(']').trim().to_string();
            continue;
        }
        let Some((lhs, _)) = trimmed.split_once('=') else {
            continue;
        };
        let lhs = lhs.trim().trim_matches('"');
        if current == table && lhs == key {
            return Some(index + 1);
        }
    }
    None
}
