//! The `.bru` file format: blocks of `name { … }`, parsed into [`Block`]s.

/// One top-level block of a `.bru` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// `meta`, `get`, `auth:oauth2`, `vars:secret`…
    pub name: String,
    /// `key: value` lines, in order, with whether each is enabled.
    pub pairs: Vec<(String, String, bool)>,
    /// The lines as written (text blocks, list blocks).
    pub lines: Vec<String>,
}

impl Block {
    /// The enabled value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _, enabled)| k == key && *enabled)
            .map(|(_, v, _)| v.as_str())
    }
}

/// Parses `.bru` text into its blocks; a line outside any block is an
/// error naming its line.
pub fn parse_bru(text: &str) -> Result<Vec<Block>, String> {
    let mut blocks = Vec::new();
    let mut current: Option<(Block, char)> = None;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if let Some((block, close)) = &mut current {
            if line.trim_end() == close.to_string() && !line.starts_with(' ') {
                blocks.push(std::mem::replace(
                    block,
                    Block {
                        name: String::new(),
                        pairs: Vec::new(),
                        lines: Vec::new(),
                    },
                ));
                current = None;
                continue;
            }
            if !line.trim().is_empty() && !line.starts_with([' ', '\t']) {
                return Err(format!(
                    "line {}: `{}` is not indented: the block `{}` above it is never closed (a line with `{close}` alone)",
                    index + 1,
                    line.trim(),
                    block.name
                ));
            }
            let content = line.strip_prefix("  ").unwrap_or(line.trim_start());
            block.lines.push(content.to_string());
            let trimmed = content.trim();
            if *close == '}' && !content.starts_with(' ') && !trimmed.is_empty() {
                let (enabled, pair) = match trimmed.strip_prefix('~') {
                    Some(rest) => (false, rest),
                    None => (true, trimmed),
                };
                if let Some((key, value)) = pair.split_once(':') {
                    block
                        .pairs
                        .push((key.trim().to_string(), value.trim().to_string(), enabled));
                }
            }
            continue;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let open = if let Some(name) = trimmed.strip_suffix('{') {
            Some((name.trim(), '}'))
        } else {
            trimmed.strip_suffix('[').map(|name| (name.trim(), ']'))
        };
        match open {
            Some((name, close)) if !name.is_empty() && !name.contains(' ') => {
                current = Some((
                    Block {
                        name: name.to_string(),
                        pairs: Vec::new(),
                        lines: Vec::new(),
                    },
                    close,
                ));
            }
            _ => {
                return Err(format!(
                    "line {}: `{trimmed}` is outside any block (a .bru file is made of `name {{ … }}` blocks)",
                    index + 1
                ));
            }
        }
    }
    if let Some((block, close)) = current {
        return Err(format!(
            "the block `{}` is never closed (a line with `{close}` alone)",
            block.name
        ));
    }
    Ok(blocks)
}

pub(super) fn find<'a>(blocks: &'a [Block], name: &str) -> Option<&'a Block> {
    blocks.iter().find(|b| b.name == name)
}
