//! The editor's HTTP section (timeouts, size limit, TLS files, proxy) and
//! its Compatibility switches for servers that bend the specifications.

use eframe::egui;

use super::grid;
use crate::app::widgets::fields::text_field;
use crate::engine::ProfileFile;
use crate::engine::profile::{CompatFile, HttpFile};

/// The `[http]` table; an empty one is written back as absent.
pub(super) fn http_ui(
    ui: &mut egui::Ui,
    file: &mut ProfileFile,
    problem: &dyn Fn(&str) -> Option<String>,
) {
    egui::CollapsingHeader::new("HTTP").show(ui, |ui| {
        let http = file.http.get_or_insert_with(HttpFile::default);
        let mut timeout = http.timeout_secs.map(|s| s.to_string());
        grid(ui, "edit_http", &mut |ui| {
            if text_field(
                ui,
                "Timeout (seconds)",
                &mut timeout,
                problem("http.timeout_secs").as_deref(),
            ) {
                http.timeout_secs = timeout.as_deref().and_then(|t| t.trim().parse().ok());
            }
            let mut connect = http.connect_timeout_secs.map(|s| s.to_string());
            if text_field(
                ui,
                "Connect timeout (seconds)",
                &mut connect,
                problem("http.connect_timeout_secs").as_deref(),
            ) {
                http.connect_timeout_secs = connect.as_deref().and_then(|t| t.trim().parse().ok());
            }
            let mut limit = http.max_response_mb.map(|s| s.to_string());
            if text_field(
                ui,
                "Response size limit (MB)",
                &mut limit,
                problem("http.max_response_mb").as_deref(),
            ) {
                http.max_response_mb = limit.as_deref().and_then(|t| t.trim().parse().ok());
            }
            text_field(ui, "CA file (PEM)", &mut http.ca_file, None);
            text_field(
                ui,
                "Client certificate (PEM)",
                &mut http.client_cert_file,
                problem("http.client_cert_file").as_deref(),
            );
            text_field(
                ui,
                "Client certificate key (PEM)",
                &mut http.client_key_file,
                None,
            );
            text_field(
                ui,
                "Proxy",
                &mut http.proxy,
                problem("http.proxy").as_deref(),
            );
            let mut accept = http.accept_invalid_certs.unwrap_or(false);
            ui.label("TLS");
            if ui
                .checkbox(&mut accept, "Accept invalid certificates (dangerous)")
                .changed()
            {
                http.accept_invalid_certs = accept.then_some(true);
            }
            ui.end_row();
        });
        if *http == HttpFile::default() {
            file.http = None;
        }
    });
}

/// The `[compat]` switches; all off is written back as absent.
pub(super) fn compat_ui(ui: &mut egui::Ui, file: &mut ProfileFile) {
    egui::CollapsingHeader::new("Compatibility").show(ui, |ui| {
        let compat = file.compat.get_or_insert_with(CompatFile::default);
        let switches: [(&mut bool, &str); 5] = [
            (
                &mut compat.token_params_in_query,
                "Token parameters in the query string",
            ),
            (
                &mut compat.basic_auth_raw,
                "Basic credentials without form-urlencoding",
            ),
            (&mut compat.accept_any_2xx, "Accept any 2xx token response"),
            (
                &mut compat.accept_non_json_content_type,
                "Accept a token response that is not labelled JSON",
            ),
            (&mut compat.repair_json, "Repair trailing commas in JSON"),
        ];
        for (value, label) in switches {
            ui.checkbox(value, label);
        }
        if *compat == CompatFile::default() {
            file.compat = None;
        }
    });
}
