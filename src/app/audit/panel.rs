//! The Audit tab: one button, and a table that fills in as each check
//! finishes — verdict, check, rule, what was observed — each row opening to
//! what was expected and the exchanges that show it.

use eframe::egui;

use super::{AuditAction, AuditState};
use crate::engine::audit::{CheckResult, Verdict, Weight};

/// What the Audit tab needs besides its state.
pub struct AuditView<'a> {
    /// The selected profile's name.
    pub profile: &'a str,
    /// Why it cannot run now (the demo provider is starting), if so.
    pub not_ready: Option<&'a str>,
}

/// Draws the Audit tab.
pub fn audit_ui(ui: &mut egui::Ui, audit: &AuditState, view: &AuditView<'_>) -> Vec<AuditAction> {
    let mut actions = Vec::new();
    ui.add(
        egui::Label::new(format!(
            "Audit the authorization server of {}: each check asks it to do what the RFCs forbid (replay a code, take a wrong PKCE verifier, redirect to an unregistered URI, accept a rotated-out refresh token…) and says whether it refused. Browser checks sign in once each; intrusive ones revoke what they obtained. Use a test client.",
            view.profile
        ))
        .wrap(),
    );
    ui.horizontal(|ui| {
        let enabled = !audit.running && view.not_ready.is_none();
        if ui
            .add_enabled(enabled, egui::Button::new("Run audit"))
            .on_disabled_hover_text(view.not_ready.unwrap_or("An audit is running"))
            .clicked()
        {
            actions.push(AuditAction::Run);
        }
        if audit.running {
            ui.spinner();
            ui.label(format!(
                "Running: {} of {} checks done",
                audit.results.len(),
                crate::engine::audit::CHECKS
                    .iter()
                    .filter(|c| crate::engine::audit::selected(
                        c,
                        &crate::engine::audit::AuditOptions::default()
                    ))
                    .count()
            ));
        }
    });
    if let Some(url) = &audit.waiting {
        ui.horizontal(|ui| {
            ui.label("Waiting for the sign-in in the browser:");
            if crate::app::widgets::copy::copy_button(ui, "Copy URL") {
                actions.push(AuditAction::Copy(url.clone()));
            }
        });
        ui.add(egui::Label::new(egui::RichText::new(url).monospace()).truncate());
    }
    match &audit.ended {
        Some(Ok(summary)) => {
            let color = if crate::engine::audit::failed(&audit.results) {
                ui.visuals().error_fg_color
            } else {
                egui::Color32::from_rgb(0x2e, 0xa0, 0x43)
            };
            ui.colored_label(color, summary);
        }
        Some(Err(message)) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("The audit could not run: {message}"),
            );
        }
        None => {}
    }
    ui.separator();
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (index, result) in audit.results.iter().enumerate() {
                row_ui(ui, index, result, &mut actions);
            }
        });
    actions
}

/// One check: verdict and ID on the header line, the rest inside.
fn row_ui(ui: &mut egui::Ui, index: usize, result: &CheckResult, actions: &mut Vec<AuditAction>) {
    let (mark, color) = match (result.verdict, result.weight) {
        (Verdict::Pass, _) => ("PASS", egui::Color32::from_rgb(0x2e, 0xa0, 0x43)),
        (Verdict::Fail, Weight::Required) => ("FAIL", ui.visuals().error_fg_color),
        (Verdict::Fail, Weight::Warning) => ("WARN", ui.visuals().warn_fg_color),
        (Verdict::NotApplicable, _) => ("N/A", ui.visuals().weak_text_color()),
        (Verdict::Error, _) => ("ERROR", ui.visuals().warn_fg_color),
    };
    ui.horizontal(|ui| {
        ui.add_sized(
            [48.0, ui.spacing().interact_size.y],
            egui::Label::new(egui::RichText::new(mark).color(color).strong()),
        );
        egui::CollapsingHeader::new(egui::RichText::new(result.id).monospace())
            .id_salt(("audit_row", index))
            .show(ui, |ui| {
                ui.add(egui::Label::new(format!("Expected: {}", result.expected)).wrap());
                ui.add(egui::Label::new(format!("Rule: {}", result.rfc)).wrap());
                if result.intrusive {
                    ui.label("Intrusive: it spent or revoked what it obtained.");
                }
                ui.horizontal_wrapped(|ui| {
                    for id in &result.exchanges {
                        if ui.small_button(format!("Show exchange #{id}")).clicked() {
                            actions.push(AuditAction::ShowExchange(*id));
                        }
                    }
                });
            });
    });
    ui.indent(("audit_observed", index), |ui| {
        ui.add(egui::Label::new(&result.observed).wrap());
    });
}
