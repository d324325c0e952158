//! The sequence diagram between the four OAuth actors, drawn from the
//! observed steps; awaited steps are drawn dashed and grey, labelled as
//! waiting.

use eframe::egui;

use super::step::{Actor, FlowStep, StepStatus};

/// Draws the sequence diagram; returns the exchange of a clicked arrow.
pub fn sequence_ui(ui: &mut egui::Ui, steps: &[FlowStep]) -> Option<u64> {
    let arrows: Vec<&FlowStep> = steps.iter().filter(|s| s.arrow.is_some()).collect();
    if arrows.is_empty() {
        return None;
    }
    let row = 30.0;
    let width = ui.available_width().max(320.0);
    let column_width = width / 4.0;
    let visuals = ui.visuals().clone();
    let font = egui::FontId::proportional(13.0);
    // Actor names wrap within their column, so none is cut at the edge.
    let headers: Vec<_> = Actor::ALL
        .iter()
        .map(|actor| {
            ui.painter().layout(
                actor.label().to_string(),
                font.clone(),
                visuals.strong_text_color(),
                column_width - 8.0,
            )
        })
        .collect();
    let header = headers.iter().map(|g| g.size().y).fold(0.0_f32, f32::max) + 16.0;
    let height = header + row * (arrows.len() as f32 + 0.5);
    let (rect, _) = ui.allocate_exact_size(egui::vec2(width, height), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let column = |actor: Actor| rect.left() + column_width * (actor.column() as f32 + 0.5);
    for (actor, galley) in Actor::ALL.iter().zip(headers) {
        let x = column(*actor);
        let at = egui::pos2(x - galley.size().x / 2.0, rect.top() + 6.0);
        painter.galley(at, galley, visuals.strong_text_color());
        painter.line_segment(
            [
                egui::pos2(x, rect.top() + header - 6.0),
                egui::pos2(x, rect.bottom()),
            ],
            egui::Stroke::new(1.0, visuals.weak_text_color()),
        );
    }
    let mut clicked = None;
    let last_observed = arrows.iter().rposition(|s| s.status != StepStatus::Waiting);
    for (i, step) in arrows.iter().enumerate() {
        let Some((from, to)) = step.arrow else {
            continue;
        };
        let y = rect.top() + header + row * (i as f32 + 0.5);
        let (x1, x2) = (column(from), column(to));
        let latest = Some(i) == last_observed;
        let color = match step.status {
            StepStatus::Failed => visuals.error_fg_color,
            StepStatus::Waiting => visuals.weak_text_color(),
            StepStatus::Done if latest => visuals.selection.stroke.color,
            StepStatus::Done => visuals.text_color(),
        };
        let stroke = egui::Stroke::new(if latest { 2.5 } else { 1.5 }, color);
        let (start, end) = (egui::pos2(x1, y), egui::pos2(x2, y));
        if step.status == StepStatus::Waiting {
            painter.extend(egui::Shape::dashed_line(&[start, end], stroke, 6.0, 4.0));
            arrow_head(&painter, start, end, stroke);
        } else {
            painter.line_segment([start, end], stroke);
            arrow_head(&painter, start, end, stroke);
        }
        let label = match step.status {
            StepStatus::Waiting => format!("{} (waiting)", step.label),
            _ => step.label.clone(),
        };
        // One line, cut with "…" when longer than the arrow and a bit more:
        // a wrapped label would climb into the row above.
        let mut job = egui::text::LayoutJob::simple_singleline(label.clone(), font.clone(), color);
        job.wrap = egui::text::TextWrapping {
            max_width: (x1 - x2).abs() + column_width * 0.9,
            max_rows: 1,
            break_anywhere: true,
            overflow_character: Some('…'),
        };
        let galley = painter.layout_job(job);
        let at = egui::pos2(
            (x1 + x2) / 2.0 - galley.size().x / 2.0,
            y - 3.0 - galley.size().y,
        );
        painter.galley(at, galley, color);
        let hit = egui::Rect::from_x_y_ranges(x1.min(x2)..=x1.max(x2), (y - row / 2.0)..=(y + 6.0));
        let sense = if step.exchange_id.is_some() {
            egui::Sense::click()
        } else {
            egui::Sense::hover()
        };
        let response = ui.interact(hit, ui.scope_id().with(("arrow", i)), sense);
        let name = format!("Arrow {}: {label}", i + 1);
        let response = match step.exchange_id {
            Some(id) => {
                response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
                response.on_hover_text(format!(
                    "{}\nOpen exchange #{id} in the HTTP log",
                    step.verdict
                ))
            }
            None => {
                response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &name));
                response.on_hover_text(&step.verdict)
            }
        };
        if response.clicked() {
            clicked = step.exchange_id;
        }
    }
    clicked
}

/// A fixed-size arrow head at `to` (egui's own scales with the length).
fn arrow_head(painter: &egui::Painter, from: egui::Pos2, to: egui::Pos2, stroke: egui::Stroke) {
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
