//! Unit tests of `providers`.

use super::*;

fn url(s: &str) -> Url {
    Url::parse(s).expect("url")
}

#[test]
fn providers_are_recognised_from_hosts_and_paths() {
    let cases = [
        (
            "https://login.microsoftonline.com/contoso/v2.0",
            Some(Provider::Entra),
        ),
        (
            "http://127.0.0.1:9/t/oauth2/v2.0/token",
            Some(Provider::Entra),
        ),
        (
            "https://dev-1.okta.com/oauth2/default",
            Some(Provider::Okta),
        ),
        ("https://example.us.auth0.com/", Some(Provider::Auth0)),
        ("https://accounts.google.com", Some(Provider::Google)),
        (
            "https://oauth2.googleapis.com/token",
            Some(Provider::Google),
        ),
        (
            "https://kc.example.com/realms/acme",
            Some(Provider::Keycloak),
        ),
        (
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab",
            Some(Provider::Cognito),
        ),
        (
            "https://my.auth.eu-west-1.amazoncognito.com/oauth2/token",
            Some(Provider::Cognito),
        ),
        (
            "https://github.com/login/oauth/access_token",
            Some(Provider::GitHub),
        ),
        (
            "http://127.0.0.1:9/login/oauth/access_token",
            Some(Provider::GitHub),
        ),
        ("https://example.com/realms", None),
        ("https://notokta.com/x", None),
        ("https://evil-github.com/x", None),
        ("http://127.0.0.1:7878/token", None),
    ];
    for (u, want) in cases {
        assert_eq!(Provider::recognise(&url(u)), want, "{u}");
    }
}

#[test]
fn the_tables_hold_documented_codes_once_each() {
    assert!(AADSTS.len() >= 20);
    for table in [AADSTS, OKTA, AUTH0] {
        for (i, code) in table.iter().enumerate() {
            assert!(!code.cause.is_empty() && !code.fix.is_empty());
            assert!(
                table[i + 1..].iter().all(|c| c.code != code.code),
                "{} twice",
                code.code
            );
        }
    }
    for required in [
        "AADSTS50011",
        "AADSTS7000215",
        "AADSTS700016",
        "AADSTS65001",
        "AADSTS50076",
        "AADSTS50079",
        "AADSTS700082",
    ] {
        assert!(AADSTS.iter().any(|c| c.code == required), "{required}");
    }
}

#[test]
fn codes_are_found_in_descriptions() {
    let d = "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x";
    let found = codes_in(d);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code, "AADSTS7000215");
    // AADSTS700016 is not mistaken for AADSTS7000 prefixes of others.
    assert_eq!(
        codes_in("AADSTS700016: Application not found")[0].code,
        "AADSTS700016"
    );
    assert!(codes_in("AADSTS1: nothing known").is_empty());
    assert_eq!(
        codes_in("E0000011: Invalid token")[0].provider,
        Provider::Okta
    );
    assert_eq!(
        codes_in("Grant type 'password' not allowed for the client.")[0].provider,
        Provider::Auth0
    );
    assert_eq!(
        codes_in("Service not found: https://api")[0].code,
        "Service not found"
    );
    let hints = code_hints(d);
    assert!(hints[0].0.contains("Microsoft Entra ID says AADSTS7000215"));
    assert!(hints[0].0.contains("reference-error-codes"));
    assert!(hints[0].1.contains("client_secret"));
}

#[test]
fn each_quirk_shows_where_it_applies() {
    let codes = |provider, seen: &Observed| {
        quirks(provider, seen)
            .into_iter()
            .map(|f| f.code)
            .collect::<Vec<_>>()
    };
    let code = Observed {
        grant: Some(GrantType::AuthorizationCode),
        ..Observed::default()
    };
    assert_eq!(codes(Provider::Google, &code), ["google_no_refresh_token"]);
    let offline = Observed {
        params: vec![("access_type".into(), "offline".into())],
        ..code.clone()
    };
    let message = &quirks(Provider::Google, &offline)[0].message;
    assert!(message.contains("prompt"), "{message}");
    let with_refresh = Observed {
        refresh_token: true,
        ..code.clone()
    };
    assert!(codes(Provider::Google, &with_refresh).is_empty());

    assert_eq!(
        codes(Provider::Auth0, &code),
        ["auth0_opaque_without_audience"]
    );
    let jwt = Observed {
        access_claims: Some(serde_json::json!({"aud": "x"})),
        ..code.clone()
    };
    assert!(codes(Provider::Auth0, &jwt).is_empty());

    let cognito = Observed {
        auth_method: Some(ClientAuthMethod::ClientSecretPost),
        scopes: vec!["email".into()],
        ..code.clone()
    };
    assert_eq!(
        codes(Provider::Cognito, &cognito),
        ["cognito_basic_only", "cognito_userinfo_needs_openid"]
    );

    let keycloak = Observed {
        issuer: Some("https://kc.example.com/".into()),
        id_claims: Some(serde_json::json!({"iss": "https://kc.example.com/realms/acme"})),
        ..code.clone()
    };
    assert_eq!(
        codes(Provider::Keycloak, &keycloak),
        ["keycloak_issuer_realm"]
    );

    let org = Observed {
        token_path: "/oauth2/v1/token".into(),
        ..code.clone()
    };
    assert_eq!(
        codes(Provider::Okta, &org),
        ["okta_org_authorization_server"]
    );
    let custom = Observed {
        token_path: "/oauth2/default/v1/token".into(),
        ..code.clone()
    };
    assert!(codes(Provider::Okta, &custom).is_empty());

    let cc = Observed {
        grant: Some(GrantType::ClientCredentials),
        scopes: vec!["api://x/read".into()],
        access_claims: Some(serde_json::json!({"ver": "1.0"})),
        ..Observed::default()
    };
    assert_eq!(
        codes(Provider::Entra, &cc),
        ["entra_v1_access_token", "entra_scope_without_default"]
    );
}
