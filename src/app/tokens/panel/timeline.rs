//! The profile's token history in the Tokens tab: the timeline of what
//! happened to its tokens (newest page first, each entry linked to its
//! exchange) and the earlier token sets kept in memory.

use eframe::egui;

use crate::app::tokens::TokenAction as Action;
use crate::app::tokens::state::{TIMELINE_PAGE, TimelineKind, TokenState};
use crate::app::widgets::explanation::why_ui;

/// What happened to the profile's tokens, newest first, each linked to its
/// exchange.
pub(super) fn timeline_ui(ui: &mut egui::Ui, tokens: &mut TokenState, actions: &mut Vec<Action>) {
    if tokens.timeline.is_empty() {
        return;
    }
    let shown = tokens.timeline_shown.max(1);
    let dropped = tokens.timeline_dropped;
    egui::CollapsingHeader::new(format!("Timeline ({})", tokens.timeline.len() + dropped))
        .id_salt("token_timeline")
        .default_open(true)
        .show(ui, |ui| {
            // The newest page: a day of refreshes is thousands of entries,
            // and laying them all out every frame is what costs.
            let total = tokens.timeline.len();
            for (index, entry) in tokens.timeline.iter().enumerate().rev().take(shown) {
                ui.horizontal_wrapped(|ui| {
                    let failed = matches!(entry.kind, TimelineKind::Failed(_));
                    let color = if failed {
                        ui.visuals().error_fg_color
                    } else {
                        ui.visuals().text_color()
                    };
                    ui.monospace(
                        entry
                            .at
                            .with_timezone(&chrono::Local)
                            .format("%H:%M:%S")
                            .to_string(),
                    );
                    ui.colored_label(color, &entry.text);
                    if let Some(id) = entry.exchange_id
                        && ui.small_button(format!("Exchange #{id}")).clicked()
                    {
                        actions.push(Action::ShowExchange(id));
                    }
                });
                if let TimelineKind::Failed(failure) = &entry.kind
                    && let Some(explanation) = &failure.explanation
                {
                    // Keyed by the entry's place in the session, which stays
                    // when older entries leave memory.
                    let place = dropped + index;
                    ui.indent(("timeline_why", place), |ui| {
                        why_ui(ui, ("timeline", place), explanation);
                    });
                }
            }
            if total > shown {
                ui.horizontal(|ui| {
                    ui.weak(format!("Showing the newest {shown} of {}", total + dropped));
                    if ui
                        .button(format!("Show {} older", (total - shown).min(TIMELINE_PAGE)))
                        .clicked()
                    {
                        tokens.timeline_shown = shown + TIMELINE_PAGE;
                    }
                });
            } else if dropped > 0 {
                ui.weak(format!(
                    "The {dropped} older entries left memory; their exchanges are in the HTTP log."
                ));
            }
        });
}

/// The earlier token sets (all but the current), newest first, their
/// refresh tokens masked unless revealed.
pub(super) fn history_ui(ui: &mut egui::Ui, tokens: &TokenState, reveal: bool) {
    if tokens.history.len() > 1 {
        egui::CollapsingHeader::new(format!(
            "Earlier token sets ({})",
            tokens.history.len() - 1
        ))
        .show(ui, |ui| {
            if tokens.history_dropped > 0 {
                ui.weak(format!(
                    "The newest {} are kept in memory; {} older ones are in the HTTP log and the timeline.",
                    tokens.history.len(),
                    tokens.history_dropped
                ));
            }
            for (index, older) in tokens.history.iter().enumerate().rev().skip(1) {
                let refresh = older.refresh_token.as_ref().map(|t| {
                    if reveal {
                        t.expose().to_string()
                    } else {
                        format!("•••• ({} chars)", t.expose().chars().count())
                    }
                });
                ui.add(egui::Label::new(format!(
                    "#{} {} grant at {} — refresh token {}",
                    index + 1,
                    older.grant.label(),
                    older
                        .obtained_at
                        .with_timezone(&chrono::Local)
                        .format("%H:%M:%S"),
                    refresh.unwrap_or_else(|| "none".to_string())
                )).wrap());
            }
        });
    }
}
