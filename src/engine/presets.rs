//! Presets shipped with the app (`assets/presets/`).

use super::profile::ProfileFile;

/// The port the presets for the demo provider are written for.
const DEMO_BASE: &str = "http://127.0.0.1:7878";

/// The preset files, by file name.
pub const PRESETS: &[(&str, &str)] = &[
    (
        "demo-client-credentials.toml",
        include_str!("../../assets/presets/demo-client-credentials.toml"),
    ),
    (
        "demo-password.toml",
        include_str!("../../assets/presets/demo-password.toml"),
    ),
    (
        "demo-authorization-code.toml",
        include_str!("../../assets/presets/demo-authorization-code.toml"),
    ),
    (
        "demo-device.toml",
        include_str!("../../assets/presets/demo-device.toml"),
    ),
];

/// The built-in Demo profile (client credentials) for a demo provider
/// listening at `base_url` (which may be on another port than the preset's).
pub fn demo_profile(base_url: &str) -> ProfileFile {
    demo_profiles(base_url).swap_remove(0)
}

/// Every demo preset, pointed at a demo provider listening at `base_url`.
pub fn demo_profiles(base_url: &str) -> Vec<ProfileFile> {
    PRESETS
        .iter()
        .filter(|(name, _)| name.starts_with("demo-"))
        .map(|(name, text)| {
            let text = text.replace(DEMO_BASE, base_url.trim_end_matches('/'));
            // The presets are part of the binary and covered by a test; should
            // one ever fail to parse, an empty profile shows the problem.
            ProfileFile::parse(&text, std::path::Path::new(name)).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::profile::Profile;

    #[test]
    fn every_preset_is_a_valid_profile() {
        for (name, text) in PRESETS {
            Profile::parse(text, std::path::Path::new(name)).expect(name);
        }
        let demo = demo_profile("http://127.0.0.1:4321/");
        assert_eq!(
            demo.token_endpoint.as_deref(),
            Some("http://127.0.0.1:4321/token")
        );
    }
}
