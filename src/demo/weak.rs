//! Weaknesses: the security faults a server audit looks for
//! (`oauth-debugger audit`), each off by default so the standard demo
//! provider passes every check, and each switchable on its own
//! (`demo-server --fault weak-code-replay`) or all together
//! (`demo-server --mode vulnerable`, `--fault vulnerable`), so a test can
//! prove each check fails where it must.
//!
//! Each is the server-side mistake the RFC forbids: a code accepted twice
//! (RFC 6749 §4.1.2), PKCE not enforced (RFC 7636 §4.6, RFC 9700 §2.1.1),
//! an authorization endpoint that redirects to any URI (RFC 9700 §4.11.2),
//! a redirect URI not compared at the token endpoint (RFC 6749 §4.1.3),
//! `state` not returned (§4.1.2), a rotated refresh token accepted again
//! (RFC 9700 §4.14.2), a refresh that widens the scope (RFC 6749 §6), the
//! token endpoint on GET (§3.2), token responses that may be cached
//! (§5.1), client authentication not enforced (§2.3.1, §3.2.1), and codes
//! that never expire (§4.1.2).

/// Which weaknesses are on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Weaknesses {
    /// `weak-code-replay`: an authorization code works more than once, and
    /// a replay revokes nothing.
    pub code_replay: bool,
    /// `weak-pkce-unchecked`: the `code_verifier` is not checked: a wrong
    /// or missing one is accepted.
    pub pkce_unchecked: bool,
    /// `weak-pkce-optional`: public clients may leave PKCE out.
    pub pkce_optional: bool,
    /// `weak-pkce-plain`: discovery says S256 only, yet `plain` is taken.
    pub pkce_plain: bool,
    /// `weak-open-redirect`: `/authorize` takes any redirect URI, and
    /// sends its errors there.
    pub open_redirect: bool,
    /// `weak-redirect-uri-unchecked`: the token endpoint does not compare
    /// the redirect URI with the authorization request's.
    pub redirect_uri_unchecked: bool,
    /// `weak-state-dropped`: authorization responses leave `state` out.
    pub state_dropped: bool,
    /// `weak-no-reuse-detection`: a rotated-out refresh token still works,
    /// and its reuse revokes nothing.
    pub no_reuse_detection: bool,
    /// `weak-scope-escalation`: a refresh may ask for more scope than was
    /// granted, and gets it.
    pub scope_escalation: bool,
    /// `weak-token-get`: the token endpoint answers GET with the
    /// parameters in the query string.
    pub token_get: bool,
    /// `weak-no-store-missing`: token responses carry no
    /// `Cache-Control: no-store`.
    pub no_store_missing: bool,
    /// `weak-secret-unchecked`: a wrong client secret is accepted.
    pub secret_unchecked: bool,
    /// `weak-auth-optional`: a confidential client may leave its
    /// authentication out (`client_id` alone).
    pub auth_optional: bool,
    /// `weak-code-lifetime`: authorization codes never expire.
    pub code_lifetime: bool,
}

impl Weaknesses {
    /// The names accepted by [`Weaknesses::switch_on`], besides
    /// `vulnerable` (all of them).
    pub const NAMES: [&str; 14] = [
        "weak-code-replay",
        "weak-pkce-unchecked",
        "weak-pkce-optional",
        "weak-pkce-plain",
        "weak-open-redirect",
        "weak-redirect-uri-unchecked",
        "weak-state-dropped",
        "weak-no-reuse-detection",
        "weak-scope-escalation",
        "weak-token-get",
        "weak-no-store-missing",
        "weak-secret-unchecked",
        "weak-auth-optional",
        "weak-code-lifetime",
    ];

    /// Every weakness on: `--mode vulnerable`.
    pub fn all() -> Self {
        let mut all = Self::default();
        for name in Self::NAMES {
            all.switch_on(name);
        }
        all
    }

    /// Turns on the weakness called `name` (`vulnerable`: all); false when
    /// there is none.
    pub fn switch_on(&mut self, name: &str) -> bool {
        if name == "vulnerable" {
            *self = Self::all();
            return true;
        }
        let switch = match name {
            "weak-code-replay" => &mut self.code_replay,
            "weak-pkce-unchecked" => &mut self.pkce_unchecked,
            "weak-pkce-optional" => &mut self.pkce_optional,
            "weak-pkce-plain" => &mut self.pkce_plain,
            "weak-open-redirect" => &mut self.open_redirect,
            "weak-redirect-uri-unchecked" => &mut self.redirect_uri_unchecked,
            "weak-state-dropped" => &mut self.state_dropped,
            "weak-no-reuse-detection" => &mut self.no_reuse_detection,
            "weak-scope-escalation" => &mut self.scope_escalation,
            "weak-token-get" => &mut self.token_get,
            "weak-no-store-missing" => &mut self.no_store_missing,
            "weak-secret-unchecked" => &mut self.secret_unchecked,
            "weak-auth-optional" => &mut self.auth_optional,
            "weak-code-lifetime" => &mut self.code_lifetime,
            _ => return false,
        };
        *switch = true;
        true
    }

    /// Whether discovery should say S256 is the only PKCE method (so that
    /// taking `plain` anyway is a downgrade the audit can see).
    pub fn advertises_s256_only(&self) -> bool {
        self.pkce_plain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_name_turns_on_one_weakness_and_vulnerable_all() {
        for name in Weaknesses::NAMES {
            let mut weak = Weaknesses::default();
            assert!(weak.switch_on(name), "{name}");
            assert_ne!(weak, Weaknesses::default(), "{name}");
            assert_ne!(weak, Weaknesses::all(), "{name} is one of several");
        }
        let mut weak = Weaknesses::default();
        assert!(weak.switch_on("vulnerable"));
        assert!(weak.code_replay && weak.auth_optional && weak.token_get);
        assert!(!Weaknesses::default().switch_on("weak-nonsense"));
    }
}
