//! Unit tests of `storage`.

use super::*;
use crate::engine::store::keychain::Keychain;

fn mock_keychain() -> Keychain {
    Keychain::with_store(keyring_core::mock::Store::new().expect("mock store"))
}

fn secret_profile() -> ProfileFile {
    ProfileFile {
        name: Some("My API".into()),
        token_endpoint: Some("https://as.example/token".into()),
        client_id: Some("abc".into()),
        client_secret: Some(Secret::new("client-s3cret")),
        username: Some("alice".into()),
        password: Some(Secret::new("alice-passw0rd")),
        ..ProfileFile::default()
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).expect("meta").permissions().mode() & 0o777
}

#[test]
fn saves_lists_and_keeps_broken_files_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store =
        ProfileStore::open(dir.path().join("profiles"), Keychain::none("test")).expect("store");
    let file = ProfileFile {
        name: Some("My API".into()),
        client_id: Some("abc".into()),
        ..ProfileFile::default()
    };
    let path = store.new_path("My API");
    assert!(path.ends_with("my-api.toml"));
    let saved = store.save(&path, &file).expect("saved");
    assert_eq!(saved.secrets, "", "no secrets, nothing to say");
    std::fs::write(store.dir().join("broken.toml"), "client_id = [").expect("write");
    let listed = store.list().expect("list");
    assert_eq!(listed.len(), 2);
    assert!(
        listed[0].file.is_err(),
        "broken.toml sorts first and is reported"
    );
    // Saved files record the profile format.
    assert_eq!(
        listed[1].file.as_ref().expect("ok"),
        &ProfileFile {
            schema_version: Some(SCHEMA_VERSION),
            ..file.clone()
        }
    );
    // ...and where editors find its schema, which is written beside.
    assert!(
        std::fs::read_to_string(&path)
            .expect("read")
            .starts_with(&format!(
                "#:schema ./profile.schema.json\nschema_version = {SCHEMA_VERSION}\n"
            ))
    );
    assert_eq!(
        std::fs::read_to_string(store.dir().join("profile.schema.json")).expect("schema"),
        crate::engine::profile::schema::profile_schema()
    );
    assert_eq!(
        std::fs::read_to_string(store.dir().join("broken.toml")).expect("read"),
        "client_id = ["
    );
    assert!(store.new_path("My API").ends_with("my-api-2.toml"));

    // Set aside: renamed with every byte kept, no longer listed.
    let aside = store
        .set_aside(&store.dir().join("broken.toml"))
        .expect("set aside");
    let aside_name = aside
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert!(
        aside_name.starts_with("broken.toml.broken-"),
        "{aside_name}"
    );
    assert_eq!(
        std::fs::read_to_string(&aside).expect("read"),
        "client_id = ["
    );
    assert_eq!(store.list().expect("list").len(), 1);
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn with_a_keychain_secrets_leave_the_file_and_come_back_on_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keychain = mock_keychain();
    let store = ProfileStore::open(dir.path().to_path_buf(), keychain.clone()).expect("store");
    let path = store.new_path("My API");
    let saved = store.save(&path, &secret_profile()).expect("saved");
    assert_eq!(
        saved.secrets,
        "Client secret and password are in the OS keychain (mock store)."
    );

    let text = std::fs::read_to_string(&path).expect("read");
    assert!(!text.contains("client-s3cret"), "{text}");
    assert!(!text.contains("alice-passw0rd"), "{text}");
    assert!(
        text.contains("client_secret_keychain = \"my-api/client_secret\""),
        "{text}"
    );
    assert!(
        text.contains("password_keychain = \"my-api/password\""),
        "{text}"
    );
    assert_eq!(
        keychain
            .get("my-api/client_secret")
            .expect("get")
            .expect("filed")
            .expose(),
        "client-s3cret"
    );
    // What the app holds: the values, and where they were filed.
    assert_eq!(saved.file.client_secret, Some(Secret::new("client-s3cret")));
    assert_eq!(
        saved.file.client_secret_keychain.as_deref(),
        Some("my-api/client_secret")
    );

    // Listing reads them back; the profile is usable as it stands.
    let listed = store.list().expect("list");
    let file = listed[0].file.as_ref().expect("loads");
    assert!(listed[0].notes.is_empty(), "{:?}", listed[0].notes);
    assert_eq!(file, &saved.file);
    let profile = crate::engine::Profile::from_file(file, "p").expect("valid");
    assert!(profile.client_secret.is_some());

    // A changed secret replaces the keychain entry; the file is unchanged.
    let changed = ProfileFile {
        client_secret: Some(Secret::new("rotated")),
        ..saved.file.clone()
    };
    store.save(&path, &changed).expect("saved again");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), text);
    assert_eq!(
        keychain
            .get("my-api/client_secret")
            .expect("get")
            .expect("filed")
            .expose(),
        "rotated"
    );

    // An emptied password leaves the keychain and the file.
    let emptied = ProfileFile {
        password: None,
        ..changed
    };
    let saved = store.save(&path, &emptied).expect("saved");
    assert!(matches!(keychain.get("my-api/password"), Ok(None)));
    assert!(
        !std::fs::read_to_string(&path)
            .expect("read")
            .contains("password_keychain")
    );
    assert_eq!(saved.file.password_keychain, None);

    // Deleting the profile removes what it kept in the keychain.
    store.delete(&path).expect("deleted");
    assert!(matches!(keychain.get("my-api/client_secret"), Ok(None)));
    assert!(!path.exists());
}

#[test]
fn without_a_keychain_secrets_stay_in_the_private_file_and_the_save_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = ProfileStore::open(
        dir.path().to_path_buf(),
        Keychain::none("no Secret Service on this machine"),
    )
    .expect("store");
    let path = store.new_path("My API");
    let saved = store.save(&path, &secret_profile()).expect("saved");
    assert!(
        saved.secrets.starts_with("Client secret and password are in the profile file, readable only by you (0600): no OS keychain here (no Secret Service on this machine)"),
        "{}",
        saved.secrets
    );
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains("client_secret = \"client-s3cret\""), "{text}");
    assert!(!text.contains("_keychain"), "{text}");
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
    assert_eq!(
        store.list().expect("list")[0].file.as_ref().expect("ok"),
        &saved.file
    );
}

#[test]
fn a_keychain_reference_survives_a_machine_without_a_keychain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "schema_version = 2\nclient_id = \"abc\"\nclient_secret_keychain = \"my-api/client_secret\"\ntoken_endpoint = \"https://as.example/token\"\n";
    let path = dir.path().join("my-api.toml");
    std::fs::write(&path, text).expect("write");
    let store =
        ProfileStore::open(dir.path().to_path_buf(), Keychain::none("headless")).expect("store");
    let listed = store.list().expect("list");
    let file = listed[0].file.clone().expect("the file itself loads");
    assert_eq!(
        listed[0].notes,
        vec![
            "my-api.toml: the client secret (keychain account `my-api/client_secret`) could not be read: no OS keychain: headless."
                .to_string()
        ]
    );
    // The profile says what is missing, on the key that names it.
    let err = crate::engine::Profile::from_file(&file, "p").expect_err("no secret");
    assert!(
        err.message_for("client_secret_keychain")
            .is_some_and(|m| m.contains("could not be read from the OS keychain")),
        "{err}"
    );
    // Saving here keeps the reference: the secret is not lost.
    store.save(&path, &file).expect("saved");
    assert!(
        std::fs::read_to_string(&path)
            .expect("read")
            .contains("client_secret_keychain = \"my-api/client_secret\"")
    );

    // The command line reads it the same way and says why it cannot.
    let err = load_profile(&path, &Keychain::none("headless")).expect_err("no secret");
    assert!(
        err.to_string().contains("no OS keychain: headless"),
        "{err}"
    );
    let keychain = mock_keychain();
    keychain
        .set("my-api/client_secret", &Secret::new("from-keychain"))
        .expect("set");
    let (profile, notes) = load_profile(&path, &keychain).expect("loads");
    assert!(notes.is_empty());
    assert_eq!(
        profile
            .client_secret
            .expect("secret")
            .resolve("client_secret")
            .expect("value")
            .expose(),
        "from-keychain"
    );
}

#[test]
fn format_1_files_move_their_secrets_to_the_keychain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let v1 = "schema_version = 1\nname = \"Old\"\ntoken_endpoint = \"https://as.example/token\"\nclient_id = \"abc\"\nclient_secret = \"old-s3cret\"\nscope = \"a b\"\n\n[api]\nurl = \"https://api.example/me\"\n";
    let path = dir.path().join("old.toml");
    std::fs::write(&path, v1).expect("write");

    // Without a keychain there is nothing to move: the file is untouched.
    let headless =
        ProfileStore::open(dir.path().to_path_buf(), Keychain::none("headless")).expect("store");
    let listed = headless.list().expect("list");
    assert!(listed[0].notes.is_empty());
    assert_eq!(std::fs::read_to_string(&path).expect("read"), v1);

    let keychain = mock_keychain();
    let store = ProfileStore::open(dir.path().to_path_buf(), keychain.clone()).expect("store");
    let listed = store.list().expect("list");
    assert_eq!(
        listed[0].notes,
        vec![
            "old.toml was upgraded from profile format 1 to 2. Client secret is in the OS keychain (mock store)."
                .to_string()
        ]
    );
    let upgraded = std::fs::read_to_string(&path).expect("read");
    assert!(
        upgraded.starts_with("#:schema ./profile.schema.json\nschema_version = 2\n"),
        "{upgraded}"
    );
    assert!(!upgraded.contains("old-s3cret"), "{upgraded}");
    assert!(upgraded.contains("client_secret_keychain = \"old/client_secret\""));
    assert_eq!(
        keychain
            .get("old/client_secret")
            .expect("get")
            .expect("moved")
            .expose(),
        "old-s3cret"
    );
    // Everything else reads the same as before.
    let before = ProfileFile::parse(v1, &path).expect("v1 parses");
    let after = listed[0].file.clone().expect("loads");
    assert_eq!(
        after,
        ProfileFile {
            schema_version: Some(2),
            client_secret_keychain: Some("old/client_secret".into()),
            ..before
        }
    );
    // Listing again changes nothing more.
    let again = store.list().expect("list");
    assert!(again[0].notes.is_empty());
    assert_eq!(std::fs::read_to_string(&path).expect("read"), upgraded);
}

#[test]
fn a_keychain_that_refuses_a_secret_leaves_the_file_alone() {
    use keyring_core::api::CredentialStoreApi as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let mock = keyring_core::mock::Store::new().expect("mock store");
    let store = ProfileStore::open(dir.path().to_path_buf(), Keychain::with_store(mock.clone()))
        .expect("store");
    let path = store.new_path("My API");
    store
        .save(
            &path,
            &ProfileFile {
                password: None,
                ..secret_profile()
            },
        )
        .expect("saved");
    let before = std::fs::read_to_string(&path).expect("read");

    let entry = mock
        .build(
            crate::engine::store::keychain::SERVICE,
            "my-api/client_secret",
            None,
        )
        .expect("entry");
    let cred: &keyring_core::mock::Cred = entry.as_any().downcast_ref().expect("mock");
    cred.set_error(keyring_core::Error::NoStorageAccess(
        "the keyring is locked".into(),
    ));
    let err = store
        .save(
            &path,
            &ProfileFile {
                client_secret: Some(Secret::new("new")),
                ..secret_profile()
            },
        )
        .expect_err("refused");
    assert!(
        matches!(
            &err,
            StoreError::Keychain { action: "save", label: "client secret", source }
                if matches!(**source, StoreError::Keyring { source: keyring_core::Error::NoStorageAccess(_) })
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("cannot save the client secret to the OS keychain")
            && message.contains("the keyring is locked"),
        "{message}"
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), before);
}

/// Both ways a save cannot write its file: a read-only folder (when this
/// user is not one, like root, who writes there anyway) and a "folder" that
/// is a file (for everyone). Each is `Io { action: "save" }` naming the file,
/// with the operating system's error kept as the cause.
#[test]
fn a_folder_that_cannot_be_written_is_an_io_error_of_the_save_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store =
        ProfileStore::open(dir.path().to_path_buf(), Keychain::none("test")).expect("store");
    let assert_save_failed = |err: StoreError, path: &Path| {
        match &err {
            StoreError::Io {
                action: "save",
                path: failed,
                ..
            } => assert_eq!(failed, path),
            other => panic!("expected Io {{ action: \"save\", .. }}, got {other:?}"),
        }
        assert!(
            err.to_string()
                .starts_with(&format!("cannot save {}: ", path.display())),
            "{err}"
        );
        assert!(
            std::error::Error::source(&err).is_some(),
            "the cause is kept"
        );
    };

    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "a file").expect("write");
    let path = blocker.join("my-api.toml");
    let err = store
        .save(&path, &secret_profile())
        .expect_err("not a folder");
    assert_save_failed(err, &path);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).expect("mkdir");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500))
            .expect("read-only");
        let probe = locked.join(".probe");
        let permissions_hold = std::fs::write(&probe, "x").is_err();
        let _ = std::fs::remove_file(&probe);
        let path = locked.join("my-api.toml");
        let saved = store.save(&path, &secret_profile());
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700))
            .expect("writable");
        if permissions_hold {
            let err = saved.expect_err("read-only");
            assert!(
                matches!(&err, StoreError::Io { source, .. } if source.kind() == std::io::ErrorKind::PermissionDenied),
                "{err:?}"
            );
            assert_save_failed(err, &path);
        }
    }
}

#[test]
fn a_missing_file_cannot_be_deleted_or_set_aside_and_says_which() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store =
        ProfileStore::open(dir.path().to_path_buf(), Keychain::none("test")).expect("store");
    let gone = dir.path().join("gone.toml");
    let err = store.delete(&gone).expect_err("nothing to delete");
    assert!(
        matches!(&err, StoreError::Io { action: "delete", path, .. } if path == &gone),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("cannot delete "), "{err}");
    let err = store.set_aside(&gone).expect_err("nothing to move");
    assert!(
        matches!(&err, StoreError::SetAside { path, .. } if path == &gone),
        "{err:?}"
    );
    assert!(err.to_string().ends_with(&format!(
        "aside: {}",
        std::error::Error::source(&err).expect("cause")
    )));
}

#[test]
fn without_a_keychain_a_secret_cannot_be_read_and_the_note_says_why() {
    let err = Keychain::none("headless")
        .get("my-api/client_secret")
        .expect_err("no keychain");
    assert!(
        matches!(&err, StoreError::KeychainUnavailable { reason } if reason == "headless"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "no OS keychain: headless");
}
