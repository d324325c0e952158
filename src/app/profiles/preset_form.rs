//! "New from preset" for a preset with placeholders (`{tenant}`,
//! `{realm}`…, see `engine::profile::placeholders`): a small form in the
//! Clients panel with one field per placeholder, labelled with its name and
//! hinted with what to type. Create fills them in with
//! [`placeholders::fill`] — refusing what it refuses, with its message —
//! and makes the profile; Cancel makes nothing. A preset without
//! placeholders makes its profile at once, as before.

use eframe::egui;

use super::ProfileAction as Action;
use crate::engine::ProfileFile;
use crate::engine::profile::placeholders;

/// One placeholder's field.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceholderField {
    /// The placeholder's name (`tenant`), the field's label.
    pub name: String,
    /// What to type, for people.
    pub hint: &'static str,
    /// The value as typed.
    pub value: String,
}

/// The form for one preset's placeholders.
#[derive(Debug, Clone, PartialEq)]
pub struct PresetForm {
    /// The preset's name, for the form's heading.
    pub preset: String,
    /// The preset as written (pointed at the demo provider where it names it).
    file: ProfileFile,
    /// One field per placeholder, in the order they appear in the preset.
    pub fields: Vec<PlaceholderField>,
    /// Why the last Create was refused.
    pub error: Option<String>,
}

impl PresetForm {
    /// The form for `file`, or `None` when it has no placeholders (the
    /// profile is made at once).
    pub fn for_preset(file: ProfileFile) -> Option<Self> {
        let found = placeholders::find(&file);
        if found.is_empty() {
            return None;
        }
        Some(Self {
            preset: file.name.clone().unwrap_or_else(|| "preset".to_string()),
            fields: found
                .iter()
                .map(|p| PlaceholderField {
                    name: p.name.clone(),
                    hint: p.hint(),
                    value: String::new(),
                })
                .collect(),
            file,
            error: None,
        })
    }

    /// Every field has something in it (Create is enabled).
    pub fn ready(&self) -> bool {
        self.fields.iter().all(|f| !f.value.trim().is_empty())
    }

    /// Sets the field `name` (for code and tests; the UI edits in place).
    pub fn set(&mut self, name: &str, value: &str) {
        if let Some(field) = self.fields.iter_mut().find(|f| f.name == name) {
            field.value = value.to_string();
        }
    }

    /// The preset with the values filled in, or why not (kept in
    /// [`Self::error`] for the form to show).
    pub fn create(&mut self) -> Result<ProfileFile, String> {
        let values: Vec<(String, String)> = self
            .fields
            .iter()
            .map(|f| (f.name.clone(), f.value.clone()))
            .collect();
        let result = placeholders::fill(&self.file, &values)
            .and_then(|filled| placeholders::refuse_unfilled(&filled).map(|()| filled))
            .map_err(|err| {
                err.problems
                    .iter()
                    .map(|p| p.message.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            });
        self.error = result.as_ref().err().cloned();
        result
    }
}

/// Draws the form (when one is open). Create and Cancel come back as
/// actions.
pub fn preset_form_ui(ui: &mut egui::Ui, form: &mut PresetForm, actions: &mut Vec<Action>) {
    ui.group(|ui| {
        ui.strong(format!("New from preset: {}", form.preset));
        ui.label("This preset needs your own values:");
        for field in &mut form.fields {
            ui.horizontal(|ui| {
                let label = ui.label(&field.name).on_hover_text(field.hint);
                ui.add(
                    egui::TextEdit::singleline(&mut field.value)
                        .hint_text(field.hint)
                        .desired_width(240.0),
                )
                .labelled_by(label.id)
                .on_hover_text(field.hint);
            });
            ui.add(egui::Label::new(egui::RichText::new(field.hint).small().weak()).wrap());
        }
        ui.horizontal(|ui| {
            if ui
                .add_enabled(form.ready(), egui::Button::new("Create"))
                .on_disabled_hover_text("Fill in every value first")
                .clicked()
            {
                actions.push(Action::CreateFromPreset);
            }
            if ui.button("Cancel").clicked() {
                actions.push(Action::CancelPreset);
            }
        });
        if let Some(error) = &form.error {
            ui.add(
                egui::Label::new(egui::RichText::new(error).color(ui.visuals().error_fg_color))
                    .wrap(),
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::profile::presets::{PRESETS, preset};

    fn preset_named(file: &str) -> ProfileFile {
        let index = PRESETS
            .iter()
            .position(|(name, _)| *name == file)
            .expect("preset exists");
        preset(index).expect("preset parses")
    }

    #[test]
    fn a_preset_without_placeholders_needs_no_form() {
        assert_eq!(PresetForm::for_preset(preset_named("google.toml")), None);
    }

    #[test]
    fn create_is_ready_only_when_every_field_is_filled() {
        let mut form = PresetForm::for_preset(preset_named("keycloak.toml")).expect("a form");
        let names: Vec<_> = form.fields.iter().map(|f| f.name.as_str()).collect();
        assert!(names.contains(&"realm"), "{names:?}");
        assert!(!form.ready());
        for name in names.iter().map(|n| n.to_string()).collect::<Vec<_>>() {
            form.set(&name, "  ");
        }
        assert!(!form.ready(), "blank values do not count");
        form.set("realm", "demo");
        form.set("host", "kc.example.com");
        assert!(form.ready());
    }

    #[test]
    fn create_fills_every_placeholder() {
        let mut form = PresetForm::for_preset(preset_named("entra-id.toml")).expect("a form");
        assert_eq!(form.fields[0].name, "tenant");
        assert!(form.fields[0].hint.contains("tenant"));
        for field in &mut form.fields {
            field.value = format!("my-{}", field.name);
        }
        form.set("tenant", " contoso ");
        let file = form.create().expect("filled");
        assert_eq!(
            file.token_endpoint.as_deref(),
            Some("https://login.microsoftonline.com/contoso/oauth2/v2.0/token")
        );
        assert!(!file.to_toml().contains("{tenant}"));
        assert!(placeholders::find(&file).is_empty());
        assert_eq!(form.error, None);
    }

    #[test]
    fn create_refuses_what_fill_refuses_with_its_message() {
        let mut form = PresetForm::for_preset(preset_named("entra-id.toml")).expect("a form");
        for field in &mut form.fields {
            field.value = "ok".to_string();
        }
        form.set("tenant", "con\"toso");
        let err = form.create().expect_err("refused");
        assert!(err.contains("{tenant} may not contain quotes"), "{err}");
        assert_eq!(form.error.as_deref(), Some(err.as_str()));
        form.set("tenant", "{realm}");
        assert!(form.create().is_err(), "a placeholder is not a value");
    }
}
