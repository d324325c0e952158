//! The HTTP log tab: every exchange of the session in a table (rows made
//! once, drawn virtualised, so ten thousand stay smooth), filters, and a
//! detail pane with the raw request and response and "Copy as curl".

use eframe::egui;

use super::LogAction as Action;
use super::spill::ExchangeLog;
use super::state::LogState;
use crate::app::session::ProfileId;
use crate::app::widgets::copy::copy_button;
use crate::engine::wire::curl::to_curl_script;
use crate::engine::wire::http::ExchangeKind;
use crate::engine::wire::redact;

const KINDS: [ExchangeKind; 13] = [
    ExchangeKind::Authorize,
    ExchangeKind::Token,
    ExchangeKind::Device,
    ExchangeKind::Api,
    ExchangeKind::Discovery,
    ExchangeKind::Revocation,
    ExchangeKind::Introspection,
    ExchangeKind::Userinfo,
    ExchangeKind::Callback,
    ExchangeKind::Par,
    ExchangeKind::Registration,
    ExchangeKind::Backchannel,
    ExchangeKind::Notification,
];

/// What the log needs besides its own state.
pub struct LogView<'a> {
    /// Every exchange of the session.
    pub exchanges: &'a ExchangeLog,
    /// Secrets in clear.
    pub reveal: bool,
    /// Presentation mode (Show secrets is locked off).
    pub presenting: bool,
    /// The selected profile, and its name.
    pub profile: (ProfileId, &'a str),
}

/// Draws the HTTP log.
pub fn http_log_ui(ui: &mut egui::Ui, log: &mut LogState, view: &LogView<'_>) -> Vec<Action> {
    let mut actions = Vec::new();
    let (exchanges, reveal) = (view.exchanges, view.reveal);
    ui.horizontal(|ui| {
        ui.checkbox(&mut log.all_profiles, "All profiles")
            .on_hover_text("Off: only the exchanges of the selected profile");
        if !log.all_profiles {
            ui.label(format!("Showing {}", view.profile.1));
        }
    });
    ui.horizontal(|ui| {
        let label = ui.label("Filter");
        ui.add(
            egui::TextEdit::singleline(&mut log.filter)
                .hint_text("URL, method or status")
                .desired_width(240.0),
        )
        .labelled_by(label.id);
        let label = ui.label("Kind");
        egui::ComboBox::from_id_salt("log_kind")
            .selected_text(log.kind.map(|k| k.as_str()).unwrap_or("all"))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut log.kind, None, "all");
                for kind in KINDS {
                    ui.selectable_value(&mut log.kind, Some(kind), kind.as_str());
                }
            })
            .response
            .labelled_by(label.id);
    });
    // The button first and the path last: a narrow window shortens the
    // path field, never the button.
    ui.horizontal(|ui| {
        let ready = !log.rows().is_empty() && !log.har_path.trim().is_empty();
        if ui
            .add_enabled(ready, egui::Button::new("Export HAR"))
            .on_hover_text(
                "Every exchange of the session as HAR 1.2; secrets masked unless included",
            )
            .on_disabled_hover_text("No exchanges yet, or no file named")
            .clicked()
        {
            actions.push(Action::ExportHar);
        }
        ui.add_enabled(
            !view.presenting,
            egui::Checkbox::new(&mut log.har_secrets, "Include secrets"),
        )
        .on_disabled_hover_text("Locked off in presentation mode");
        let label = ui.label("HAR file");
        ui.add(
            egui::TextEdit::singleline(&mut log.har_path)
                .desired_width(ui.available_width().max(120.0)),
        )
        .labelled_by(label.id);
    });
    session_file_ui(ui, exchanges, &mut actions);
    if let Some((ok, message)) = &log.har_result {
        let color = if *ok {
            ui.visuals().text_color()
        } else {
            ui.visuals().error_fg_color
        };
        ui.add(egui::Label::new(egui::RichText::new(message).color(color)).wrap());
    }
    log.filter_rows(view.profile.0);
    let (rows, shown) = (log.rows(), log.shown());
    ui.label(format!("{} of {} exchanges", shown.len(), rows.len()));
    // The selection shows only while its row is listed (another profile's
    // exchange does not linger). Concurrent requests can arrive out of id
    // order: search, do not bisect.
    let listed = log
        .selected
        .filter(|id| shown.iter().any(|&i| rows[i as usize].id == *id));
    let selected = listed.and_then(|id| exchanges.get(id));
    // One in the session file is read back (once) when selected.
    let reading = listed.filter(|id| selected.is_none() && exchanges.is_spilled(*id));
    if let Some(id) = reading
        && exchanges.reading != Some(id)
    {
        actions.push(Action::ReadSpilled(id));
    }
    let list_height = if selected.is_some() || reading.is_some() {
        ui.available_height() * 0.4
    } else {
        ui.available_height()
    };
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    let mut clicked = None;
    egui::ScrollArea::vertical()
        .id_salt("http_log_rows")
        .max_height(list_height)
        .auto_shrink([false, true])
        .show_rows(ui, row_height, shown.len(), |ui, range| {
            for &i in &shown[range] {
                let row = &rows[i as usize];
                let is_selected = log.selected == Some(row.id);
                let button = egui::Button::selectable(
                    is_selected,
                    egui::RichText::new(row.text()).monospace(),
                );
                if ui.add(button.truncate()).clicked() {
                    clicked = Some(row.id);
                }
            }
        });
    if clicked.is_some() {
        log.selected = clicked;
    }
    if let Some(id) = reading {
        ui.separator();
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(format!("Reading exchange #{id} from the session file…"));
        });
    }
    let Some(exchange) = selected else {
        return actions;
    };
    ui.separator();
    ui.horizontal(|ui| {
        ui.strong(format!("Exchange #{}", exchange.id));
        if copy_button(ui, "Copy as curl") {
            // Runnable as it is: secrets come from shell variables, set by
            // `export` lines only when secrets are shown.
            actions.push(Action::Copy(to_curl_script(&exchange.request, reveal)));
        }
        if view.presenting {
            ui.label("(secrets masked: presentation mode)");
        } else if !reveal {
            ui.label("(secrets masked: tick Show secrets to reveal)");
        }
    });
    let fresh = matches!(&log.detail, Some((id, r, _)) if *id == exchange.id && *r == reveal);
    if !fresh {
        // Masked and laid out once per exchange and reveal state, not per
        // frame: bodies can be megabytes.
        let shown = if reveal {
            exchange.describe()
        } else {
            redact::on_screen(exchange).describe()
        };
        // A one-line 20 MB body is one line: cut, so no frame lays out
        // megabytes (the Request tab shows such a body whole, pretty).
        let lines = shown
            .lines()
            .map(crate::app::widgets::json_doc::cut)
            .collect();
        log.detail = Some((exchange.id, reveal, lines));
    }
    if let Some((_, _, lines)) = &log.detail {
        egui::ScrollArea::both()
            .id_salt("http_log_detail")
            .auto_shrink([false, false])
            .show_rows(ui, row_height, lines.len(), |ui, range| {
                for line in &lines[range] {
                    ui.add(egui::Label::new(egui::RichText::new(line).monospace()).extend());
                }
            });
    }
    actions
}

/// How much of the log is in memory, and the session file's settings.
fn session_file_ui(ui: &mut egui::Ui, exchanges: &ExchangeLog, actions: &mut Vec<Action>) {
    let (mut keep_in_memory, mut keep_secrets) = (exchanges.keep_in_memory, exchanges.keep_secrets);
    ui.horizontal_wrapped(|ui| {
        let memory = ui
            .checkbox(&mut keep_in_memory, "Keep every exchange in memory")
            .on_hover_text(format!(
                "Off: beyond the newest {} exchanges (or {} MB of bodies) the older ones move to a session file on disk, read back when shown or exported; it is deleted when the app closes",
                exchanges.budget.exchanges,
                exchanges.budget.body_bytes / (1024 * 1024)
            ));
        let secrets = ui
            .add_enabled(
                !keep_in_memory,
                egui::Checkbox::new(&mut keep_secrets, "Keep secrets in the session file"),
            )
            .on_hover_text("Off: they are masked there, as in a HAR export without secrets");
        if memory.changed() || secrets.changed() {
            actions.push(Action::SessionFile {
                keep_in_memory,
                keep_secrets,
            });
        }
        let spilled = exchanges.spilled_count();
        if spilled > 0 {
            ui.weak(format!("{spilled} in the session file"));
        }
    });
    if let Some(problem) = &exchanges.problem {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("Every exchange stays in memory: {problem}"),
        );
    }
}
