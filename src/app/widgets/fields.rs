//! Form fields for the profile editor. Each has a visible label that is also
//! its accessible name, and shows the validation problem for its key.

use std::collections::BTreeMap;

use eframe::egui;

use crate::engine::Secret;

/// A text field for an optional value: empty means absent.
pub fn text_field(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut Option<String>,
    problem: Option<&str>,
) -> bool {
    let mut text = value.clone().unwrap_or_default();
    let label = ui.label(label);
    let changed = ui
        .add(egui::TextEdit::singleline(&mut text).desired_width(f32::INFINITY))
        .labelled_by(label.id)
        .changed();
    if changed {
        *value = (!text.is_empty()).then_some(text);
    }
    ui.end_row();
    problem_row(ui, problem);
    changed
}

/// A number of seconds; empty means absent. Text that is not a number stays
/// as typed, with the problem under it, and leaves the value as it was.
pub fn seconds_field(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut Option<u64>,
    problem: Option<&str>,
) -> bool {
    let id = ui.scope_id().with(("seconds_field", label));
    let mut text = ui
        .data(|d| d.get_temp::<String>(id))
        .unwrap_or_else(|| value.map(|v| v.to_string()).unwrap_or_default());
    let label = ui.label(label);
    let response = ui
        .add(egui::TextEdit::singleline(&mut text).desired_width(f32::INFINITY))
        .labelled_by(label.id);
    let parsed = match text.trim() {
        "" => Ok(None),
        number => number.parse::<u64>().map(Some),
    };
    let mut changed = false;
    if response.changed() {
        ui.data_mut(|d| d.insert_temp(id, text.clone()));
        if let Ok(parsed) = parsed
            && parsed != *value
        {
            *value = parsed;
            changed = true;
        }
    }
    if parsed.is_ok() && !response.has_focus() {
        ui.data_mut(|d| d.remove::<String>(id));
    }
    ui.end_row();
    problem_row(
        ui,
        if parsed.is_err() {
            Some("a whole number of seconds, e.g. 300")
        } else {
            problem
        },
    );
    changed
}

/// A secret: masked unless `reveal`.
pub fn secret_field(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut Option<Secret>,
    reveal: bool,
    problem: Option<&str>,
) -> bool {
    let mut text = value
        .as_ref()
        .map(|s| s.expose().to_string())
        .unwrap_or_default();
    let label = ui.label(label);
    let changed = ui
        .add(
            egui::TextEdit::singleline(&mut text)
                .password(!reveal)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id)
        .changed();
    if changed {
        *value = (!text.is_empty()).then(|| Secret::new(text));
    }
    ui.end_row();
    problem_row(ui, problem);
    changed
}

/// A choice among `options`, or none.
pub fn choice_field<T: Copy + PartialEq>(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut Option<T>,
    options: &[(T, &str)],
    problem: Option<&str>,
) -> bool {
    let before = *value;
    let shown = options
        .iter()
        .find(|(v, _)| Some(*v) == *value)
        .map(|(_, name)| *name)
        .unwrap_or("(default)");
    ui.label(label);
    egui::ComboBox::from_id_salt(label)
        .selected_text(shown)
        .show_ui(ui, |ui| {
            ui.selectable_value(value, None, "(default)");
            for (option, name) in options {
                ui.selectable_value(value, Some(*option), *name);
            }
        })
        .response
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, label));
    ui.end_row();
    problem_row(ui, problem);
    before != *value
}

/// A table of names and values, edited as `name = value` lines. The text
/// typed is kept (in egui's memory) while it still means the same table, so
/// a half-typed line does not vanish.
pub fn map_field(ui: &mut egui::Ui, label: &str, map: &mut BTreeMap<String, String>) -> bool {
    let id = ui.make_persistent_id(("map_field", label));
    let mut text = ui
        .data(|d| d.get_temp::<String>(id))
        .filter(|buffer| parse_map(buffer) == *map)
        .unwrap_or_else(|| map.iter().map(|(k, v)| format!("{k} = {v}\n")).collect());
    let label = ui.label(label);
    let changed = ui
        .add(
            egui::TextEdit::multiline(&mut text)
                .desired_rows(2)
                .desired_width(f32::INFINITY)
                .hint_text("name = value"),
        )
        .labelled_by(label.id)
        .changed();
    if changed {
        *map = parse_map(&text);
    }
    ui.data_mut(|d| d.insert_temp(id, text));
    ui.end_row();
    changed
}

fn parse_map(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

/// The validation problem under a field, in the error colour.
pub fn problem_row(ui: &mut egui::Ui, problem: Option<&str>) {
    if let Some(problem) = problem {
        ui.label("");
        // Wrapped within the panel: a long message must not widen the side
        // panel (egui keeps a panel's grown width after the message goes).
        let width = ui.available_width().max(160.0);
        ui.scope(|ui| {
            ui.set_max_width(width);
            ui.add(
                egui::Label::new(egui::RichText::new(problem).color(ui.visuals().error_fg_color))
                    .wrap(),
            );
        });
        ui.end_row();
    }
}
