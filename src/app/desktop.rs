//! Desktop integration: the application icon, built into the binary and
//! set as the window's icon, and the freedesktop entry installed beside it
//! (`assets/oauth-debugger.desktop`, `assets/icons/`; packaging in
//! docs/packaging.md).

use eframe::egui;

/// The 256 px render of `assets/icons/oauth-debugger.svg`.
pub const ICON_PNG: &[u8] = include_bytes!("../../assets/icons/oauth-debugger-256.png");

/// The window icon, or `None` (the window manager's default) should the
/// built-in PNG not decode — a missing icon never stops the app.
pub fn window_icon() -> Option<egui::IconData> {
    eframe::icon_data::from_png_bytes(ICON_PNG).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESKTOP_ENTRY: &str = include_str!("../../assets/oauth-debugger.desktop");

    /// The `[Desktop Entry]` group's keys and values.
    fn entry_keys() -> Vec<(String, String)> {
        let mut in_entry = false;
        let mut keys = Vec::new();
        for line in DESKTOP_ENTRY.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with('[') {
                in_entry = line == "[Desktop Entry]";
                continue;
            }
            if in_entry && let Some((key, value)) = line.split_once('=') {
                keys.push((key.trim().to_string(), value.trim().to_string()));
            }
        }
        keys
    }

    fn value<'a>(keys: &'a [(String, String)], key: &str) -> Option<&'a str> {
        keys.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    #[test]
    fn the_desktop_entry_has_the_required_keys() {
        assert!(DESKTOP_ENTRY.trim_start().starts_with("[Desktop Entry]"));
        let keys = entry_keys();
        assert_eq!(value(&keys, "Type"), Some("Application"));
        assert_eq!(value(&keys, "Name"), Some("OAuth Debugger"));
        // The icon is named as installed under hicolor, without extension.
        assert_eq!(value(&keys, "Icon"), Some("oauth-debugger"));
        let exec = value(&keys, "Exec").expect("Exec");
        assert!(exec.starts_with("oauth-debugger"), "{exec}");
        assert!(value(&keys, "Categories").is_some_and(|c| c.ends_with(';')));
        let mut names: Vec<_> = keys.iter().map(|(k, _)| k.as_str()).collect();
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count, "no key twice");
    }

    #[test]
    fn every_icon_render_decodes_at_its_size() {
        let icon = window_icon().expect("the window icon decodes");
        assert_eq!((icon.width, icon.height), (256, 256));
        assert_eq!(icon.rgba.len(), 256 * 256 * 4);
        let renders: [(u32, &[u8]); 4] = [
            (
                32,
                include_bytes!("../../assets/icons/oauth-debugger-32.png"),
            ),
            (
                64,
                include_bytes!("../../assets/icons/oauth-debugger-64.png"),
            ),
            (
                128,
                include_bytes!("../../assets/icons/oauth-debugger-128.png"),
            ),
            (256, ICON_PNG),
        ];
        for (size, png) in renders {
            let icon = eframe::icon_data::from_png_bytes(png).expect("decodes");
            assert_eq!((icon.width, icon.height), (size, size));
        }
    }

    #[test]
    fn the_debian_package_installs_files_that_exist() {
        let manifest: toml::Table =
            toml::from_str(include_str!("../../Cargo.toml")).expect("Cargo.toml parses");
        let assets = manifest["package"]["metadata"]["deb"]["assets"]
            .as_array()
            .expect("assets");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dests = Vec::new();
        for asset in assets {
            let asset = asset.as_array().expect("[source, dest, mode]");
            let source = asset[0].as_str().expect("source");
            let dest = asset[1].as_str().expect("dest");
            dests.push(dest.to_string());
            // Built or generated at packaging time (docs/packaging.md).
            if !source.starts_with("target/release/") {
                assert!(root.join(source).is_file(), "{source} is missing");
            }
        }
        for needed in [
            "usr/bin/",
            "usr/share/applications/",
            "usr/share/icons/hicolor/256x256/apps/oauth-debugger.png",
            "usr/share/icons/hicolor/scalable/apps/oauth-debugger.svg",
            "usr/share/man/man1/",
            "usr/share/bash-completion/completions/oauth-debugger",
        ] {
            assert!(
                dests.iter().any(|d| d == needed),
                "nothing goes to {needed}"
            );
        }
    }
}
