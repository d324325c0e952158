//! The editor's API section (the protected resource the token is used
//! with, and where the token goes) and the list of the profile's
//! ready-made requests.

use eframe::egui;

use super::grid;
use crate::app::widgets::fields::{choice_field, map_field, text_field};
use crate::engine::ProfileFile;
use crate::engine::profile::{ApiFile, TokenPlacementKind};

/// The `[api]` table; an empty one is written back as absent.
pub(super) fn api_ui(
    ui: &mut egui::Ui,
    file: &mut ProfileFile,
    problem: &dyn Fn(&str) -> Option<String>,
) {
    egui::CollapsingHeader::new("API").show(ui, |ui| {
        let api = file.api.get_or_insert_with(ApiFile::default);
        grid(ui, "edit_api", &mut |ui| {
            text_field(ui, "API URL", &mut api.url, problem("api.url").as_deref());
            text_field(
                ui,
                "Method",
                &mut api.method,
                problem("api.method").as_deref(),
            );
            choice_field(
                ui,
                "Token placement",
                &mut api.token_placement,
                &[
                    (TokenPlacementKind::Header, "header"),
                    (TokenPlacementKind::Query, "query"),
                    (TokenPlacementKind::Body, "body"),
                ],
                None,
            );
            text_field(
                ui,
                "Header name",
                &mut api.header_name,
                problem("api.header_name").as_deref(),
            );
            text_field(ui, "Header prefix", &mut api.header_prefix, None);
            text_field(ui, "Token parameter", &mut api.query_param, None);
            map_field(ui, "API headers", &mut api.headers);
            map_field(ui, "API query", &mut api.query);
        });
        if *api == ApiFile::default() {
            file.api = None;
        }
    });
}

/// The profile's `[[requests]]`, listed (they are edited in the file and
/// used from the Request tab); nothing when there are none.
pub(super) fn requests_ui(ui: &mut egui::Ui, file: &ProfileFile) {
    if !file.requests.is_empty() {
        egui::CollapsingHeader::new(format!("Ready-made requests ({})", file.requests.len())).show(
            ui,
            |ui| {
                ui.label("Edit them in the profile file; use them from the Request tab.");
                for request in &file.requests {
                    ui.monospace(format!(
                        "{} — {} {}",
                        request.name.as_deref().unwrap_or("(unnamed)"),
                        request.method.as_deref().unwrap_or("GET"),
                        request.url.as_deref().unwrap_or("")
                    ));
                }
            },
        );
    }
}
