//! A JSON tree, virtualised: the document is flattened once (off the UI
//! thread) into nodes that know where their subtree ends; the rows visible
//! under the current folding are recomputed only when something is folded or
//! unfolded, and only the rows on screen are laid out each frame.

use std::collections::HashSet;

use eframe::egui;
use serde_json::Value;

/// One node of the flattened tree.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonNode {
    /// Nesting depth (the root is 0).
    pub depth: u16,
    /// Object key or `[index]`; empty for the root.
    pub key: String,
    /// The value for a leaf, `{N keys}` / `[N items]` for a container.
    pub preview: String,
    /// True for objects and arrays with children.
    pub container: bool,
    /// Index just past this node's subtree.
    pub end: usize,
}

/// A flattened JSON document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JsonTree {
    /// Depth-first order.
    pub nodes: Vec<JsonNode>,
}

impl JsonTree {
    /// Flattens `value` (call off the UI thread for large documents).
    pub fn build(value: &Value) -> Self {
        let mut tree = Self::default();
        tree.push(value, String::new(), 0);
        tree
    }

    fn push(&mut self, value: &Value, key: String, depth: u16) {
        let index = self.nodes.len();
        let (preview, container) = match value {
            Value::Object(map) => (format!("{{{} keys}}", map.len()), !map.is_empty()),
            Value::Array(items) => (format!("[{} items]", items.len()), !items.is_empty()),
            Value::String(text) => (format!("{text:?}"), false),
            other => (other.to_string(), false),
        };
        self.nodes.push(JsonNode {
            depth,
            key,
            preview,
            container,
            end: index + 1,
        });
        match value {
            Value::Object(map) => {
                for (name, child) in map {
                    self.push(child, name.clone(), depth.saturating_add(1));
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    self.push(child, format!("[{i}]"), depth.saturating_add(1));
                }
            }
            _ => {}
        }
        let end = self.nodes.len();
        self.nodes[index].end = end;
    }
}

/// Which nodes are folded, and the rows that leaves visible.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JsonTreeView {
    folded: HashSet<usize>,
    visible: Option<Vec<usize>>,
}

impl JsonTreeView {
    /// A view with everything deeper than `depth` folded.
    pub fn folded_below(tree: &JsonTree, depth: u16) -> Self {
        Self {
            folded: tree
                .nodes
                .iter()
                .enumerate()
                .filter(|(_, n)| n.container && n.depth >= depth)
                .map(|(i, _)| i)
                .collect(),
            visible: None,
        }
    }

    fn visible(&mut self, tree: &JsonTree) -> &[usize] {
        if self.visible.is_none() {
            let mut rows = Vec::new();
            let mut i = 0;
            while i < tree.nodes.len() {
                rows.push(i);
                i = if self.folded.contains(&i) {
                    tree.nodes[i].end
                } else {
                    i + 1
                };
            }
            self.visible = Some(rows);
        }
        self.visible.as_deref().unwrap_or_default()
    }

    fn toggle(&mut self, index: usize) {
        if !self.folded.remove(&index) {
            self.folded.insert(index);
        }
        self.visible = None;
    }
}

/// Draws the tree; `id` keeps its scroll position apart from others.
pub fn json_tree_ui(ui: &mut egui::Ui, id: &str, tree: &JsonTree, view: &mut JsonTreeView) {
    let row_height = ui.text_style_height(&egui::TextStyle::Monospace) + 4.0;
    let rows = view.visible(tree).to_vec();
    let mut toggled = None;
    egui::ScrollArea::both()
        .id_salt(id)
        .auto_shrink([false, false])
        .show_rows(ui, row_height, rows.len(), |ui, range| {
            for &index in &rows[range] {
                let node = &tree.nodes[index];
                ui.horizontal(|ui| {
                    ui.add_space(f32::from(node.depth) * 16.0);
                    if node.container {
                        let folded = view.folded.contains(&index);
                        let sign = if folded { "+" } else { "-" };
                        let name = if node.key.is_empty() {
                            "root"
                        } else {
                            node.key.as_str()
                        };
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
                    let text = if node.key.is_empty() {
                        node.preview.clone()
                    } else {
                        format!("{}: {}", node.key, node.preview)
                    };
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

    #[test]
    fn folding_hides_exactly_the_subtree() {
        let value = serde_json::json!({"a": {"b": 1, "c": [1, 2]}, "d": "x"});
        let tree = JsonTree::build(&value);
        // root, a, b, c, [0], [1], d
        assert_eq!(tree.nodes.len(), 7);
        assert_eq!(tree.nodes[1].end, 6, "a's subtree ends before d");
        let mut view = JsonTreeView::default();
        assert_eq!(view.visible(&tree).len(), 7);
        view.toggle(1);
        assert_eq!(view.visible(&tree), &[0, 1, 6]);
        let folded = JsonTreeView::folded_below(&tree, 1);
        assert_eq!(folded.clone().visible(&tree), &[0, 1, 6]);
    }
}
