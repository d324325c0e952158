//! The profiles as shown and edited, each with a stable [`ProfileId`] and
//! where it is saved.

use crate::app::session::ProfileId;
use crate::engine::store::workspace::GeneratedKey;
use crate::engine::{Profile, ProfileFile};

/// A profile as shown and edited, with where it is saved.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileEntry {
    /// Its identity while the app runs.
    pub id: ProfileId,
    /// The profile as being edited.
    pub file: ProfileFile,
    /// Its file, once saved.
    pub path: Option<std::path::PathBuf>,
    /// What the file holds, to tell unsaved changes.
    pub saved: Option<ProfileFile>,
    /// A save is on its way.
    pub saving: bool,
    /// The key pair "Generate key" made for it, or why not.
    pub generated_key: crate::app::pending::Pending<Result<GeneratedKey, String>>,
    /// This session's DPoP key, once one was made: what it is and its
    /// thumbprint.
    pub dpop_key: Option<String>,
    /// What registering the public key with the demo provider did.
    pub registration: crate::app::pending::Pending<Result<String, String>>,
}

impl ProfileEntry {
    /// True when the editor holds changes the file does not.
    pub fn is_dirty(&self) -> bool {
        self.saved.as_ref() != Some(&self.file)
    }

    /// The name shown.
    pub fn name(&self) -> &str {
        self.file.name.as_deref().unwrap_or("Unnamed")
    }
}

/// Profile import and export in the Clients panel.
#[derive(Debug, Clone, Default)]
pub struct TransferState {
    /// The file to export to or import from.
    pub path: String,
    /// Keep secrets in an export.
    pub include_secrets: bool,
    /// What the last import or export did: (success, message).
    pub result: Option<(bool, String)>,
}

/// The Clients panel's state.
#[derive(Debug, Clone, Default)]
pub struct ProfilesState {
    /// The profiles (the built-in Demo ones first).
    pub entries: Vec<ProfileEntry>,
    /// The selected one.
    pub selected: Option<ProfileId>,
    /// The last id given out.
    next_id: u64,
    /// Profile files that could not be read, with why.
    pub broken: Vec<String>,
    /// What loading the profiles did that people should hear about: format
    /// upgrades, secrets the keychain did not give.
    pub notes: Vec<String>,
    /// Where secrets are kept: (a keychain is there, for people).
    pub secret_storage: Option<(bool, String)>,
    /// Where profiles are saved, for people.
    pub location: Option<String>,
    /// Asking whether to delete the selected profile.
    pub confirm_delete: bool,
    /// Profile import and export.
    pub transfer: TransferState,
    /// "New from MCP server URL".
    pub mcp: super::mcp::McpState,
    /// The Import… window (clients from other tools).
    pub import: super::import::ImportState,
    /// The form asking for a preset's placeholders, while open.
    pub preset_form: Option<super::preset_form::PresetForm>,
}

impl ProfilesState {
    /// Adds a profile; returns its id.
    pub fn add(
        &mut self,
        file: ProfileFile,
        path: Option<std::path::PathBuf>,
        saved: bool,
    ) -> ProfileId {
        self.next_id += 1;
        let id = ProfileId(self.next_id);
        self.entries.push(ProfileEntry {
            id,
            saved: saved.then(|| file.clone()),
            file,
            path,
            saving: false,
            generated_key: Default::default(),
            dpop_key: None,
            registration: Default::default(),
        });
        id
    }

    /// The profile `id`.
    pub fn entry(&self, id: ProfileId) -> Option<&ProfileEntry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The profile `id`, to edit.
    pub fn entry_mut(&mut self, id: ProfileId) -> Option<&mut ProfileEntry> {
        self.entries.iter_mut().find(|e| e.id == id)
    }

    /// The selected profile.
    pub fn selected_entry(&self) -> Option<&ProfileEntry> {
        self.selected.and_then(|id| self.entry(id))
    }

    /// The profile `id`, validated.
    pub fn typed(&self, id: ProfileId) -> Result<Profile, String> {
        let entry = self.entry(id).ok_or("the profile is gone")?;
        Profile::from_file(&entry.file, entry.name()).map_err(|err| err.to_string())
    }

    /// Removes `id`; the selection moves to its neighbour.
    pub fn remove(&mut self, id: ProfileId) {
        let Some(index) = self.entries.iter().position(|e| e.id == id) else {
            return;
        };
        self.entries.remove(index);
        if self.selected == Some(id) {
            let next = index.min(self.entries.len().saturating_sub(1));
            self.selected = self.entries.get(next).map(|e| e.id);
        }
    }

    /// Profiles with edits not saved.
    pub fn unsaved(&self) -> Vec<&ProfileEntry> {
        self.entries.iter().filter(|e| e.is_dirty()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> ProfileFile {
        ProfileFile {
            name: Some(name.to_string()),
            ..ProfileFile::default()
        }
    }

    #[test]
    fn ids_stay_with_their_profile_when_another_is_removed() {
        let mut profiles = ProfilesState::default();
        let a = profiles.add(named("a"), None, false);
        let b = profiles.add(named("b"), None, false);
        let c = profiles.add(named("c"), None, false);
        profiles.selected = Some(b);
        profiles.remove(a);
        assert_eq!(profiles.selected_entry().map(ProfileEntry::name), Some("b"));
        profiles.remove(b);
        assert_eq!(profiles.selected, Some(c), "the neighbour is selected");
        assert_eq!(profiles.entry(c).map(ProfileEntry::name), Some("c"));
    }

    #[test]
    fn a_new_unsaved_profile_counts_as_unsaved_until_it_is() {
        let mut profiles = ProfilesState::default();
        let id = profiles.add(named("n"), None, false);
        assert_eq!(profiles.unsaved().len(), 1);
        let entry = profiles.entry_mut(id).expect("entry");
        entry.saved = Some(entry.file.clone());
        assert!(profiles.unsaved().is_empty());
    }
}
