//! The audit's results as JSON (`--json`), JUnit XML (`--junit`, for CI
//! dashboards) and Markdown (`--markdown`, for a ticket or a review).

use serde_json::{Value, json};

use super::{CheckResult, Verdict, Weight, failed};

/// `{"checks": [...], "failed": bool}`: each check with its ID, verdict,
/// RFC sections, what was expected and observed, and its exchanges.
pub fn json(results: &[CheckResult]) -> Value {
    json!({
        "checks": results,
        "failed": failed(results),
    })
}

/// A JUnit XML report: one test case per check, `<failure>` for a failed
/// one (`type="warning"` when it only warns), `<skipped>` when it did not
/// apply, `<error>` when it could not run.
pub fn junit(results: &[CheckResult]) -> String {
    let count = |verdict: Verdict| results.iter().filter(|r| r.verdict == verdict).count();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str(&format!(
        "<testsuite name=\"oauth-debugger audit\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
        results.len(),
        count(Verdict::Fail),
        count(Verdict::Error),
        count(Verdict::NotApplicable),
    ));
    for result in results {
        xml.push_str(&format!(
            "  <testcase classname=\"audit\" name=\"{}\">\n",
            escape(result.id)
        ));
        let detail = format!(
            "{} — expected: {}; observed: {}",
            result.rfc, result.expected, result.observed
        );
        match result.verdict {
            Verdict::Pass => {}
            Verdict::Fail => xml.push_str(&format!(
                "    <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                match result.weight {
                    Weight::Required => "required",
                    Weight::Warning => "warning",
                },
                escape(&result.observed),
                escape(&detail)
            )),
            Verdict::NotApplicable => xml.push_str(&format!(
                "    <skipped message=\"{}\"/>\n",
                escape(&result.observed)
            )),
            Verdict::Error => xml.push_str(&format!(
                "    <error message=\"{}\">{}</error>\n",
                escape(&result.observed),
                escape(&detail)
            )),
        }
        xml.push_str(&format!(
            "    <system-out>{}</system-out>\n  </testcase>\n",
            escape(&format!(
                "{detail}; exchanges: {}",
                result
                    .exchanges
                    .iter()
                    .map(|id| format!("#{id}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ))
        ));
    }
    xml.push_str("</testsuite>\n");
    xml
}

/// A Markdown table: check, verdict, rule, what was observed.
pub fn markdown(results: &[CheckResult]) -> String {
    let mut md = String::from(
        "# Authorization server audit\n\n| check | verdict | rule | observed |\n|---|---|---|---|\n",
    );
    for result in results {
        md.push_str(&format!(
            "| `{}` | {}{} | {} | {} |\n",
            result.id,
            result.verdict.as_str(),
            if result.verdict == Verdict::Fail && result.weight == Weight::Warning {
                " (warning)"
            } else {
                ""
            },
            result.rfc,
            result.observed.replace('|', "\\|").replace('\n', " ")
        ));
    }
    md.push_str(&format!(
        "\n{}\n",
        if failed(results) {
            "**Failed**: a required check failed."
        } else {
            "**Passed**: no required check failed."
        }
    ));
    md
}

/// "14 passed, 1 warned, 2 not applicable — no required check failed".
pub fn summary(results: &[CheckResult]) -> String {
    let count = |verdict: Verdict, weight: Option<Weight>| {
        results
            .iter()
            .filter(|r| r.verdict == verdict && weight.is_none_or(|w| r.weight == w))
            .count()
    };
    let mut parts = vec![format!("{} passed", count(Verdict::Pass, None))];
    for (n, what) in [
        (count(Verdict::Fail, Some(Weight::Required)), "failed"),
        (count(Verdict::Fail, Some(Weight::Warning)), "warned"),
        (count(Verdict::NotApplicable, None), "not applicable"),
        (count(Verdict::Error, None), "could not run"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    format!(
        "{} — {}",
        parts.join(", "),
        if failed(results) {
            "the server failed the audit"
        } else {
            "no required check failed"
        }
    )
}

/// Text safe inside XML attributes and elements.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 has no place for most control characters.
            c if c.is_control() && !matches!(c, '\n' | '\t' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(id: &'static str, verdict: Verdict, weight: Weight) -> CheckResult {
        CheckResult {
            id,
            verdict,
            rfc: "RFC 6749 §4.1.2",
            expected: "refused",
            observed: "HTTP 400 <invalid_grant> & \"more\"".to_string(),
            exchanges: vec![3, 4],
            intrusive: false,
            weight,
        }
    }

    #[test]
    fn junit_counts_and_escapes() {
        let results = [
            result("code-replay", Verdict::Pass, Weight::Required),
            result("tls", Verdict::Fail, Weight::Required),
            result(
                "implicit-and-password-offered",
                Verdict::Fail,
                Weight::Warning,
            ),
            result("pkce-required", Verdict::NotApplicable, Weight::Required),
            result("state-echo", Verdict::Error, Weight::Required),
        ];
        let xml = junit(&results);
        assert!(xml.contains("tests=\"5\" failures=\"2\" errors=\"1\" skipped=\"1\""));
        assert!(xml.contains("&lt;invalid_grant&gt; &amp; &quot;more&quot;"));
        assert!(!xml.contains("<invalid_grant>"));
        assert!(xml.contains("<failure type=\"warning\""));
        assert!(failed(&results));
        let md = markdown(&results);
        assert!(md.contains("| `tls` | fail | RFC 6749 §4.1.2 |"));
        assert!(md.contains("fail (warning)"));
        assert!(md.contains("**Failed**"));
        let warnings_only = [result(
            "implicit-and-password-offered",
            Verdict::Fail,
            Weight::Warning,
        )];
        assert!(!failed(&warnings_only), "a warning does not fail the audit");
        assert_eq!(json(&warnings_only)["checks"][0]["verdict"], "fail");
        assert_eq!(json(&warnings_only)["checks"][0]["weight"], "warning");
    }
}
