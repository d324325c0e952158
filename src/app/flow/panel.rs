//! The Flow tab: pick a grant, run it, and watch it as a sequence diagram
//! between the four OAuth actors, with a verdict for each step.

use eframe::egui;

use super::FlowAction;
use super::diagram::sequence_ui;
use super::state::{FlowState, Waiting};
use super::step::StepStatus;
use crate::app::widgets::copy::copy_button;
use crate::app::widgets::countdown::countdown_ui;
use crate::app::widgets::explanation::{findings_ui, why_ui};
use crate::app::widgets::qr::qr_ui;
use crate::engine::GrantType;
use crate::engine::grants::step::PreparedRequest;
use crate::engine::wire::http::Exchange;
use crate::engine::wire::redact::SECRET_FIELDS;

/// What the tab needs besides the run.
pub struct FlowView<'a> {
    /// The selected profile's name.
    pub profile: &'a str,
    /// Why nothing can run yet, if so (demo provider starting).
    pub not_ready: Option<&'a str>,
    /// Every exchange, to offer "Show exchange" only for ones still there.
    pub exchanges: &'a crate::app::http_log::ExchangeLog,
    /// Secrets in clear.
    pub reveal: bool,
    /// Presentation mode: personal values masked too.
    pub presenting: bool,
}

/// Draws the Flow tab.
pub fn flow_ui(ui: &mut egui::Ui, flow: &mut FlowState, view: &FlowView<'_>) -> Vec<FlowAction> {
    let mut actions = Vec::new();
    toolbar_ui(ui, flow, view, &mut actions);
    egui::ScrollArea::vertical()
        .id_salt("flow_scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if let Some(waiting) = flow.waiting.clone() {
                ui.add_space(6.0);
                egui::Frame::group(ui.style()).show(ui, |ui| match &waiting {
                    Waiting::Browser { .. } => browser_ui(ui, flow, &waiting, &mut actions),
                    Waiting::Device(info) => {
                        ui.horizontal(|ui| {
                            ui.spinner();
                            ui.strong("Waiting for the device to be approved");
                        });
                        ui.label(format!("On another device, open {} and enter:", info.verification_uri));
                        ui.label(egui::RichText::new(&info.user_code).size(32.0).monospace().strong());
                        if let Some(complete) = &info.verification_uri_complete {
                            ui.horizontal(|ui| {
                                if copy_button(ui, "Copy link") {
                                    actions.push(FlowAction::Copy(complete.clone()));
                                }
                                ui.add(egui::Label::new(format!("Or open {complete}")).wrap());
                            });
                            qr_ui(ui, complete, 180.0);
                        }
                        ui.label(format!(
                            "Polling every {} s; the code expires in {} s.",
                            info.interval, info.expires_in
                        ));
                    }
                    Waiting::Ciba {
                        info,
                        polls,
                        next_in,
                    } => ciba_ui(ui, info, *polls, *next_in),
                });
            }
            if let Some(prepared) = &mut flow.prepared {
                ui.add_space(6.0);
                prepared_ui(ui, prepared, view, &mut actions);
            }
            ui.add_space(8.0);
            if flow.steps.is_empty() {
                ui.label("Pick a grant and press Run all. Each request and response appears here as it happens.");
                return;
            }
            if let Some(id) = sequence_ui(ui, &flow.steps) {
                actions.push(FlowAction::ShowExchange(id));
            }
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                ui.strong("Steps");
                export_ui(ui, flow, view, &mut actions);
            });
            steps_ui(ui, flow, view.exchanges, &mut actions);
        });
    actions
}

/// CIBA: the user approves on their own device; the auth_req_id, its
/// countdown, and how the result will come (OpenID CIBA Core §7.3, §10).
fn ciba_ui(
    ui: &mut egui::Ui,
    info: &crate::engine::grants::ciba::CibaInfo,
    polls: u32,
    next_in: Option<u64>,
) {
    ui.horizontal(|ui| {
        ui.spinner();
        ui.strong("Waiting for the user to approve on their device (CIBA)");
    });
    egui::Grid::new("ciba_waiting")
        .num_columns(2)
        .show(ui, |ui| {
            ui.label("auth_req_id");
            ui.label(egui::RichText::new(&info.auth_req_id).monospace());
            ui.end_row();
            ui.label("auth_req_id expires");
            countdown_ui(ui, info.expires_at());
            ui.end_row();
            ui.label("Delivery");
            ui.label(match &info.notification_endpoint {
                Some(url) => format!("ping: waiting for the server's notification on {url}"),
                None => format!("poll: every {} s", next_in.unwrap_or(info.interval)),
            });
            ui.end_row();
            ui.label("Token requests");
            ui.label(polls.to_string());
            ui.end_row();
        });
}

/// A finished run, exported: its exchanges as a Mermaid sequence diagram
/// (no secrets) or a bash script of curl commands replaying the requests
/// (secrets as shell variables, set by the script only when secrets are
/// shown and not presenting).
fn export_ui(
    ui: &mut egui::Ui,
    flow: &FlowState,
    view: &FlowView<'_>,
    actions: &mut Vec<FlowAction>,
) {
    if flow.run.is_running() {
        return;
    }
    let ids: std::collections::BTreeSet<u64> =
        flow.steps.iter().filter_map(|s| s.exchange_id).collect();
    // The run's exchanges in memory (a run older than the log's memory
    // budget has moved to the session file: the HTTP log reads it back).
    // Gathered only when a button is clicked, not every frame.
    let gather = || -> Vec<Exchange> {
        ids.iter()
            .filter_map(|id| view.exchanges.get(*id))
            .cloned()
            .collect()
    };
    if !ids.iter().any(|id| view.exchanges.get(*id).is_some()) {
        return;
    }
    if copy_button(ui, "Copy as Mermaid") {
        actions.push(FlowAction::Copy(crate::engine::wire::export::mermaid(
            &gather(),
        )));
    }
    if copy_button(ui, "Copy as curl script") {
        actions.push(FlowAction::Copy(crate::engine::wire::export::curl_script(
            &gather(),
            view.reveal && !view.presenting,
        )));
    }
}

/// Grant picker and the run buttons. The buttons come first and keep their
/// place whatever grant is picked.
fn toolbar_ui(
    ui: &mut egui::Ui,
    flow: &mut FlowState,
    view: &FlowView<'_>,
    actions: &mut Vec<FlowAction>,
) {
    let running = flow.run.is_running();
    let busy = running || flow.preparing;
    let blocked = view
        .not_ready
        .map(str::to_string)
        .or_else(|| busy.then(|| "A run is in progress: wait for it or Cancel it".to_string()));
    ui.horizontal(|ui| {
        let run = ui
            .add_enabled(blocked.is_none(), egui::Button::new("Run all"))
            .on_hover_text("Run the whole grant, sending each request as it comes");
        if let Some(why) = &blocked {
            run.clone().on_disabled_hover_text(why);
        }
        if run.clicked() {
            actions.push(FlowAction::Run);
        }
        let step_why = blocked.clone().or_else(|| {
            (!flow.grant.can_step()).then(|| format!("{} runs with Run all", flow.grant.label()))
        });
        let next = ui
            .add_enabled(step_why.is_none(), egui::Button::new("Next step"))
            .on_hover_text("Show each request, editable, before it is sent");
        if let Some(why) = &step_why {
            next.clone().on_disabled_hover_text(why);
        }
        if next.clicked() {
            actions.push(FlowAction::NextStep);
        }
        if ui
            .add_enabled(running, egui::Button::new("Cancel"))
            .on_disabled_hover_text("Nothing is running")
            .clicked()
        {
            actions.push(FlowAction::Cancel);
        }
        let something = !flow.steps.is_empty() || flow.prepared.is_some();
        if ui
            .add_enabled(!busy && something, egui::Button::new("Reset"))
            .on_hover_text("Clear the steps and start over")
            .on_disabled_hover_text(if busy {
                "A run is in progress"
            } else {
                "Nothing to clear"
            })
            .clicked()
        {
            flow.reset();
        }
        ui.separator();
        let label = ui.label("Grant to run");
        ui.add_enabled_ui(!busy, |ui| {
            egui::ComboBox::from_id_salt("grant_to_run")
                .width(190.0)
                .selected_text(flow.grant.label())
                .show_ui(ui, |ui| {
                    for grant in GrantType::ALL {
                        ui.selectable_value(&mut flow.grant, grant, grant.label());
                    }
                })
                .response
                .labelled_by(label.id);
        });
        if busy {
            ui.spinner();
        }
    });
    ui.label(egui::RichText::new(format!("Profile: {}", view.profile)).weak());
    if let Some(why) = view.not_ready {
        ui.label(why);
    }
}

/// The browser step: the request to approve (step mode), the URL to copy,
/// the paste field.
fn browser_ui(
    ui: &mut egui::Ui,
    flow: &mut FlowState,
    waiting: &Waiting,
    actions: &mut Vec<FlowAction>,
) {
    let Waiting::Browser {
        url,
        redirect_uri,
        paste,
        browser_failed,
        request_uri_expires,
    } = waiting
    else {
        return;
    };
    ui.horizontal(|ui| {
        ui.spinner();
        ui.strong("Waiting for the browser");
    });
    if let Some(expires) = request_uri_expires {
        ui.horizontal(|ui| {
            ui.label("The pushed request's request_uri expires")
                .on_hover_text("RFC 9126 §2.2: the browser must reach the authorization endpoint before then, once");
            countdown_ui(ui, Some(*expires));
        });
    }
    if let Some(reason) = browser_failed {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!("{reason}; open the URL yourself."),
        );
    }
    if let Some((endpoint, params)) = &mut flow.approval {
        ui.add(
            egui::Label::new(format!(
                "The authorization request to {endpoint}, as it will be opened — edit any value:"
            ))
            .wrap(),
        );
        egui::Grid::new("approve_params")
            .num_columns(2)
            .show(ui, |ui| {
                for (name, value) in params.iter_mut() {
                    let label = ui.label(name.as_str());
                    ui.add(egui::TextEdit::singleline(value).desired_width(360.0))
                        .labelled_by(label.id);
                    ui.end_row();
                }
            });
        if ui.button("Open in browser").clicked() {
            actions.push(FlowAction::ApproveAuthorization);
        }
    }
    egui::CollapsingHeader::new("Authorization request parameters").show(ui, |ui| {
        let params: Vec<(String, String)> = url::Url::parse(url)
            .map(|u| u.query_pairs().into_owned().collect())
            .unwrap_or_default();
        egui::Grid::new("authorize_params")
            .num_columns(2)
            .striped(true)
            .show(ui, |ui| {
                for (name, value) in params {
                    ui.monospace(name);
                    ui.add(egui::Label::new(value).selectable(true).wrap());
                    ui.end_row();
                }
            });
    });
    // The button before the URL: a long URL is cut, never the button.
    ui.horizontal(|ui| {
        if copy_button(ui, "Copy URL") {
            actions.push(FlowAction::Copy(url.clone()));
        }
        ui.label("Authorization URL:");
        ui.add(egui::Label::new(egui::RichText::new(url).monospace()).truncate());
    });
    if *paste {
        ui.add(egui::Label::new(format!(
            "After signing in, the browser goes to {redirect_uri}. Paste that whole address here:"
        )).wrap());
        ui.horizontal(|ui| {
            let label = ui.label("Redirect URL");
            let submit = ui.button("Continue").clicked();
            let edit = ui
                .add(
                    egui::TextEdit::singleline(&mut flow.paste).desired_width(ui.available_width()),
                )
                .labelled_by(label.id);
            let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (submit || enter) && !flow.paste.trim().is_empty() {
                actions.push(FlowAction::PasteRedirect);
            }
        });
        if let Some(problem) = &flow.paste_problem {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
    } else {
        ui.add(egui::Label::new(format!("The browser comes back to {redirect_uri}.")).wrap());
    }
}

/// A parameter whose value is personal rather than secret: masked in
/// presentation mode.
const PERSONAL_FIELDS: &[&str] = &["username", "login_hint", "email"];

/// The token request before it is sent: every part editable, parameters and
/// headers added or removed.
fn prepared_ui(
    ui: &mut egui::Ui,
    prepared: &mut PreparedRequest,
    view: &FlowView<'_>,
    actions: &mut Vec<FlowAction>,
) {
    let reveal = view.reveal;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.strong("The token request, as it will be sent");
        egui::Grid::new("prepared_request")
            .num_columns(3)
            .show(ui, |ui| {
                ui.label("Method");
                ui.monospace(&prepared.method);
                ui.end_row();
                let label = ui.label("Request URL");
                ui.add(egui::TextEdit::singleline(&mut prepared.url).desired_width(400.0))
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
                let mut remove_header = None;
                for (index, (name, value)) in prepared.headers.iter_mut().enumerate() {
                    let label = ui.label(format!("Header {name}"));
                    ui.add(egui::TextEdit::singleline(value).desired_width(400.0))
                        .labelled_by(label.id);
                    if ui.small_button(format!("Remove header {name}")).clicked() {
                        remove_header = Some(index);
                    }
                    ui.end_row();
                }
                if let Some(index) = remove_header {
                    prepared.headers.remove(index);
                }
                let mut remove_param = None;
                for (index, (name, value)) in prepared.params.iter_mut().enumerate() {
                    let masked = (SECRET_FIELDS.contains(&name.as_str()) && !reveal)
                        || (PERSONAL_FIELDS.contains(&name.as_str()) && view.presenting);
                    let label = ui.label(name.as_str());
                    ui.add(
                        egui::TextEdit::singleline(value)
                            .password(masked)
                            .desired_width(400.0),
                    )
                    .labelled_by(label.id);
                    if ui.small_button(format!("Remove {name}")).clicked() {
                        remove_param = Some(index);
                    }
                    ui.end_row();
                }
                if let Some(index) = remove_param {
                    prepared.params.remove(index);
                }
            });
        add_row_ui(ui, prepared);
        let as_sent = crate::engine::wire::http::RecordedRequest {
            method: prepared.method.clone(),
            url: prepared.url.clone(),
            headers: prepared.headers.clone(),
            body: url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&prepared.params)
                .finish()
                .into(),
        };
        sent_jwts_ui(
            ui,
            "prepared",
            &crate::engine::client::auth::sent_jwts(&as_sent),
            reveal,
        );
        ui.horizontal(|ui| {
            if ui.button("Send").clicked() {
                actions.push(FlowAction::SendPrepared);
            }
            if ui.button("Discard").clicked() {
                actions.push(FlowAction::DiscardPrepared);
            }
        });
    });
}

/// "Add parameter" and "Add header": a name typed, then added empty.
fn add_row_ui(ui: &mut egui::Ui, prepared: &mut PreparedRequest) {
    let id = ui.scope_id().with("new_row_name");
    let mut name = ui.data(|d| d.get_temp::<String>(id)).unwrap_or_default();
    ui.horizontal(|ui| {
        let label = ui.label("New name");
        ui.add(egui::TextEdit::singleline(&mut name).desired_width(160.0))
            .labelled_by(label.id);
        let typed = !name.trim().is_empty();
        if ui
            .add_enabled(typed, egui::Button::new("Add parameter"))
            .on_disabled_hover_text("Type the parameter's name first")
            .clicked()
        {
            prepared
                .params
                .push((name.trim().to_string(), String::new()));
            name.clear();
        }
        if ui
            .add_enabled(typed, egui::Button::new("Add header"))
            .on_disabled_hover_text("Type the header's name first")
            .clicked()
        {
            prepared
                .headers
                .push((name.trim().to_string(), String::new()));
            name.clear();
        }
    });
    ui.data_mut(|d| d.insert_temp(id, name));
}

/// The steps as a list, each with its verdict, findings and why.
fn steps_ui(
    ui: &mut egui::Ui,
    flow: &FlowState,
    exchanges: &crate::app::http_log::ExchangeLog,
    actions: &mut Vec<FlowAction>,
) {
    let mut shown_jwts = std::collections::HashSet::new();
    for (index, step) in flow.steps.iter().enumerate() {
        ui.horizontal_wrapped(|ui| {
            let (mark, color) = match step.status {
                StepStatus::Done => ("OK", egui::Color32::from_rgb(0x2e, 0xa0, 0x43)),
                StepStatus::Failed => ("FAILED", ui.visuals().error_fg_color),
                StepStatus::Waiting => ("WAITING", ui.visuals().weak_text_color()),
            };
            ui.colored_label(color, format!("{}. {mark}", index + 1));
            if !step.label.is_empty() {
                ui.monospace(&step.label);
            }
            ui.label(&step.verdict);
            if let Some(id) = step.exchange_id
                && exchanges.holds(id)
                && ui.small_button(format!("Show exchange #{id}")).clicked()
            {
                actions.push(FlowAction::ShowExchange(id));
            }
        });
        // The client assertion and DPoP proof a request carried, decoded,
        // under the request's own arrow (the first step of its exchange).
        if let Some(id) = step.exchange_id
            && shown_jwts.insert(id)
            && let Some(exchange) = exchanges.get(id)
        {
            let sent = crate::engine::client::auth::sent_jwts(&exchange.request);
            if !sent.is_empty() {
                ui.indent(("step_jwts", index), |ui| {
                    sent_jwts_ui(ui, &format!("step{index}"), &sent, false);
                });
            }
        }
        if !step.findings.is_empty() || step.explanation.is_some() {
            ui.indent(("step_why", index), |ui| {
                findings_ui(ui, &step.findings);
                if let Some(explanation) = &step.explanation {
                    why_ui(ui, index, explanation);
                }
            });
        }
    }
}

/// Each client assertion and DPoP proof, collapsed to one line saying what
/// signed it; opened, its header and claims.
fn sent_jwts_ui(
    ui: &mut egui::Ui,
    salt: &str,
    sent: &[crate::engine::client::auth::SentJwt],
    reveal: bool,
) {
    for (index, jwt) in sent.iter().enumerate() {
        let header = &jwt.decoded.header;
        let field = |name: &str| header.get(name).and_then(|v| v.as_str()).unwrap_or("?");
        // Long identifiers are cut in the one-line summary, so it fits a
        // narrow window; the header below has them whole.
        let short = |id: &str| {
            if id.chars().count() > 16 {
                format!("{}…", id.chars().take(12).collect::<String>())
            } else {
                id.to_string()
            }
        };
        let signer = if let Some(jwk) = header.get("jwk") {
            format!(
                "key thumbprint {}",
                short(
                    &crate::engine::client::keys::thumbprint_of(jwk)
                        .unwrap_or_else(|| "?".to_string())
                )
            )
        } else if field("alg").starts_with("HS") {
            "the client secret".to_string()
        } else {
            format!("kid {}", short(field("kid")))
        };
        egui::CollapsingHeader::new(format!(
            "{}: {} signed with {signer}",
            jwt.label,
            field("alg")
        ))
        .id_salt((salt, index))
        .show(ui, |ui| {
            ui.label("Header");
            ui.push_id("header", |ui| {
                crate::app::tokens::inspect::claims_ui(ui, header, reveal);
            });
            ui.label("Claims");
            ui.push_id("claims", |ui| {
                crate::app::tokens::inspect::claims_ui(ui, &jwt.decoded.claims, reveal);
            });
        });
    }
}
