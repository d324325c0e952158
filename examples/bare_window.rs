//! The reference for the startup and idle benchmarks: a bare eframe window
//! built with the same eframe features and renderer as the app, showing one
//! line of text and repainting once a second (as the app does while a token
//! countdown is on screen). With `OAUTH_DEBUGGER_EXIT_AFTER_FIRST_FRAME=1`
//! it closes after its first frame, like the app. See docs/BENCHMARKS.md.

use eframe::egui;

struct Bare {
    exit_after_first_frame: bool,
}

impl eframe::App for Bare {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.label(format!("{:.0}", ui.input(|i| i.time)));
        });
        if self.exit_after_first_frame {
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        }
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_secs(1));
    }
}

fn main() -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Bare window")
            .with_inner_size([1280.0, 800.0]),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    let exit_after_first_frame =
        std::env::var_os("OAUTH_DEBUGGER_EXIT_AFTER_FIRST_FRAME").is_some();
    eframe::run_native(
        "Bare window",
        options,
        Box::new(move |_| {
            Ok(Box::new(Bare {
                exit_after_first_frame,
            }))
        }),
    )
}
