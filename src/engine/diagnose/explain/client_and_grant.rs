//! Explanations of the errors about the request, the client and the grant:\ninvalid_request, invalid_client, DPoP, request objects, invalid_grant,\nunauthorized_client, unsupported_grant_type, invalid_scope.

use crate::engine::profile::GrantType;

use super::*;

pub(super) fn invalid_request(stage: Stage) -> Text {
    let text = Text::new(
        "The request is malformed: a required parameter is missing, a parameter is repeated or has a value the server does not accept.",
    );
    let text = match stage {
        Stage::Authorization => text.causes(&[
            "A required parameter is missing or wrong: response_type, client_id, redirect_uri.",
            "The server requires PKCE and no code_challenge was sent, or the code_challenge_method is not one it supports (RFC 7636 §4.4.1).",
            "A parameter is repeated, e.g. added both by the grant and as an extra authorize parameter.",
        ]),
        Stage::TokenRequest(GrantType::AuthorizationCode) => text.causes(&[
            "code, redirect_uri or code_verifier is missing: the verifier is required when the authorization request carried a code_challenge.",
            "The parameters were sent in the query string instead of the form-encoded body, or without Content-Type: application/x-www-form-urlencoded.",
            "The client authenticated in two ways at once (HTTP Basic and client_secret in the body), which RFC 6749 §2.3 forbids.",
        ]),
        Stage::TokenRequest(GrantType::Password) => text.causes(&[
            "username or password is missing or empty.",
            "The parameters were sent in the query string instead of the form-encoded body.",
            "The client authenticated in two ways at once (HTTP Basic and client_secret in the body).",
        ]),
        Stage::TokenRequest(GrantType::TokenExchange) => text.causes(&[
            "The subject token or the actor token is not valid for the server: unknown to it, expired, revoked, or of another type than subject_token_type / actor_token_type says (RFC 8693 §2.2.2).",
            "The server's policy does not allow this exchange: many servers refuse actor tokens (delegation), or exchanges between these clients.",
            "subject_token or subject_token_type is missing, or actor_token_type was sent without actor_token (or the other way round) (RFC 8693 §2.1).",
        ]),
        Stage::TokenRequest(GrantType::JwtBearer) => text.causes(&[
            "assertion is missing, or holds more than one JWT (RFC 7523 §2.1).",
            "The parameters were sent in the query string instead of the form-encoded body.",
        ]),
        Stage::TokenRequest(GrantType::RefreshToken) => text.causes(&[
            "refresh_token is missing or empty.",
            "The refresh token contains +, / or = and was not form-encoded, so it arrived changed.",
            "The client authenticated in two ways at once (HTTP Basic and client_secret in the body).",
        ]),
        Stage::TokenRequest(_) | Stage::DevicePolling => text.causes(&[
            "A required parameter is missing (grant_type, device_code, client_id) or repeated.",
            "The parameters were sent in the query string instead of the form-encoded body, or without Content-Type: application/x-www-form-urlencoded.",
            "The client authenticated in two ways at once (HTTP Basic and client_secret in the body), which RFC 6749 §2.3 forbids.",
        ]),
        Stage::PushedAuthorization => text.causes(&[
            "A pushed parameter is missing or wrong: response_type, redirect_uri, scope, code_challenge — the PAR endpoint checks them as the authorization endpoint would (RFC 9126 §2.1).",
            "A request_uri was pushed: RFC 9126 §2.1 forbids it.",
            "The request object in `request` is not accepted (then the code is invalid_request_object).",
        ]),
        Stage::ApiCall => text.causes(&[
            "The token was sent in more than one way at once (header and query or body), which RFC 6750 §3.1 calls invalid_request.",
            "A parameter the API requires is missing or malformed, e.g. a version header or a format parameter.",
        ]),
        Stage::Revocation | Stage::Introspection => text.causes(&[
            "The token parameter is missing or empty.",
            "The parameters were sent in the query string instead of the form-encoded body.",
        ]),
    };
    let text = match stage {
        Stage::TokenRequest(GrantType::TokenExchange) => text.tries(&[
            "Check the subject token is one this server issued and still valid, and that subject_token_type names its real type ([token_exchange]).",
            "Run again without the actor token: if that works, the server refuses delegation for this client.",
        ]),
        _ => text,
    };
    text.reference(match stage {
        Stage::Authorization => "RFC 6749 §4.1.2.1",
        Stage::ApiCall => "RFC 6750 §3.1",
        Stage::TokenRequest(GrantType::TokenExchange) => "RFC 8693 §2.2.2",
        _ => "RFC 6749 §5.2",
    })
    .tries(&[
        "Read the error_description: servers usually name the parameter.",
        "Compare the request as sent (HTTP log, or -v) with the provider's documentation, parameter by parameter.",
        "Remove extra parameters one at a time to find the one the server rejects.",
    ])
}

pub(super) fn invalid_client(stage: Stage) -> Text {
    if !authenticates_client(stage) {
        return Text::new(
            "The server does not accept this client. invalid_client is defined for the token endpoint; here it usually means the client_id is unknown.",
        )
        .causes(&[
            "The client_id is wrong, or belongs to another environment or tenant.",
            "The client was deleted or disabled at the provider.",
        ])
        .tries(&[
            "Copy the client_id again from the provider's console.",
            "Check that the endpoints and the client belong to the same environment.",
        ])
        .reference("RFC 6749 §5.2");
    }
    Text::new(
        "Client authentication failed: the server does not know this client, or the credentials are wrong, or they came in a way it does not accept.",
    )
    .causes(&[
        "The client_secret is wrong: mistyped, rotated, with stray whitespace, or from another environment.",
        "The server wants the other authentication method: HTTP Basic (client_secret_basic) rather than the body (client_secret_post), or the other way round.",
        "HTTP Basic credentials are form-encoded before base64 (RFC 6749 §2.3.1); a server that does not decode them rejects a secret containing characters such as + / = % or :.",
        "A public client sent a secret, or a confidential client sent none (token_endpoint_auth_method = \"none\").",
        "The client_id is unknown to this server.",
    ])
    .tries(&[
        "Copy the client_secret again from the provider's console.",
        "Switch token_endpoint_auth_method between client_secret_basic and client_secret_post and run again.",
        "If the secret contains special characters and Basic is used, set basic_auth_raw = true under [compat] in the profile to send them unencoded.",
        "Check the Authorization header and the body of the request as sent (HTTP log, or -v).",
    ])
    .reference("RFC 6749 §5.2")
}

pub(super) fn invalid_dpop_proof(stage: Stage) -> Text {
    Text::new(format!(
        "The server refused the DPoP proof sent with {}: the signed JWT in the DPoP header did not pass its checks.",
        stage.describe()
    ))
    .causes(&[
        "htu or htm: the proof names another URL or method than the request's (a proxy or a rewritten path changes what the server sees).",
        "The clock: the proof's iat is too far from the server's time.",
        "The algorithm: the server does not accept the proof's alg (see its dpop_signing_alg_values_supported).",
        "ath: at an API, the proof's ath must be the SHA-256 of the very access token sent.",
        "The key: a token bound to another key (cnf.jkt) cannot be used with this one — a new session made a new key.",
    ])
    .tries(&[
        "Read the proof decoded in the step (header and claims) and compare htu with the request URL.",
        "Set dpop_signing_alg to one the server lists.",
        "Keep one key across runs with dpop_key_file, so tokens stay usable.",
    ])
    .reference("RFC 9449 §4.3, §7.1")
}

pub(super) fn invalid_request_object() -> Text {
    Text::new(
        "The server refused the signed request object (JAR): its signature, claims or algorithm did not pass.",
    )
    .causes(&[
        "The key: the server has no public key with the request object's kid for this client (register the JWKS of signing_key_file).",
        "aud: it must be the server's issuer identifier (RFC 9101 §4).",
        "iss or client_id: both must be the client_id, and client_id must also be sent outside the object.",
        "exp, nbf or iat: expired, not yet valid, or too far in the past (FAPI 2.0 wants nbf within the last 60 minutes).",
        "alg: request_object_signing_alg is not one the server lists in request_object_signing_alg_values_supported.",
    ])
    .tries(&[
        "Open the request object in the step (header and claims) and compare aud with the issuer.",
        "Set request_object_signing_alg to an algorithm the client is registered with.",
    ])
    .reference("RFC 9101 §6.3, §7")
}

pub(super) fn request_uri_refused(code: &str) -> Text {
    Text::new(format!(
        "The server does not take this way of passing the request ({code}): it refused the request object or the request_uri."
    ))
    .causes(&[
        "The server does not support request objects by value (request_not_supported) or by reference (request_uri_not_supported).",
        "A pushed request_uri was used twice or after it expired (RFC 9126 §4: it is good for one use, briefly).",
    ])
    .tries(&[
        "Turn PAR on (require_pushed_authorization_requests) when the server pushes, or off when it has no PAR endpoint.",
        "Run the grant again: each run pushes a new request.",
    ])
    .reference("RFC 9101 §7; RFC 9126 §4")
}

pub(super) fn use_dpop_nonce() -> Text {
    Text::new(
        "The server wants a nonce of its own in the DPoP proof. It sent one in the DPoP-Nonce header; the request is signed again with it and retried once.",
    )
    .causes(&[
        "The server demands nonces (RFC 9449 §8 and §9); the first request cannot have known one.",
        "The nonce went stale between requests and the server sent a new one.",
    ])
    .tries(&[
        "Nothing, usually: the retry carries the nonce. If the retry is refused too, the server's nonce handling is at fault: compare the DPoP-Nonce it sent with the nonce claim of the second proof.",
    ])
    .reference("RFC 9449 §8")
}

pub(super) fn invalid_grant(stage: Stage) -> Text {
    let summary = "The grant is not valid: the code, refresh token or credentials are wrong, expired, revoked, already used, or were issued to another client.";
    let text = Text::new(summary).reference("RFC 6749 §5.2");
    match stage {
        Stage::TokenRequest(GrantType::AuthorizationCode) => text
            .causes(&[
                "The code was already used: codes are single-use, and a retry or a second tab spends it (RFC 6749 §4.1.2).",
                "The code expired: they live seconds to minutes (at most 10 minutes is recommended).",
                "The redirect_uri differs from the one sent in the authorization request; it must be identical (RFC 6749 §4.1.3).",
                "The PKCE code_verifier does not match the code_challenge of that authorization request (RFC 7636 §4.6).",
                "The code was issued to another client_id.",
            ])
            .tries(&[
                "Run the whole grant again: every run gets a fresh code, state and verifier.",
                "Compare redirect_uri in the authorization request and the token request, character by character.",
                "Exchange the code at once, and only once.",
            ]),
        Stage::TokenRequest(GrantType::RefreshToken) => text
            .causes(&[
                "The refresh token was already used: the server rotates refresh tokens, so each refresh returns a new one and the old one stops working.",
                "The refresh token was revoked: sign-out, password change, consent withdrawn or an administrator.",
                "The refresh token expired (idle or absolute lifetime).",
                "The refresh token was issued to another client, or it contains + / = and was not form-encoded.",
            ])
            .tries(&[
                "Use the newest refresh token: each refresh returns one that replaces the last.",
                "Run the original grant again to get a new refresh token.",
            ])
            .reference("RFC 6749 §6"),
        Stage::TokenRequest(GrantType::Password) => text
            .causes(&[
                "The username or password is wrong.",
                "The account is locked, disabled, needs a password change or a second factor the password grant cannot give.",
                "The username was changed on the way: names like DOMAIN\\user must be sent exactly as typed (the backslash is form-encoded, never doubled).",
            ])
            .tries(&[
                "Sign in with the same username and password on the provider's own login page.",
                "Send the username exactly as the provider expects it (DOMAIN\\user, user@domain or e-mail).",
            ]),
        Stage::TokenRequest(GrantType::DeviceCode) | Stage::DevicePolling => text
            .causes(&[
                "The device_code is unknown, already exchanged, or belongs to another client.",
            ])
            .tries(&["Start the device grant again."]),
        Stage::TokenRequest(GrantType::JwtBearer) => text
            .causes(&[
                "The assertion's signature does not verify with the key the server has for its issuer (signing_key_file, signing_key_kid).",
                "aud does not name this server: RFC 7523 §3 wants its issuer or its token endpoint URL ([jwt_bearer] aud).",
                "The assertion expired, or its iat or nbf lies in the future by the server's clock (a lifetime too long is refused too).",
                "iss or sub is not one the server accepts for this client ([jwt_bearer] iss, sub).",
                "Its jti was used before: an assertion is good for one request.",
            ])
            .tries(&[
                "Read the assertion as sent (the step shows it decoded) against the provider's documentation, claim by claim.",
                "Run again: a built assertion gets a fresh jti, iat and exp every time.",
            ])
            .reference("RFC 7523 §3.1"),
        _ => text
            .causes(&[
                "The grant or token was issued to another client, or has expired or been revoked.",
            ])
            .tries(&["Run the grant again and use what it returns."]),
    }
}

pub(super) fn unauthorized_client(stage: Stage) -> Text {
    let text =
        Text::new("The client is known, but not allowed to use this grant type or response type.");
    let text = match stage {
        Stage::Authorization => text.causes(&[
            "The client is not registered for this response_type (code, or token for the implicit grant).",
            "The client is a different kind (e.g. a machine-to-machine client) from what the authorization endpoint serves.",
        ]),
        Stage::TokenRequest(GrantType::Password) => text.causes(&[
            "The password grant is not enabled for this client; many providers turn it off by default.",
        ]),
        Stage::TokenRequest(GrantType::ClientCredentials) => text.causes(&[
            "The client_credentials grant is not enabled for this client, or the client is public (it needs a secret).",
        ]),
        _ => text.causes(&[
            "This grant type is not enabled for this client in the provider's settings.",
        ]),
    };
    text.reference(authorization_or_token(stage)).tries(&[
        "Enable the grant (or response type) for the client in the provider's console.",
        "Use a client registered for this grant, or a grant this client may use.",
    ])
}

pub(super) fn unsupported_grant_type(stage: Stage) -> Text {
    let grant = match stage {
        Stage::TokenRequest(grant) => format!(" ({grant})"),
        _ => String::new(),
    };
    Text::new(format!(
        "The server does not support this grant_type{grant}."
    ))
    .causes(&[
        "The server does not implement this grant (the password and implicit grants are often switched off).",
        "The server did not find grant_type at all: the body was not form-encoded, lacked Content-Type: application/x-www-form-urlencoded, or the parameters went in the query string.",
        "grant_type is misspelled; the device grant's is urn:ietf:params:oauth:grant-type:device_code.",
    ])
    .tries(&[
        "Check grant_types_supported in the provider's discovery document.",
        "Look at the request body as sent (HTTP log, or -v): grant_type must be there, form-encoded.",
    ])
    .reference("RFC 6749 §5.2")
}

pub(super) fn invalid_scope(stage: Stage) -> Text {
    let text = Text::new(
        "The requested scope is invalid, unknown, malformed, or more than this client or grant may have.",
    );
    let text = match stage {
        Stage::TokenRequest(GrantType::RefreshToken) => text.causes(&[
            "The refresh asked for a scope that was not in the original grant; a refresh may only narrow the scope (RFC 6749 §6).",
        ]),
        _ => text,
    };
    text.causes(&[
        "A scope name is unknown to the provider or misspelled (names are case-sensitive).",
        "The client is not allowed this scope.",
        "Scopes were separated by commas; they are separated by spaces (RFC 6749 §3.3).",
    ])
    .reference(authorization_or_token(stage))
    .tries(&[
        "Use the exact scope names from the provider's documentation.",
        "Remove scopes one at a time to find the one refused, or send no scope to get the default.",
    ])
}
