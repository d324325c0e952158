//! A JSON tree over a [`JsonDoc`]'s bytes, built lazily: a node is a byte
//! range, and a container's children are found (one scan of its bytes) the
//! first time it is unfolded. The rows visible under the current folding
//! are recomputed only when something is folded or unfolded, and only the
//! rows on screen are laid out each frame. Keys and strings are decoded
//! only for the rows on screen.

use std::collections::HashSet;
use std::sync::Arc;

use eframe::egui;

use super::json_doc::{JsonDoc, cut, skip_string, skip_value, skip_ws};

/// No children found yet.
const UNSCANNED: u32 = u32::MAX;

/// One node: where its value (and key) lie in the document's bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Node {
    start: u32,
    end: u32,
    /// The key's bytes with their quotes; empty for array items and the root.
    key: (u32, u32),
    /// The position among its parent's members.
    index: u32,
    /// Members of an object or array.
    count: u32,
    /// The first child in the node list, once scanned.
    children: u32,
    depth: u16,
}

/// The tree's state for one document: the nodes found so far, which are
/// unfolded, and the rows that leaves visible.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonTreeView {
    doc: Option<Arc<JsonDoc>>,
    /// Containers shallower than this start unfolded.
    open_depth: u16,
    nodes: Vec<Node>,
    open: HashSet<u32>,
    visible: Option<Vec<u32>>,
}

impl Default for JsonTreeView {
    fn default() -> Self {
        Self {
            doc: None,
            open_depth: 2,
            nodes: Vec::new(),
            open: HashSet::new(),
            visible: None,
        }
    }
}

impl JsonTreeView {
    /// The tree of `doc` with containers shallower than `open_depth`
    /// unfolded (the root is depth 0; `u16::MAX` unfolds everything, for
    /// small documents). Call off the UI thread for large documents.
    pub fn new(doc: &Arc<JsonDoc>, open_depth: u16) -> Self {
        let bytes = doc.bytes();
        let start = skip_ws(bytes, 0);
        let (end, count) = skip_value(bytes, start);
        let mut view = Self {
            doc: Some(Arc::clone(doc)),
            open_depth,
            nodes: vec![Node {
                start: start as u32,
                end: end as u32,
                key: (0, 0),
                index: 0,
                count,
                children: UNSCANNED,
                depth: 0,
            }],
            open: HashSet::new(),
            visible: None,
        };
        let mut pending = vec![0u32];
        while let Some(index) = pending.pop() {
            let node = view.nodes[index as usize];
            if node.count == 0 || node.depth >= open_depth {
                continue;
            }
            view.scan(index);
            view.open.insert(index);
            let scanned = view.nodes[index as usize];
            pending.extend(scanned.children..scanned.children + scanned.count);
        }
        view.visible();
        view
    }

    /// True when this view is of `doc`.
    fn is_of(&self, doc: &Arc<JsonDoc>) -> bool {
        self.doc.as_ref().is_some_and(|d| Arc::ptr_eq(d, doc))
    }

    /// Finds the members of container `index` (once).
    fn scan(&mut self, index: u32) {
        let Some(doc) = self.doc.clone() else {
            return;
        };
        let node = self.nodes[index as usize];
        if node.children != UNSCANNED || node.count == 0 {
            return;
        }
        let bytes = doc.bytes();
        let object = bytes.get(node.start as usize) == Some(&b'{');
        let first = self.nodes.len() as u32;
        let end = node.end as usize;
        let mut at = skip_ws(bytes, node.start as usize + 1);
        let mut position = 0u32;
        while at < end && position < node.count {
            let mut key = (0, 0);
            if object {
                let key_end = skip_string(bytes, at);
                key = (at as u32, key_end as u32);
                at = skip_ws(bytes, key_end);
                if bytes.get(at) == Some(&b':') {
                    at = skip_ws(bytes, at + 1);
                }
            }
            let (value_end, count) = skip_value(bytes, at);
            self.nodes.push(Node {
                start: at as u32,
                end: value_end as u32,
                key,
                index: position,
                count,
                children: UNSCANNED,
                depth: node.depth.saturating_add(1),
            });
            position += 1;
            at = skip_ws(bytes, value_end);
            if bytes.get(at) == Some(&b',') {
                at = skip_ws(bytes, at + 1);
            } else {
                break;
            }
        }
        let found = self.nodes.len() as u32 - first;
        let node = &mut self.nodes[index as usize];
        node.count = found;
        node.children = first;
    }

    /// The rows shown: every node whose ancestors are all unfolded.
    fn visible(&mut self) -> &[u32] {
        if self.visible.is_none() {
            let mut rows = Vec::new();
            let mut stack: Vec<std::ops::Range<u32>> = Vec::new();
            stack.push(0..self.nodes.len().min(1) as u32);
            while let Some(range) = stack.last_mut() {
                let Some(index) = range.next() else {
                    stack.pop();
                    continue;
                };
                rows.push(index);
                let node = self.nodes[index as usize];
                if self.open.contains(&index) && node.children != UNSCANNED {
                    stack.push(node.children..node.children + node.count);
                }
            }
            self.visible = Some(rows);
        }
        self.visible.as_deref().unwrap_or_default()
    }

    /// Folds or unfolds container `index`.
    fn toggle(&mut self, index: u32) {
        if !self.open.remove(&index) {
            self.scan(index);
            self.open.insert(index);
        }
        self.visible = None;
    }

    /// The rows shown as text (`key: preview`), for tests and find.
    pub fn rows_text(&mut self) -> Vec<String> {
        let rows = self.visible().to_vec();
        rows.iter().map(|&i| self.row_text(i)).collect()
    }

    /// A node's key as shown: the decoded name, `[i]`, or empty for the root.
    fn key_text(&self, node: &Node) -> String {
        let Some(doc) = &self.doc else {
            return String::new();
        };
        if node.key.1 > node.key.0 {
            let raw = doc
                .bytes()
                .get(node.key.0 as usize..node.key.1 as usize)
                .unwrap_or_default();
            serde_json::from_slice::<String>(raw)
                .unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned())
        } else if node.depth == 0 {
            String::new()
        } else {
            format!("[{}]", node.index)
        }
    }

    /// A node's value as shown: `{N keys}`, `[N items]`, a string quoted,
    /// or the number or literal as written.
    fn preview(&self, node: &Node) -> String {
        let Some(doc) = &self.doc else {
            return String::new();
        };
        let raw = doc
            .bytes()
            .get(node.start as usize..node.end as usize)
            .unwrap_or_default();
        match raw.first() {
            Some(b'{') => format!("{{{} keys}}", node.count),
            Some(b'[') => format!("[{} items]", node.count),
            Some(b'"') => match serde_json::from_slice::<String>(raw) {
                Ok(text) => cut(&format!("{text:?}")),
                Err(_) => cut(&String::from_utf8_lossy(raw)),
            },
            _ => String::from_utf8_lossy(raw).into_owned(),
        }
    }

    fn row_text(&self, index: u32) -> String {
        let node = self.nodes[index as usize];
        let key = self.key_text(&node);
        let preview = self.preview(&node);
        if key.is_empty() {
            preview
        } else {
            format!("{key}: {preview}")
        }
    }
}

/// Draws the tree of `doc`; `id` keeps its scroll position apart from
/// others. A view of another document is replaced by a fresh one.
pub fn json_tree_ui(ui: &mut egui::Ui, id: &str, doc: &Arc<JsonDoc>, view: &mut JsonTreeView) {
    if !view.is_of(doc) {
        *view = JsonTreeView::new(doc, view.open_depth);
    }
    let row_height = ui.text_style_height(&egui::TextStyle::Monospace) + 4.0;
    let row_count = view.visible().len();
    let mut toggled = None;
    egui::ScrollArea::both()
        .id_salt(id)
        .auto_shrink([false, false])
        .show_rows(ui, row_height, row_count, |ui, range| {
            let rows = view.visible().get(range).unwrap_or_default().to_vec();
            for index in rows {
                let node = view.nodes[index as usize];
                ui.horizontal(|ui| {
                    ui.add_space(f32::from(node.depth) * 16.0);
                    if node.count > 0 {
                        let folded = !view.open.contains(&index);
                        let sign = if folded { "+" } else { "-" };
                        let key = view.key_text(&node);
                        let name = if key.is_empty() { "root" } else { key.as_str() };
                        let button = ui.small_button(sign).on_hover_text(if folded {
                            "Unfold"
                        } else {
                            "Fold"
                        });
                        button.widget_info(|| {
                            egui::WidgetInfo::labeled(
                                egui::Role::Button,
                                true,
                                format!("{} {name}", if folded { "Unfold" } else { "Fold" }),
                            )
                        });
                        if button.clicked() {
                            toggled = Some(index);
                        }
                    }
                    let text = view.row_text(index);
                    ui.add(egui::Label::new(egui::RichText::new(text).monospace()).extend());
                });
            }
        });
    if let Some(index) = toggled {
        view.toggle(index);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(json: &str) -> Arc<JsonDoc> {
        Arc::new(JsonDoc::new(bytes::Bytes::copy_from_slice(json.as_bytes())))
    }

    #[test]
    fn folding_hides_exactly_the_subtree() {
        let doc = doc(r#"{"a": {"b": 1, "c": [1, 2]}, "d": "x"}"#);
        let mut view = JsonTreeView::new(&doc, u16::MAX);
        assert_eq!(
            view.rows_text(),
            [
                "{2 keys}",
                "a: {2 keys}",
                "b: 1",
                "c: [2 items]",
                "[0]: 1",
                "[1]: 2",
                "d: \"x\""
            ]
        );
        // a is node 1.
        view.toggle(1);
        assert_eq!(view.rows_text(), ["{2 keys}", "a: {2 keys}", "d: \"x\""]);
        let mut folded = JsonTreeView::new(&doc, 1);
        assert_eq!(folded.rows_text(), ["{2 keys}", "a: {2 keys}", "d: \"x\""]);
    }

    #[test]
    fn containers_are_scanned_only_when_unfolded() {
        let doc = doc(r#"{"items": [{"id": 1, "tags": ["x"]}, {"id": 2, "tags": []}], "n": null}"#);
        let mut view = JsonTreeView::new(&doc, 2);
        // root, items, n, and the two items: their members not yet found.
        assert_eq!(view.nodes.len(), 5);
        assert_eq!(
            view.rows_text(),
            [
                "{2 keys}",
                "items: [2 items]",
                "[0]: {2 keys}",
                "[1]: {2 keys}",
                "n: null"
            ]
        );
        let first_item = view.visible().get(2).copied().expect("row");
        view.toggle(first_item);
        assert_eq!(view.nodes.len(), 7);
        assert_eq!(view.rows_text()[3..5], ["id: 1", "tags: [1 items]"]);
        // Folding and unfolding again finds nothing new.
        view.toggle(first_item);
        view.toggle(first_item);
        assert_eq!(view.nodes.len(), 7);
    }

    #[test]
    fn keys_and_strings_are_decoded_for_display() {
        let doc = doc(r#"{"a\"b": "tab\there", "é": "\u00e9", "num": 1.50e2, "e": {}}"#);
        let mut view = JsonTreeView::new(&doc, u16::MAX);
        assert_eq!(
            view.rows_text(),
            [
                "{4 keys}",
                "a\"b: \"tab\\there\"",
                "é: \"é\"",
                "num: 1.50e2",
                "e: {0 keys}"
            ]
        );
    }

    #[test]
    fn a_scalar_document_is_one_row() {
        assert_eq!(JsonTreeView::new(&doc(" 42 "), 2).rows_text(), ["42"]);
        assert_eq!(
            JsonTreeView::new(&doc(r#""just text""#), 2).rows_text(),
            ["\"just text\""]
        );
    }
}
