//! "New from MCP server URL": the MCP authorization chain (docs/mcp.md)
//! walked from the Clients panel. The chain runs on the engine's runtime
//! (`engine::mcp::run`, the same function as `oauth-debugger mcp`); its
//! exchanges go to the HTTP log, its hops are listed here with their
//! verdicts and findings, and it leaves a normal profile (client,
//! endpoints, `resource`, `[mcp] url`), saved when the chain ends.

use eframe::egui;

use super::ProfileAction as Action;
use crate::app::session::ProfileId;
use crate::engine::mcp::{Hop, McpRun};

/// The MCP section of the Clients panel.
#[derive(Debug, Clone, Default)]
pub struct McpState {
    /// The section is shown.
    pub open: bool,
    /// The MCP server's URL, as typed.
    pub url: String,
    /// The profile a chain is running for.
    pub running: Option<ProfileId>,
    /// Where the browser must go to sign in, once the chain got there.
    pub authorization_url: Option<String>,
    /// The hops of the last chain.
    pub hops: Vec<Hop>,
    /// The tools listed at the end, by name.
    pub tools: Option<Vec<String>>,
    /// What the last chain came to, for people: (success, message).
    pub outcome: Option<(bool, String)>,
}

impl McpState {
    /// A chain starts for `id`.
    pub fn started(&mut self, id: ProfileId) {
        self.running = Some(id);
        self.authorization_url = None;
        self.hops.clear();
        self.tools = None;
        self.outcome = None;
    }

    /// A chain ended.
    pub fn finished(&mut self, run: &McpRun) {
        self.running = None;
        self.authorization_url = None;
        self.hops = run.hops.clone();
        self.tools = run.tools.as_ref().and_then(|t| t.as_array()).map(|tools| {
            tools
                .iter()
                .filter_map(|t| t["name"].as_str().map(str::to_string))
                .collect()
        });
        self.outcome = Some(if run.succeeded() {
            (true, "Authorized: the profile is saved.".to_string())
        } else {
            (
                false,
                match run.hops.last() {
                    Some(hop) => format!("The chain broke at: {}", hop.title),
                    None => "The chain did not start.".to_string(),
                },
            )
        });
    }
}

/// Draws the section (when open).
pub fn mcp_ui(ui: &mut egui::Ui, state: &mut McpState, actions: &mut Vec<Action>) {
    if !state.open {
        return;
    }
    ui.group(|ui| {
        ui.horizontal(|ui| {
            let label = ui.label("MCP server URL");
            ui.add(
                egui::TextEdit::singleline(&mut state.url)
                    .hint_text("https://mcp.example.com/mcp")
                    .desired_width(220.0),
            )
            .labelled_by(label.id);
        });
        let ready = !state.url.trim().is_empty() && state.running.is_none();
        if ui
            .add_enabled(ready, egui::Button::new("Walk the chain"))
            .on_hover_text(
                "Challenge, protected resource metadata, authorization server metadata, registration, sign-in with PKCE and resource, initialize and tools/list",
            )
            .clicked()
        {
            actions.push(Action::NewFromMcp(state.url.trim().to_string()));
        }
        if state.running.is_some() {
            ui.label("Walking the chain…");
        }
        if let Some(url) = &state.authorization_url {
            ui.label("Sign in at:");
            ui.add(egui::Label::new(egui::RichText::new(url).small()).wrap());
        }
        for (index, hop) in state.hops.iter().enumerate() {
            let color = match hop.verdict {
                crate::engine::jwt::claims::Verdict::Fail => ui.visuals().error_fg_color,
                crate::engine::jwt::claims::Verdict::Warn => ui.visuals().warn_fg_color,
                _ => ui.visuals().text_color(),
            };
            ui.colored_label(
                color,
                format!("{}. [{}] {}", index + 1, hop.verdict.as_str(), hop.title),
            );
            for finding in &hop.findings {
                ui.add(egui::Label::new(egui::RichText::new(format!("   {finding}")).small()).wrap());
            }
        }
        if let Some(tools) = &state.tools {
            ui.label(format!("Tools: {}", tools.join(", ")));
        }
        if let Some((ok, message)) = &state.outcome {
            let color = if *ok {
                ui.visuals().text_color()
            } else {
                ui.visuals().error_fg_color
            };
            ui.colored_label(color, message);
        }
    });
}
