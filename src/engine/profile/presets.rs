//! Presets shipped with the app (`assets/presets/`).

use crate::engine::profile::ProfileFile;

/// The port the presets for the demo provider are written for.
pub const DEMO_BASE: &str = "http://127.0.0.1:7878";

/// The preset files, by file name.
pub const PRESETS: &[(&str, &str)] = &[
    (
        "demo-client-credentials.toml",
        include_str!("../../../assets/presets/demo-client-credentials.toml"),
    ),
    (
        "demo-password.toml",
        include_str!("../../../assets/presets/demo-password.toml"),
    ),
    (
        "demo-authorization-code.toml",
        include_str!("../../../assets/presets/demo-authorization-code.toml"),
    ),
    (
        "demo-device.toml",
        include_str!("../../../assets/presets/demo-device.toml"),
    ),
    (
        "demo-token-exchange.toml",
        include_str!("../../../assets/presets/demo-token-exchange.toml"),
    ),
    (
        "demo-ciba.toml",
        include_str!("../../../assets/presets/demo-ciba.toml"),
    ),
    (
        "demo-hybrid.toml",
        include_str!("../../../assets/presets/demo-hybrid.toml"),
    ),
    (
        "demo-rar.toml",
        include_str!("../../../assets/presets/demo-rar.toml"),
    ),
    (
        "wapi.toml",
        include_str!("../../../assets/presets/wapi.toml"),
    ),
    (
        "orchestrator.toml",
        include_str!("../../../assets/presets/orchestrator.toml"),
    ),
    (
        "wordapp.toml",
        include_str!("../../../assets/presets/wordapp.toml"),
    ),
    (
        "pingfederate.toml",
        include_str!("../../../assets/presets/pingfederate.toml"),
    ),
    // The identity providers people use (docs/providers.md); their
    // placeholders are asked for on "New from preset".
    (
        "entra-id.toml",
        include_str!("../../../assets/presets/entra-id.toml"),
    ),
    (
        "okta.toml",
        include_str!("../../../assets/presets/okta.toml"),
    ),
    (
        "auth0.toml",
        include_str!("../../../assets/presets/auth0.toml"),
    ),
    (
        "google.toml",
        include_str!("../../../assets/presets/google.toml"),
    ),
    (
        "keycloak.toml",
        include_str!("../../../assets/presets/keycloak.toml"),
    ),
    (
        "cognito.toml",
        include_str!("../../../assets/presets/cognito.toml"),
    ),
    (
        "github.toml",
        include_str!("../../../assets/presets/github.toml"),
    ),
];

/// The built-in Demo profile (client credentials) for a demo provider
/// listening at `base_url` (which may be on another port than the preset's).
pub fn demo_profile(base_url: &str) -> ProfileFile {
    demo_profiles(base_url).swap_remove(0)
}

/// `file` with every mention of the demo provider's default base URL
/// replaced by `base_url` (the port the demo provider really got).
pub fn point_at_demo(file: &ProfileFile, base_url: &str) -> ProfileFile {
    let base_url = base_url.trim_end_matches('/');
    if base_url == DEMO_BASE {
        return file.clone();
    }
    let text = file.to_toml().replace(DEMO_BASE, base_url);
    ProfileFile::parse(&text, std::path::Path::new("profile.toml")).unwrap_or_else(|_| file.clone())
}

/// A preset by index in [`PRESETS`], as written (pointing at port 7878).
pub fn preset(index: usize) -> Option<ProfileFile> {
    let (name, text) = PRESETS.get(index)?;
    ProfileFile::parse(text, std::path::Path::new(name)).ok()
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
            let file = ProfileFile::parse(text, std::path::Path::new(name)).expect(name);
            let found = crate::engine::profile::placeholders::find(&file);
            if found.is_empty() {
                Profile::from_file(&file, name).expect(name);
                continue;
            }
            // Refused as shipped, naming each placeholder; valid filled.
            let err = Profile::from_file(&file, name).expect_err(name);
            for placeholder in &found {
                assert!(err.to_string().contains(&placeholder.written()), "{name}");
            }
            let values: Vec<(String, String)> = found
                .iter()
                .map(|p| {
                    let value = match (p.name.as_str(), *name) {
                        ("domain", "okta.toml") => "dev-1.okta.com".to_string(),
                        ("domain", _) => "example.us.auth0.com".to_string(),
                        (other, _) => format!("x{}", other.replace('_', "-")),
                    };
                    (p.name.clone(), value)
                })
                .collect();
            let filled = crate::engine::profile::placeholders::fill(&file, &values).expect(name);
            let profile = Profile::from_file(&filled, name).expect(name);
            assert!(
                crate::engine::diagnose::providers::Provider::of_profile(&profile).is_some(),
                "{name} is recognised as its provider"
            );
        }
        assert!(
            demo_profiles(DEMO_BASE)
                .iter()
                .all(|p| { p.name.as_deref().is_some_and(|n| n.starts_with("Demo")) })
        );
        // Arrays of tables survive being pointed at another port (the
        // profile is written back to TOML and read again).
        let rar = demo_profiles("http://127.0.0.1:4321")
            .into_iter()
            .find(|p| p.authorization_details.is_some())
            .expect("the RAR preset");
        let index = PRESETS
            .iter()
            .position(|(name, _)| *name == "demo-rar.toml")
            .expect("listed");
        let pointed = point_at_demo(&preset(index).expect("parsed"), "http://127.0.0.1:4321");
        assert_eq!(pointed.authorization_details, rar.authorization_details);
        assert!(pointed.to_toml().contains("[[authorization_details]]"));
        let details = Profile::from_file(&rar, "rar")
            .expect("valid")
            .authorization_details
            .expect("details");
        assert_eq!(
            details.types(),
            vec!["payment_initiation", "account_information"]
        );
        let demo = demo_profile("http://127.0.0.1:4321/");
        assert_eq!(
            demo.token_endpoint.as_deref(),
            Some("http://127.0.0.1:4321/token")
        );
    }
}
