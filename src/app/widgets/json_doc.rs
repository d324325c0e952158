//! A response body kept as the bytes that came, with just enough of an
//! index to show it: the pretty-printed text is generated line by line from
//! the bytes (a checkpoint every `CHECKPOINT` lines lets any line be found
//! quickly), and the tree view ([`super::json_tree`]) scans a container's
//! bytes only when it is unfolded. A 20 MB body costs its bytes plus a few
//! hundred kilobytes of index, and nothing is laid out that is not on screen.
//!
//! The text view shows strings and numbers exactly as they are on the wire
//! (escapes and all), re-indented in `serde_json`'s pretty layout: two
//! spaces, one member per line, `"key": value`, `[]` and `{}` for empty
//! containers.
//!
//! The scanners assume the bytes are JSON (the document is made only after
//! `serde_json` has accepted them) but never panic or loop on anything: an
//! unexpected byte is stepped over.

use bytes::Bytes;

/// How many lines apart the text view's checkpoints are.
const CHECKPOINT: usize = 64;

/// A line of a body longer than this is shown cut, with the count of what
/// was left out (a label of megabytes would stall every frame).
pub const MAX_LINE_CHARS: usize = 10_000;

/// A JSON body: its bytes, and where each run of `CHECKPOINT` pretty
/// lines begins.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonDoc {
    bytes: Bytes,
    /// Offset and depth of lines 0, 64, 128…
    checkpoints: Vec<(u32, u16)>,
    lines: usize,
    /// Some key is one whose value may be masked (see
    /// [`crate::engine::wire::redact::may_mask_key`]).
    maskable: bool,
}

/// A body that is not JSON: its bytes and where each line starts.
#[derive(Debug, Clone, PartialEq)]
pub struct TextDoc {
    bytes: Bytes,
    starts: Vec<u32>,
}

/// A body as the views show it.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyDoc {
    /// JSON, shown as a tree or as pretty text.
    Json(std::sync::Arc<JsonDoc>),
    /// Anything else, shown as text lines.
    Text(TextDoc),
}

impl BodyDoc {
    /// The body as a document: JSON when `serde_json` accepts it (and it is
    /// under 4 GiB), text otherwise.
    pub fn new(bytes: Bytes) -> Self {
        if is_json(&bytes) {
            Self::Json(std::sync::Arc::new(JsonDoc::new(bytes)))
        } else {
            Self::Text(TextDoc::new(bytes))
        }
    }

    /// The number of lines the text view has.
    pub fn line_count(&self) -> usize {
        match self {
            Self::Json(doc) => doc.line_count(),
            Self::Text(doc) => doc.line_count(),
        }
    }

    /// The lines `range` of the text view, each cut at [`MAX_LINE_CHARS`].
    pub fn lines(&self, range: std::ops::Range<usize>) -> Vec<String> {
        match self {
            Self::Json(doc) => doc.lines(range),
            Self::Text(doc) => range.filter_map(|i| doc.line(i)).collect(),
        }
    }

    /// The numbers of the lines that contain `needle`, in order.
    pub fn find(&self, needle: &str) -> Vec<u32> {
        let mut found = Vec::new();
        let mut number = 0u32;
        self.each_line(|line| {
            if line.contains(needle) {
                found.push(number);
            }
            number += 1;
        });
        found
    }

    fn each_line(&self, mut f: impl FnMut(&str)) {
        match self {
            Self::Json(doc) => {
                let mut cursor = (skip_ws(&doc.bytes, 0), 0u16);
                let mut line = String::new();
                while cursor.0 < doc.bytes.len() {
                    line.clear();
                    let (offset, depth, _) = line_at(&doc.bytes, cursor.0, cursor.1, &mut line);
                    cursor = (offset, depth);
                    f(&line);
                }
            }
            Self::Text(doc) => {
                for i in 0..doc.line_count() {
                    f(&String::from_utf8_lossy(doc.raw_line(i)));
                }
            }
        }
    }

    /// The JSON document, when the body is JSON.
    pub fn json(&self) -> Option<&std::sync::Arc<JsonDoc>> {
        match self {
            Self::Json(doc) => Some(doc),
            Self::Text(_) => None,
        }
    }
}

/// True when `bytes` are one JSON value (checked without building it).
pub fn is_json(bytes: &[u8]) -> bool {
    u32::try_from(bytes.len()).is_ok()
        && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
}

impl JsonDoc {
    /// Indexes `bytes`, which `serde_json` has accepted as JSON.
    pub fn new(bytes: Bytes) -> Self {
        let mut checkpoints = Vec::new();
        let mut lines = 0usize;
        let mut cursor = (skip_ws(&bytes, 0), 0u16);
        let mut scratch = String::new();
        let mut maskable = false;
        while cursor.0 < bytes.len() {
            if lines.is_multiple_of(CHECKPOINT) {
                checkpoints.push((offset32(cursor.0), cursor.1));
            }
            scratch.clear();
            let (offset, depth, key) = line_at(&bytes, cursor.0, cursor.1, &mut scratch);
            if let Some((start, end)) = key
                && !maskable
            {
                maskable = key_may_be_masked(&bytes[start..end]);
            }
            // Every line moves on; a stuck cursor would be a scanner bug.
            if offset <= cursor.0 {
                break;
            }
            cursor = (offset, depth);
            lines += 1;
        }
        Self {
            bytes,
            checkpoints,
            lines,
            maskable,
        }
    }

    /// True when some key names a value that may be masked (a secret, or a
    /// personal claim): only then is the body parsed to mask it.
    pub fn maskable(&self) -> bool {
        self.maskable
    }

    /// The bytes as they came.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The number of pretty-printed lines.
    pub fn line_count(&self) -> usize {
        self.lines
    }

    /// The pretty-printed lines `range`.
    pub fn lines(&self, range: std::ops::Range<usize>) -> Vec<String> {
        let end = range.end.min(self.lines);
        let Some(&(offset, depth)) = self.checkpoints.get(range.start / CHECKPOINT) else {
            return Vec::new();
        };
        let mut cursor = (offset as usize, depth);
        let mut number = (range.start / CHECKPOINT) * CHECKPOINT;
        let mut out = Vec::with_capacity(end.saturating_sub(range.start));
        let mut line = String::new();
        while number < end && cursor.0 < self.bytes.len() {
            line.clear();
            let (offset, depth, _) = line_at(&self.bytes, cursor.0, cursor.1, &mut line);
            cursor = (offset, depth);
            if number >= range.start {
                out.push(cut(&line));
            }
            number += 1;
        }
        out
    }
}

impl TextDoc {
    /// Indexes the line starts of `bytes`.
    pub fn new(bytes: Bytes) -> Self {
        let mut starts = vec![0u32];
        let limit = bytes.len().min(u32::MAX as usize);
        starts.extend(
            memchr::memchr_iter(b'\n', &bytes[..limit])
                .map(|i| offset32(i + 1))
                .filter(|&start| (start as usize) < limit),
        );
        if bytes.is_empty() {
            starts.clear();
        }
        Self { bytes, starts }
    }

    /// The number of lines.
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    fn raw_line(&self, index: usize) -> &[u8] {
        let Some(&start) = self.starts.get(index) else {
            return &[];
        };
        let end = self
            .starts
            .get(index + 1)
            .map_or(self.bytes.len(), |&next| next as usize);
        let line = self.bytes.get(start as usize..end).unwrap_or_default();
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        line.strip_suffix(b"\r").unwrap_or(line)
    }

    /// Line `index`, decoded (invalid UTF-8 replaced) and cut.
    pub fn line(&self, index: usize) -> Option<String> {
        (index < self.starts.len()).then(|| cut(&String::from_utf8_lossy(self.raw_line(index))))
    }
}

/// `line`, cut at [`MAX_LINE_CHARS`] with what was left out said.
pub fn cut(line: &str) -> String {
    match line.char_indices().nth(MAX_LINE_CHARS) {
        None => line.to_string(),
        Some((at, _)) => format!(
            "{}… ({} more bytes)",
            &line[..at],
            line.len().saturating_sub(at)
        ),
    }
}

/// An offset as stored (documents are under 4 GiB, checked at creation).
fn offset32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

/// The first offset at or after `at` that is not JSON whitespace.
pub(super) fn skip_ws(bytes: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(at) {
        at += 1;
    }
    at
}

/// The offset just past the string starting at `at` (a `"`).
pub(super) fn skip_string(bytes: &[u8], at: usize) -> usize {
    let mut i = at + 1;
    while let Some(found) = bytes
        .get(i..)
        .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
    {
        let pos = i + found;
        if bytes[pos] == b'\\' {
            i = pos + 2;
        } else {
            return pos + 1;
        }
    }
    bytes.len()
}

/// The offset just past the number, `true`, `false` or `null` at `at`.
fn skip_scalar(bytes: &[u8], at: usize) -> usize {
    let mut i = at;
    while let Some(&b) = bytes.get(i) {
        if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r' | b':') {
            break;
        }
        i += 1;
    }
    i.max(at + 1).min(bytes.len())
}

/// The offset just past the value at `at`, and for an object or array the
/// number of its members.
pub(super) fn skip_value(bytes: &[u8], at: usize) -> (usize, u32) {
    match bytes.get(at) {
        Some(b'"') => (skip_string(bytes, at), 0),
        Some(b'{' | b'[') => skip_container(bytes, at),
        Some(_) => (skip_scalar(bytes, at), 0),
        None => (bytes.len(), 0),
    }
}

/// [`skip_value`] for an object or array.
fn skip_container(bytes: &[u8], at: usize) -> (usize, u32) {
    let mut depth = 0usize;
    let mut count = 0u32;
    let mut i = at;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                if depth == 1 && count == 0 {
                    count = 1;
                }
                i = skip_string(bytes, i);
                continue;
            }
            b'{' | b'[' => {
                if depth == 1 && count == 0 {
                    count = 1;
                }
                depth += 1;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return (i + 1, count);
                }
            }
            b',' if depth == 1 => count += 1,
            b' ' | b'\t' | b'\n' | b'\r' | b':' | b',' => {}
            _ => {
                if depth == 1 && count == 0 {
                    count = 1;
                }
            }
        }
        i += 1;
    }
    (bytes.len(), count)
}

/// Writes the pretty line that starts at `at` (not whitespace) at `depth`
/// into `out`; returns where the next line starts, its depth, and the
/// bytes of the line's key (with quotes) when it has one.
fn line_at(bytes: &[u8], at: usize, depth: u16, out: &mut String) -> (usize, u16, Key) {
    for _ in 0..depth {
        out.push_str("  ");
    }
    let Some(&first) = bytes.get(at) else {
        return (bytes.len(), 0, None);
    };
    if matches!(first, b'}' | b']') {
        out.push(char::from(first));
        let (next, depth) = after_value(bytes, at + 1, depth, out);
        return (next, depth, None);
    }
    let mut value = at;
    let mut key = None;
    if first == b'"' {
        let end = skip_string(bytes, at);
        let colon = skip_ws(bytes, end);
        if bytes.get(colon) == Some(&b':') {
            push_raw(out, bytes, at, end);
            out.push_str(": ");
            key = Some((at, end.min(bytes.len())));
            value = skip_ws(bytes, colon + 1);
        }
    }
    let (next, depth) = match bytes.get(value) {
        Some(&open @ (b'{' | b'[')) => {
            let inside = skip_ws(bytes, value + 1);
            let close = if open == b'{' { b'}' } else { b']' };
            if bytes.get(inside) == Some(&close) {
                out.push(char::from(open));
                out.push(char::from(close));
                after_value(bytes, inside + 1, depth, out)
            } else {
                out.push(char::from(open));
                (inside, depth.saturating_add(1))
            }
        }
        Some(_) => {
            let (end, _) = skip_value(bytes, value);
            push_raw(out, bytes, value, end);
            after_value(bytes, end, depth, out)
        }
        None => (bytes.len(), depth),
    };
    (next, depth, key)
}

/// Where a line's key lies, with its quotes.
type Key = Option<(usize, usize)>;

/// True when the key `raw` (with its quotes) may name a masked value.
fn key_may_be_masked(raw: &[u8]) -> bool {
    let inner = raw
        .strip_prefix(b"\"")
        .and_then(|r| r.strip_suffix(b"\""))
        .unwrap_or(raw);
    if inner.contains(&b'\\') {
        serde_json::from_slice::<String>(raw)
            .is_ok_and(|name| crate::engine::wire::redact::may_mask_key(&name))
    } else {
        std::str::from_utf8(inner).is_ok_and(crate::engine::wire::redact::may_mask_key)
    }
}

/// After a value that ends at `at` on a line at `depth`: its comma, and
/// where the next line starts (one level out when it closes a container).
fn after_value(bytes: &[u8], at: usize, depth: u16, out: &mut String) -> (usize, u16) {
    let mut next = skip_ws(bytes, at);
    if bytes.get(next) == Some(&b',') {
        out.push(',');
        next = skip_ws(bytes, next + 1);
    }
    match bytes.get(next) {
        Some(b'}' | b']') => (next, depth.saturating_sub(1)),
        Some(_) => (next, depth),
        None => (bytes.len(), 0),
    }
}

/// Appends `bytes[start..end]` as text (invalid UTF-8 replaced).
fn push_raw(out: &mut String, bytes: &[u8], start: usize, end: usize) {
    let raw = bytes.get(start..end).unwrap_or_default();
    match std::str::from_utf8(raw) {
        Ok(text) => out.push_str(text),
        Err(_) => out.push_str(&String::from_utf8_lossy(raw)),
    }
}

#[cfg(test)]
mod tests;
