use super::*;

fn doc(json: &str) -> JsonDoc {
    JsonDoc::new(Bytes::copy_from_slice(json.as_bytes()))
}

/// The lines `serde_json` itself would print.
fn serde_pretty(json: &str) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_str(json).expect("json");
    serde_json::to_string_pretty(&value)
        .expect("pretty")
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn lines_are_serde_jsons_pretty_layout() {
    for json in [
        r#"{"a":1,"b":[1,2,{"c":null}],"d":{},"e":[],"f":{"g":[[]]},"h":"x"}"#,
        "  {\n\t\"spaced\" :  [ 1 ,\r\n 2 ] , \"o\" : { \"p\" : true }  }\n",
        r#"[{"id":0,"tags":["demo","large"]},{"id":1,"tags":[]}]"#,
        r#""only a string""#,
        "-12.5",
        "{}",
        "[[],[[]],{}]",
        r#"{"nested":{"deeper":{"deepest":[false,true]}},"after":1}"#,
    ] {
        let doc = doc(json);
        let expected = serde_pretty(json);
        assert_eq!(doc.line_count(), expected.len(), "{json}");
        assert_eq!(doc.lines(0..doc.line_count()), expected, "{json}");
    }
}

#[test]
fn strings_and_numbers_are_shown_as_they_came() {
    let doc = doc(r#"{"s":"caf\u00e9 \/ \"q\"","n":1.50E+2}"#);
    assert_eq!(
        doc.lines(0..4),
        [
            "{",
            r#"  "s": "caf\u00e9 \/ \"q\"","#,
            r#"  "n": 1.50E+2"#,
            "}"
        ]
    );
}

#[test]
fn any_range_of_lines_matches_the_whole() {
    let mut json = String::from("{\"items\":[");
    for i in 0..500 {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&format!(r#"{{"id":{i},"tags":["a","b"],"o":{{}}}}"#));
    }
    json.push_str("]}");
    let doc = doc(&json);
    let all = serde_pretty(&json);
    assert_eq!(doc.line_count(), all.len());
    for (start, end) in [
        (0, 10),
        (63, 65),
        (64, 128),
        (1000, 1100),
        (all.len() - 5, all.len() + 10),
    ] {
        assert_eq!(
            doc.lines(start..end),
            all[start..end.min(all.len())],
            "lines {start}..{end}"
        );
    }
    assert!(doc.lines(all.len() + 1..all.len() + 5).is_empty());
}

#[test]
fn find_gives_the_numbers_of_matching_lines() {
    let body = BodyDoc::new(Bytes::from_static(br#"{"a":"x1","b":["x2",3]}"#));
    assert!(body.json().is_some());
    // {, "a": "x1", "b": [, "x2", 3, ], }
    assert_eq!(body.find("x"), [1, 3]);
    assert_eq!(body.find("\"b\""), [2]);
    assert!(body.find("nowhere").is_empty());
}

#[test]
fn a_body_that_is_not_json_is_text_lines() {
    let body = BodyDoc::new(Bytes::from_static(b"<html>\r\n<p>hi</p>\n\xff\n"));
    assert!(body.json().is_none());
    assert_eq!(body.line_count(), 3);
    assert_eq!(body.lines(0..5), ["<html>", "<p>hi</p>", "\u{fffd}"]);
    assert_eq!(body.find("hi"), [1]);
    assert_eq!(BodyDoc::new(Bytes::new()).line_count(), 0);
    // Almost JSON is text.
    assert!(
        BodyDoc::new(Bytes::from_static(b"{\"a\":1,}"))
            .json()
            .is_none()
    );
}

#[test]
fn a_long_line_is_cut_and_says_how_much() {
    let long = format!("\"{}\"", "x".repeat(MAX_LINE_CHARS + 100));
    let line = &doc(&long).lines(0..1)[0];
    assert!(
        line.ends_with("… (102 more bytes)"),
        "{}",
        &line[line.len() - 40..]
    );
}

#[test]
fn garbage_never_panics_or_hangs() {
    // The scanners are only given JSON, but must survive anything.
    let mut seed = 7u64;
    for _ in 0..300 {
        let len = (seed % 64) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                b"{}[]\",:\\ a1\n"[(seed >> 33) as usize % 12]
            })
            .collect();
        let doc = JsonDoc::new(Bytes::from(bytes.clone()));
        let _ = doc.lines(0..doc.line_count());
        let _ = skip_value(&bytes, 0);
        let view =
            crate::app::widgets::json_tree::JsonTreeView::new(&std::sync::Arc::new(doc), u16::MAX);
        drop(view);
    }
}
