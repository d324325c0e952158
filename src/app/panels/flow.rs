//! The Flow tab: pick a grant, run it, and watch it as a sequence diagram
//! between the four OAuth actors, with a verdict for each step.

use eframe::egui;

use crate::app::widgets::copy::copy_button;
use crate::app::widgets::explanation::{findings_ui, why_ui};
use crate::app::widgets::qr::qr_ui;
use crate::app::{Action, Actor, FlowState, FlowStep, Waiting};
use crate::engine::GrantType;
use crate::engine::http::Exchange;
use crate::engine::redact::SECRET_FIELDS;

/// Draws the Flow tab.
pub fn flow_ui(
    ui: &mut egui::Ui,
    flow: &mut FlowState,
    ready: bool,
    exchanges: &[Exchange],
    reveal: bool,
) -> Vec<Action> {
    let mut actions = Vec::new();
    let running = flow.run.is_running();
    ui.horizontal(|ui| {
        ui.add_enabled_ui(!running, |ui| {
            egui::ComboBox::from_label("Grant to run")
                .selected_text(flow.grant.as_str())
                .show_ui(ui, |ui| {
                    for grant in GrantType::ALL {
                        ui.selectable_value(&mut flow.grant, grant, grant.as_str());
                    }
                });
        });
        if ui
            .add_enabled(ready && !running, egui::Button::new("Run all"))
            .clicked()
        {
            actions.push(Action::RunGrant);
        }
        let steppable = flow.grant != GrantType::DeviceCode;
        if ui
            .add_enabled(
                ready && !running && steppable && !flow.preparing,
                egui::Button::new("Next step"),
            )
            .on_hover_text("Show the token request, editable, before it is sent")
            .clicked()
        {
            actions.push(Action::NextStep);
        }
        if ui
            .add_enabled(running, egui::Button::new("Cancel"))
            .clicked()
        {
            actions.push(Action::CancelGrant);
        }
        let something = !flow.steps.is_empty() || flow.prepared.is_some();
        if ui
            .add_enabled(!running && something, egui::Button::new("Reset"))
            .on_hover_text("Clear the steps and start over")
            .clicked()
        {
            flow.reset();
        }
        if running {
            ui.spinner();
        }
    });
    if !ready {
        ui.label("Waiting for the demo provider…");
    }

    if let Some(waiting) = &flow.waiting {
        ui.add_space(6.0);
        egui::Frame::group(ui.style()).show(ui, |ui| match waiting {
            Waiting::Browser {
                url,
                redirect_uri,
                paste,
                browser_failed,
            } => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.strong("Waiting for the browser");
                });
                if let Some(reason) = browser_failed {
                    ui.colored_label(ui.visuals().warn_fg_color, format!("{reason}; open the URL yourself."));
                }
                if let Some((endpoint, params)) = &mut flow.approval {
                    ui.label(format!("The authorization request to {endpoint}, as it will be opened — edit any value:"));
                    egui::Grid::new("approve_params").num_columns(2).show(ui, |ui| {
                        for (name, value) in params.iter_mut() {
                            let label = ui.label(name.as_str());
                            ui.add(egui::TextEdit::singleline(value).desired_width(420.0))
                                .labelled_by(label.id);
                            ui.end_row();
                        }
                    });
                    if ui.button("Open in browser").clicked() {
                        actions.push(Action::ApproveAuthorization);
                    }
                }
                egui::CollapsingHeader::new("Authorization request parameters").show(ui, |ui| {
                    let params: Vec<(String, String)> = url::Url::parse(url)
                        .map(|u| u.query_pairs().into_owned().collect())
                        .unwrap_or_default();
                    egui::Grid::new("authorize_params").num_columns(2).striped(true).show(ui, |ui| {
                        for (name, value) in params {
                            ui.monospace(name);
                            ui.add(egui::Label::new(value).selectable(true));
                            ui.end_row();
                        }
                    });
                });
                ui.horizontal(|ui| {
                    ui.label("Authorization URL:");
                    ui.add(egui::Label::new(egui::RichText::new(url).monospace()).truncate());
                    if copy_button(ui, "Copy URL") {
                        actions.push(Action::Copy(url.clone()));
                    }
                });
                if *paste {
                    ui.label(format!(
                        "After signing in, the browser goes to {redirect_uri}. Paste that whole address here:"
                    ));
                    ui.horizontal(|ui| {
                        let label = ui.label("Redirect URL");
                        let edit = ui.add(
                            egui::TextEdit::singleline(&mut flow.paste).desired_width(420.0),
                        );
                        let edit = edit.labelled_by(label.id);
                        let submit = ui.button("Continue").clicked()
                            || (edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)));
                        if submit && !flow.paste.trim().is_empty() {
                            actions.push(Action::PasteRedirect);
                        }
                    });
                    if let Some(problem) = &flow.paste_problem {
                        ui.colored_label(ui.visuals().error_fg_color, problem);
                    }
                } else {
                    ui.label(format!("The browser comes back to {redirect_uri}."));
                }
            }
            Waiting::Device(info) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.strong("Waiting for the device to be approved");
                });
                ui.label(format!("On another device, open {} and enter:", info.verification_uri));
                ui.label(egui::RichText::new(&info.user_code).size(32.0).monospace().strong());
                if let Some(complete) = &info.verification_uri_complete {
                    ui.horizontal(|ui| {
                        ui.label(format!("Or open {complete}"));
                        if copy_button(ui, "Copy link") {
                            actions.push(Action::Copy(complete.clone()));
                        }
                    });
                    qr_ui(ui, complete, 180.0);
                }
                ui.label(format!(
                    "Polling every {} s; the code expires in {} s.",
                    info.interval, info.expires_in
                ));
            }
        });
    }

    if let Some(prepared) = &mut flow.prepared {
        ui.add_space(6.0);
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.strong("The token request, as it will be sent");
            egui::Grid::new("prepared_request")
                .num_columns(2)
                .show(ui, |ui| {
                    ui.label("Method");
                    ui.monospace(&prepared.method);
                    ui.end_row();
                    let label = ui.label("Request URL");
                    ui.add(egui::TextEdit::singleline(&mut prepared.url).desired_width(460.0))
                        .labelled_by(label.id);
                    ui.end_row();
                    if let Some((id, secret)) = &mut prepared.basic {
                        let label = ui.label("Basic client_id");
                        ui.text_edit_singleline(id).labelled_by(label.id);
                        ui.end_row();
                        let label = ui.label("Basic client_secret");
                        ui.add(egui::TextEdit::singleline(secret).password(!reveal))
                            .labelled_by(label.id);
                        ui.end_row();
                    }
                    for (name, value) in &mut prepared.headers {
                        let label = ui.label(format!("Header {name}"));
                        ui.text_edit_singleline(value).labelled_by(label.id);
                        ui.end_row();
                    }
                    for (name, value) in &mut prepared.params {
                        let secret = SECRET_FIELDS.contains(&name.as_str());
                        let label = ui.label(name.as_str());
                        ui.add(egui::TextEdit::singleline(value).password(secret && !reveal))
                            .labelled_by(label.id);
                        ui.end_row();
                    }
                });
            ui.horizontal(|ui| {
                if ui.button("Send").clicked() {
                    actions.push(Action::SendPrepared);
                }
                if ui.button("Discard").clicked() {
                    actions.push(Action::DiscardPrepared);
                }
            });
        });
    }

    ui.add_space(8.0);
    if flow.steps.is_empty() {
        ui.label(
            "Pick a grant and press Run all. Each request and response appears here as it happens.",
        );
        return actions;
    }
    if let Some(id) = sequence_ui(ui, &flow.steps) {
        actions.push(Action::ShowExchange(id));
    }
    ui.add_space(8.0);
    ui.strong("Steps");
    for (index, step) in flow.steps.iter().enumerate() {
        ui.horizontal(|ui| {
            let mark = if step.ok { "OK" } else { "FAILED" };
            let color = if step.ok {
                egui::Color32::from_rgb(0x2e, 0xa0, 0x43)
            } else {
                ui.visuals().error_fg_color
            };
            ui.colored_label(color, format!("{}. {mark}", index + 1));
            if !step.label.is_empty() {
                ui.monospace(&step.label);
            }
            ui.label(&step.verdict);
            if let Some(id) = step.exchange_id
                && exchanges.iter().any(|e| e.id == id)
                && ui.small_button(format!("Show exchange #{id}")).clicked()
            {
                actions.push(Action::ShowExchange(id));
            }
        });
        if !step.findings.is_empty() || step.explanation.is_some() {
            ui.indent(("step_why", index), |ui| {
                findings_ui(ui, &step.findings);
                if let Some(explanation) = &step.explanation {
                    why_ui(ui, index, explanation);
                }
            });
        }
    }
    actions
}

/// Draws the sequence diagram; returns the exchange of a clicked arrow.
fn sequence_ui(ui: &mut egui::Ui, steps: &[FlowStep]) -> Option<u64> {
    let arrows: Vec<&FlowStep> = steps.iter().filter(|s| s.arrow.is_some()).collect();
    if arrows.is_empty() {
        return None;
    }
    let row = 30.0;
    let header = 34.0;
    let width = ui.available_width().max(480.0);
    let height = header + row * (arrows.len() as f32 + 0.5);
    let (rect, _) = ui.allocate_exact_size(egui::vec2(width, height), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let visuals = ui.visuals().clone();
    let column = |actor: Actor| rect.left() + width * (actor.column() as f32 + 0.5) / 4.0;
    let font = egui::FontId::proportional(13.0);
    for actor in Actor::ALL {
        let x = column(actor);
        painter.text(
            egui::pos2(x, rect.top() + 8.0),
            egui::Align2::CENTER_TOP,
            actor.label(),
            font.clone(),
            visuals.strong_text_color(),
        );
        painter.line_segment(
            [
                egui::pos2(x, rect.top() + header - 6.0),
                egui::pos2(x, rect.bottom()),
            ],
            egui::Stroke::new(1.0, visuals.weak_text_color()),
        );
    }
    let mut clicked = None;
    let last = arrows.len().saturating_sub(1);
    for (i, step) in arrows.iter().enumerate() {
        let Some((from, to)) = step.arrow else {
            continue;
        };
        let y = rect.top() + header + row * (i as f32 + 0.5);
        let (x1, x2) = (column(from), column(to));
        let color = if !step.ok {
            visuals.error_fg_color
        } else if i == last {
            visuals.selection.stroke.color
        } else {
            visuals.text_color()
        };
        let stroke = egui::Stroke::new(if i == last { 2.5 } else { 1.5 }, color);
        arrow(&painter, egui::pos2(x1, y), egui::pos2(x2, y), stroke);
        painter.text(
            egui::pos2((x1 + x2) / 2.0, y - 3.0),
            egui::Align2::CENTER_BOTTOM,
            &step.label,
            font.clone(),
            color,
        );
        if let Some(id) = step.exchange_id {
            let hit =
                egui::Rect::from_x_y_ranges(x1.min(x2)..=x1.max(x2), (y - row / 2.0)..=(y + 6.0));
            let response = ui
                .interact(hit, ui.scope_id().with(("arrow", i)), egui::Sense::click())
                .on_hover_text(format!("Open exchange #{id} in the HTTP log"));
            response.widget_info(|| {
                egui::WidgetInfo::labeled(
                    egui::Role::Button,
                    true,
                    format!("Arrow {}: {}", i + 1, step.label),
                )
            });
            if response.clicked() {
                clicked = Some(id);
            }
        }
    }
    clicked
}

/// A horizontal arrow with a fixed-size head (egui's own scales the head
/// with the length).
fn arrow(painter: &egui::Painter, from: egui::Pos2, to: egui::Pos2, stroke: egui::Stroke) {
    painter.line_segment([from, to], stroke);
    let direction = if to.x >= from.x { -1.0 } else { 1.0 };
    let head = 8.0;
    painter.line_segment(
        [to, egui::pos2(to.x + direction * head, to.y - head / 2.0)],
        stroke,
    );
    painter.line_segment(
        [to, egui::pos2(to.x + direction * head, to.y + head / 2.0)],
        stroke,
    );
}
