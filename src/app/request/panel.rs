//! The Request tab: call an API with the current token.

use eframe::egui;

use super::RequestAction as Action;
use super::state::{BodyView, Found, RequestState};
use crate::app::widgets::explanation::{findings_ui, why_ui};
use crate::app::widgets::json_doc::BodyDoc;
use crate::app::widgets::json_tree::json_tree_ui;

/// What the Request tab needs besides its own state.
pub struct RequestContext<'a> {
    /// There is a current access token.
    pub have_token: bool,
    /// There is a refresh token to use after a 401.
    pub can_refresh: bool,
    /// Names of the profile's ready-made requests.
    pub saved: &'a [String],
    /// Secrets shown in clear.
    pub reveal: bool,
}

/// Draws the Request tab.
pub fn request_ui(
    ui: &mut egui::Ui,
    request: &mut RequestState,
    context: RequestContext<'_>,
) -> Vec<Action> {
    let mut actions = Vec::new();
    let have_token = context.have_token;
    if !context.saved.is_empty() {
        ui.horizontal(|ui| {
            let label = ui.label("Ready-made requests");
            egui::ComboBox::from_id_salt("ready_made_requests")
                .selected_text("Choose…")
                .show_ui(ui, |ui| {
                    for (index, name) in context.saved.iter().enumerate() {
                        if ui.selectable_label(false, name).clicked() {
                            actions.push(Action::LoadSaved(index));
                        }
                    }
                })
                .response
                .labelled_by(label.id);
        });
    }
    ui.horizontal(|ui| {
        let label = ui.label("Method");
        egui::ComboBox::from_id_salt("request_method")
            .width(80.0)
            .selected_text(request.method.clone())
            .show_ui(ui, |ui| {
                for method in ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] {
                    ui.selectable_value(&mut request.method, method.to_string(), method);
                }
            })
            .response
            .labelled_by(label.id);
        let label = ui.label("URL");
        ui.add(
            egui::TextEdit::singleline(&mut request.url)
                .desired_width((ui.available_width() - 90.0).max(160.0)),
        )
        .labelled_by(label.id);
        let send = ui
            .add_enabled(!request.answer.is_waiting(), egui::Button::new("Send"))
            .on_hover_text("Ctrl+Enter");
        let shortcut = ui.input_mut(|i| {
            i.consume_shortcut(&egui::KeyboardShortcut::new(
                egui::Modifiers::COMMAND,
                egui::Key::Enter,
            ))
        });
        if (send.clicked() || shortcut) && !request.answer.is_waiting() {
            actions.push(Action::Send);
        }
        if request.answer.is_waiting() {
            ui.spinner();
        }
    });
    query_table_ui(ui, &mut request.url);
    ui.horizontal(|ui| {
        use crate::engine::profile::TokenPlacementKind as Kind;
        let shown = match request.placement {
            None => "as the profile says",
            Some(Kind::Header) => "Authorization header",
            Some(Kind::Query) => "query parameter",
            Some(Kind::Body) => "form body",
        };
        let label = ui.label("Token placement");
        egui::ComboBox::from_id_salt("token_placement")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut request.placement, None, "as the profile says");
                ui.selectable_value(
                    &mut request.placement,
                    Some(Kind::Header),
                    "Authorization header",
                );
                ui.selectable_value(&mut request.placement, Some(Kind::Query), "query parameter");
                ui.selectable_value(&mut request.placement, Some(Kind::Body), "form body");
            })
            .response
            .labelled_by(label.id);
    });
    if !have_token {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "No token yet: the request goes without one.",
        );
    }
    ui.columns(2, |columns| {
        let label = columns[0].label("Headers (one Name: value per line)");
        columns[0]
            .add(
                egui::TextEdit::multiline(&mut request.headers)
                    .desired_rows(3)
                    .code_editor(),
            )
            .labelled_by(label.id);
        let label = columns[1].label("Body");
        columns[1]
            .add(
                egui::TextEdit::multiline(&mut request.body)
                    .desired_rows(3)
                    .code_editor(),
            )
            .labelled_by(label.id);
    });
    if !request.history.is_empty() {
        let mut reload = None;
        egui::CollapsingHeader::new(format!("History ({})", request.history.len())).show(
            ui,
            |ui| {
                for (method, url, status) in request.history.iter().rev() {
                    let status = status.map_or("failed".to_string(), |s| s.to_string());
                    if ui
                        .small_button(format!("{method} {url} -> {status}"))
                        .clicked()
                    {
                        reload = Some((method.clone(), url.clone()));
                    }
                }
            },
        );
        if let Some((method, url)) = reload {
            request.method = method;
            request.url = url;
        }
    }
    let response = match request.answer.value() {
        Some(Err(error)) => {
            ui.colored_label(ui.visuals().error_fg_color, error);
            return actions;
        }
        Some(Ok(response)) => response,
        None => return actions,
    };
    ui.separator();
    let exchange = &response.response.exchange;
    let status = response.response.status();
    let size = exchange
        .response
        .as_ref()
        .map(|r| r.body.len())
        .unwrap_or_default();
    ui.strong(format!(
        "HTTP {status} · {} ms · {size} bytes · {} lines{}",
        exchange.duration.as_millis(),
        response.body.line_count(),
        if response.body.json().is_some() {
            " of JSON"
        } else {
            ""
        }
    ));
    if let Some(challenge) = &response.response.challenge {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("WWW-Authenticate: {challenge}"),
        );
        let step_up = response
            .response
            .step_up
            .as_ref()
            .filter(|s| !s.requirement.is_empty());
        ui.horizontal_wrapped(|ui| match step_up {
            // A refresh keeps the same sign-in: only a new one helps.
            Some(step_up) => {
                if ui
                    .button(format!(
                        "Re-authorize with {} and retry",
                        step_up.requirement
                    ))
                    .on_hover_text(
                        "Runs the sign-in again asking for what the API named (RFC 9470 §4), then sends this request again",
                    )
                    .clicked()
                {
                    actions.push(Action::StepUp(step_up.requirement.clone()));
                }
            }
            None => {
                if context.can_refresh && ui.button("Refresh token and retry").clicked() {
                    actions.push(Action::RefreshAndRetry);
                }
                if status == 401 && ui.button("Re-authorize and retry").clicked() {
                    actions.push(Action::ReauthorizeAndRetry);
                }
            }
        });
    }
    if response.client_account {
        ui.horizontal(|ui| {
            ui.label("The response carries a client_id and client_secret.");
            if ui.button("New client credentials profile").clicked() {
                actions.push(Action::ProfileFromResponse);
            }
        });
    }
    findings_ui(ui, &response.response.findings);
    if let Some(explanation) = &response.explanation {
        why_ui(ui, "request", explanation);
    }
    egui::CollapsingHeader::new("Response headers").show(ui, |ui| {
        for (name, value) in exchange.response.iter().flat_map(|r| &r.headers) {
            ui.monospace(format!("{name}: {value}"));
        }
    });
    // Said either way, so the views below do not jump when secrets are
    // shown or hidden.
    if response.masked.is_some() {
        ui.weak(if context.reveal {
            "Secrets in the body are shown; untick Show secrets to mask them."
        } else {
            "Secrets in the body are masked; Show secrets reveals them."
        });
    }
    body_ui(
        ui,
        response.shown(context.reveal),
        &mut request.body_view,
        context.reveal,
    );
    actions
}

/// The response body as a tree or as text lines, with find; only what is
/// on screen is made and laid out.
fn body_ui(ui: &mut egui::Ui, shown: &BodyDoc, view: &mut BodyView, reveal: bool) {
    if let Some(doc) = shown.json() {
        ui.horizontal(|ui| {
            ui.selectable_value(&mut view.as_tree, true, "Tree");
            ui.selectable_value(&mut view.as_tree, false, "Text");
        });
        if view.as_tree {
            json_tree_ui(ui, "response_tree", doc, &mut view.tree_view);
            return;
        }
    }
    ui.horizontal(|ui| {
        let label = ui.label("Find");
        ui.add(egui::TextEdit::singleline(&mut view.find).desired_width(200.0))
            .labelled_by(label.id);
    });
    let needle = view.find.trim();
    // Looked for once per text, not every frame: a 20 MB body has
    // millions of lines.
    let found = if needle.is_empty() {
        None
    } else {
        let stale = view
            .found
            .as_ref()
            .is_none_or(|found| found.needle != needle || found.revealed != reveal);
        if stale {
            view.found = Some(Found {
                needle: needle.to_string(),
                revealed: reveal,
                lines: shown.find(needle),
            });
        }
        view.found.as_ref().map(|found| found.lines.as_slice())
    };
    if let Some(found) = found {
        ui.label(match found.len() {
            1 => "1 line matches".to_string(),
            n => format!("{n} lines match"),
        });
    }
    let rows = found.map_or(shown.line_count(), <[u32]>::len);
    // Only the visible lines are made and laid out, so a 50 MB body
    // scrolls smoothly.
    let row_height = ui.text_style_height(&egui::TextStyle::Monospace) + 2.0;
    egui::ScrollArea::both()
        .id_salt("response_body")
        .auto_shrink([false, false])
        .show_rows(ui, row_height, rows, |ui, range| {
            let lines = match found {
                None => shown.lines(range),
                Some(found) => found
                    .get(range)
                    .unwrap_or_default()
                    .iter()
                    .flat_map(|&n| shown.lines(n as usize..n as usize + 1))
                    .collect(),
            };
            for line in lines {
                ui.add(egui::Label::new(egui::RichText::new(line).monospace()).extend());
            }
        });
}

/// The URL's query parameters as an editable table; edits rewrite the URL.
fn query_table_ui(ui: &mut egui::Ui, url_text: &mut String) {
    let Ok(mut url) = url::Url::parse(url_text.trim()) else {
        return;
    };
    let mut pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let mut changed = false;
    egui::CollapsingHeader::new(format!("Query parameters ({})", pairs.len()))
        .id_salt("query_parameters")
        .default_open(!pairs.is_empty())
        .show(ui, |ui| {
            let mut remove = None;
            egui::Grid::new("query_table")
                .num_columns(3)
                .show(ui, |ui| {
                    let name_header = ui.strong("Name");
                    let value_header = ui.strong("Value");
                    ui.end_row();
                    for (index, (name, value)) in pairs.iter_mut().enumerate() {
                        changed |= ui
                            .add(egui::TextEdit::singleline(name).desired_width(160.0))
                            .labelled_by(name_header.id)
                            .changed();
                        changed |= ui
                            .add(egui::TextEdit::singleline(value).desired_width(360.0))
                            .labelled_by(value_header.id)
                            .changed();
                        if ui.small_button(format!("Remove {name}")).clicked() {
                            remove = Some(index);
                        }
                        ui.end_row();
                    }
                });
            if let Some(index) = remove {
                pairs.remove(index);
                changed = true;
            }
            if ui.small_button("Add parameter").clicked() {
                pairs.push(("name".to_string(), String::new()));
                changed = true;
            }
        });
    if changed {
        if pairs.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(&pairs);
        }
        *url_text = url.to_string();
    }
}
