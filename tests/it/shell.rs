//! `completions SHELL` and `man`: generated from the clap definitions, so
//! every command and option the program takes is in them.

use std::process::Command;

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_oauth-debugger"))
        .args(args)
        .output()
        .expect("runs")
}

#[test]
fn completions_name_every_command_and_bash_reads_them() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).expect("utf-8");
        for word in ["token", "call", "audit", "step-up", "acr-values"] {
            assert!(script.contains(word), "{shell} completes {word}");
        }
    }
    // The bash script is valid bash.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("oauth-debugger.bash");
    std::fs::write(&path, run(&["completions", "bash"]).stdout).expect("write");
    let checked = Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
        .expect("bash");
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let refused = run(&["completions", "tcsh"]);
    assert_eq!(refused.status.code(), Some(2));
}

#[test]
fn the_man_pages_cover_every_command() {
    let page = String::from_utf8(run(&["man"]).stdout).expect("utf-8");
    assert!(
        page.starts_with(".ie") || page.contains(".TH oauth-debugger 1"),
        "{page}"
    );
    assert!(page.contains("token"), "the main page lists the commands");

    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(&["man", "--out", &dir.path().display().to_string()]);
    assert!(out.status.success());
    let listed = String::from_utf8(out.stdout).expect("utf-8");
    for name in [
        "oauth-debugger.1",
        "oauth-debugger-token.1",
        "oauth-debugger-call.1",
        "oauth-debugger-keys-generate.1",
    ] {
        let path = dir.path().join(name);
        assert!(path.exists(), "{name} written");
        assert!(listed.contains(name), "{name} listed");
    }
    let call = std::fs::read_to_string(dir.path().join("oauth-debugger-call.1")).expect("page");
    assert!(call.contains("step\\-up"), "options are documented");
}
