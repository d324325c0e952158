//! The token response as it came, in the Tokens tab: a JSON tree, the
//! JSON as text, and — when the response was repaired — the bytes as
//! received, the token values masked unless revealed.

use std::sync::Arc;

use eframe::egui;

use crate::app::tokens::inspect::json_ui;
use crate::app::tokens::state::TokenState;
use crate::app::widgets::json_doc::JsonDoc;
use crate::app::widgets::json_tree::{JsonTreeView, json_tree_ui};
use crate::engine::TokenSet;

/// The raw response sections of `current`; the tree is built once per
/// token set and reveal setting.
pub(super) fn raw_ui(ui: &mut egui::Ui, tokens: &mut TokenState, current: &TokenSet, reveal: bool) {
    egui::CollapsingHeader::new("Raw response").show(ui, |ui| {
        let fresh = matches!(
            &tokens.raw_tree,
            Some((at, r, _, _)) if *at == current.obtained_at && *r == reveal
        );
        if !fresh {
            let raw = serde_json::to_vec(&current.raw).unwrap_or_default();
            let raw = if reveal {
                raw
            } else {
                crate::engine::wire::redact::body(&raw)
            };
            let doc = Arc::new(JsonDoc::new(raw.into()));
            let view = JsonTreeView::new(&doc, u16::MAX);
            tokens.raw_tree = Some((current.obtained_at, reveal, doc, view));
        }
        if let Some((_, _, doc, view)) = &mut tokens.raw_tree {
            ui.set_max_height(240.0);
            json_tree_ui(ui, "raw_token_tree", doc, view);
        }
    });
    egui::CollapsingHeader::new("Raw response (text)").show(ui, |ui| {
        let raw = if reveal {
            current.raw.clone()
        } else {
            serde_json::from_slice(&crate::engine::wire::redact::body(
                current.raw.to_string().as_bytes(),
            ))
            .unwrap_or(serde_json::Value::Null)
        };
        json_ui(ui, &raw);
    });
    if let Some(text) = &current.raw_text {
        egui::CollapsingHeader::new("As received (invalid JSON, repaired above)")
            .default_open(true)
            .show(ui, |ui| {
                if reveal {
                    ui.add(egui::Label::new(egui::RichText::new(text).monospace()).wrap());
                } else {
                    ui.label("As received, every byte kept, with the token values masked.");
                    ui.add(
                        egui::Label::new(
                            egui::RichText::new(mask_values(text, current)).monospace(),
                        )
                        .wrap(),
                    );
                }
            });
    }
}

/// `text` with the token values of `tokens` masked and every other byte
/// as it was (a trailing comma stays a trailing comma).
fn mask_values(text: &str, tokens: &TokenSet) -> String {
    let mut masked = text.to_string();
    let secrets = [
        Some(&tokens.access_token),
        tokens.refresh_token.as_ref(),
        tokens.id_token.as_ref(),
    ];
    for secret in secrets.into_iter().flatten() {
        let value = secret.expose();
        if !value.is_empty() {
            masked = masked.replace(value, "••••");
        }
    }
    masked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_received_keeps_every_byte_but_the_token_values() {
        let text = r#"{"access_token":"abc.def","token_type":"Bearer","refresh_token":"r-1",}"#;
        let response = crate::engine::wire::http::RecordedResponse {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: br#"{"access_token":"abc.def","token_type":"Bearer","refresh_token":"r-1"}"#
                .to_vec()
                .into(),
            truncated: false,
        };
        let tokens = crate::engine::tokens::response::parse_token_response(
            &response,
            crate::engine::GrantType::Password,
            1,
            chrono::Utc::now(),
            None,
            &Default::default(),
            Vec::new(),
        )
        .expect("tokens");
        assert_eq!(
            mask_values(text, &tokens),
            r#"{"access_token":"••••","token_type":"Bearer","refresh_token":"••••",}"#,
            "the trailing comma stays, the values go"
        );
    }
}
