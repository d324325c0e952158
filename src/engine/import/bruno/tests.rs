//! Unit tests of `bruno`.

use super::*;

#[test]
fn blocks_pairs_lists_and_text_are_read() {
    let blocks = parse_bru(
        "meta {\n  name: Get token\n  seq: 1\n}\n\npost {\n  url: {{base}}/token?x=1\n  ~auth: none\n}\n\nbody:json {\n  {\n    \"a\": 1\n  }\n}\n\nvars:secret [\n  clientSecret,\n  pw\n]\n",
    )
    .expect("parses");
    assert_eq!(blocks.len(), 4);
    assert_eq!(blocks[1].get("url"), Some("{{base}}/token?x=1"));
    assert_eq!(blocks[1].get("auth"), None, "disabled");
    assert_eq!(blocks[2].lines.join("\n"), "{\n  \"a\": 1\n}");
    assert_eq!(blocks[3].lines, vec!["clientSecret,", "pw"]);
    let err = parse_bru("meta {\n  name: x\n").expect_err("unclosed");
    assert!(err.contains("never closed"), "{err}");
    let err = parse_bru("hello\n").expect_err("stray");
    assert!(err.starts_with("line 1"), "{err}");
}
