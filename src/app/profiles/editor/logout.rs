//! The editor's Logout section (the `[logout]` URL and method) and its
//! OpenID logout section (`[oidc_logout]`: RP-Initiated and Back-Channel
//! Logout's parameters).

use eframe::egui;

use super::grid;
use crate::app::widgets::fields::text_field;
use crate::engine::ProfileFile;
use crate::engine::profile::{LogoutFile, OidcLogoutFile};

/// The `[logout]` table; an empty one is written back as absent.
pub(super) fn logout_ui(
    ui: &mut egui::Ui,
    file: &mut ProfileFile,
    problem: &dyn Fn(&str) -> Option<String>,
) {
    egui::CollapsingHeader::new("Logout").show(ui, |ui| {
        let logout = file.logout.get_or_insert_with(LogoutFile::default);
        grid(ui, "edit_logout", &mut |ui| {
            text_field(
                ui,
                "Logout URL",
                &mut logout.url,
                problem("logout.url").as_deref(),
            );
            text_field(
                ui,
                "Logout method",
                &mut logout.method,
                problem("logout.method").as_deref(),
            );
        });
        if *logout == LogoutFile::default() {
            file.logout = None;
        }
    });
}

/// The `[oidc_logout]` table; an empty one is written back as absent.
pub(super) fn oidc_logout_ui(
    ui: &mut egui::Ui,
    file: &mut ProfileFile,
    problem: &dyn Fn(&str) -> Option<String>,
) {
    egui::CollapsingHeader::new("OpenID logout").show(ui, |ui| {
        let oidc = file.oidc_logout.get_or_insert_with(OidcLogoutFile::default);
        grid(ui, "edit_oidc_logout", &mut |ui| {
            text_field(
                ui,
                "Post-logout redirect URI",
                &mut oidc.post_logout_redirect_uri,
                problem("oidc_logout.post_logout_redirect_uri").as_deref(),
            );
            text_field(
                ui,
                "Logout hint",
                &mut oidc.logout_hint,
                problem("oidc_logout.logout_hint").as_deref(),
            );
            text_field(
                ui,
                "UI locales",
                &mut oidc.ui_locales,
                problem("oidc_logout.ui_locales").as_deref(),
            );
            text_field(
                ui,
                "Back-channel logout URI",
                &mut oidc.backchannel_logout_uri,
                problem("oidc_logout.backchannel_logout_uri").as_deref(),
            );
        });
        if *oidc == OidcLogoutFile::default() {
            file.oidc_logout = None;
        }
    });
}
