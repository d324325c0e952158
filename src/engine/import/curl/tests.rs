//! Unit tests of `curl`.

use super::*;

#[test]
fn words_split_as_a_shell_does() {
    let words = shell_words(
        "curl -X POST \\\n  'https://as.example/token' -d \"a=b c\" -d $'x\\ty' --data=\"q\\\"\"",
    )
    .expect("words");
    assert_eq!(
        words,
        vec![
            "curl",
            "-X",
            "POST",
            "https://as.example/token",
            "-d",
            "a=b c",
            "-d",
            "x\ty",
            "--data=q\""
        ]
    );
    assert!(shell_words("curl 'open").is_err());
}

#[test]
fn odd_options_never_panic() {
    for line in [
        "curl -é https://x",
        "curl -dé https://x",
        "curl -",
        "curl --=x https://x",
    ] {
        let _ = import(line, "t");
    }
}

#[test]
fn basic_credentials_are_form_decoded() {
    assert_eq!(decode_form("my%2Bid"), "my+id");
    assert_eq!(decode_form("plain"), "plain");
}
