//! Explanations of the errors about access and waiting: denied, unsupported\nresponse types, server trouble, device and CIBA polling, bearer token\nerrors, step-up, targets and authorization details, and unknown codes.

use crate::engine::profile::GrantType;

use super::*;

pub(super) fn access_denied(stage: Stage) -> Text {
    match stage {
        Stage::DevicePolling | Stage::TokenRequest(GrantType::DeviceCode) => {
            Text::new("The person denied the device request on the verification page.")
                .causes(&[
                    "Deny was pressed on the verification page.",
                    "A policy refused it: the user is not allowed to use this client.",
                ])
                .tries(&["Start the device grant again and approve it."])
                .reference("RFC 8628 §3.5")
        }
        Stage::Authorization => Text::new(
            "The resource owner or the authorization server denied the request.",
        )
        .causes(&[
            "The person pressed Deny or Cancel on the sign-in or consent page.",
            "A policy refused it: the user is not assigned to the application, an administrator must consent first, or conditional access blocked it.",
        ])
        .tries(&[
            "Run the grant again and press Allow.",
            "Ask an administrator to grant consent or assign the user to the application.",
            "Read the error_description: policies usually say which rule refused.",
        ])
        .reference("RFC 6749 §4.1.2.1"),
        _ => Text::new(
            "The server refused access. access_denied is defined for the authorization redirect and device polling; here it is the server's own usage.",
        )
        .causes(&[
            "A policy refused the request: the client or the user may not access this.",
        ])
        .tries(&["Read the error_description and check the client's permissions at the provider."])
        .reference("RFC 6749 §4.1.2.1"),
    }
}

pub(super) fn unsupported_response_type() -> Text {
    Text::new(
        "The authorization server does not support obtaining a response of this type (response_type).",
    )
    .causes(&[
        "The implicit grant (response_type=token) is switched off or not supported; OAuth 2.1 removes it.",
        "response_type is misspelled, or asks for a combination (e.g. code id_token) the server does not offer.",
    ])
    .tries(&[
        "Use the authorization code grant with PKCE instead of the implicit grant.",
        "Check response_types_supported in the provider's discovery document.",
    ])
    .reference("RFC 6749 §4.1.2.1")
}

pub(super) fn server_error(stage: Stage) -> Text {
    let text = Text::new(
        "The server hit an unexpected condition. It is the server's fault, though an unusual request can trigger it.",
    )
    .reference("RFC 6749 §4.1.2.1");
    let text = if stage == Stage::Authorization {
        text
    } else {
        text.causes(&[
            "server_error is defined for the authorization redirect (which cannot carry an HTTP 500); elsewhere servers use it for their own failures.",
        ])
    };
    text.causes(&[
        "A bug or an outage at the provider.",
        "A parameter value the server does not handle: an extra parameter, a very long value, unusual characters.",
    ])
    .tries(&[
        "Try again in a moment.",
        "Remove extra parameters to see whether one of them triggers it.",
        "Send the exchange (Copy as curl, or the -v output) to the provider's support.",
    ])
}

pub(super) fn temporarily_unavailable() -> Text {
    Text::new("The server is overloaded or under maintenance and cannot handle the request now.")
        .causes(&["High load or maintenance at the provider."])
        .tries(&["Wait and try again.", "Check the provider's status page."])
        .reference("RFC 6749 §4.1.2.1")
}

pub(super) fn authorization_pending(stage: Stage) -> Text {
    let text = Text::new(
        "The person has not approved or denied the device request yet. This is not a failure: the client keeps polling.",
    )
    .reference("RFC 8628 §3.5");
    let text = if matches!(stage, Stage::DevicePolling | Stage::TokenRequest(_)) {
        text.causes(&["The person has not finished on the verification page yet."])
    } else {
        text.causes(&["authorization_pending only belongs to device polling."])
    };
    text.tries(&[
        "Open the verification URI, enter the user code and approve.",
        "Keep polling at the interval the server gave.",
    ])
}

pub(super) fn slow_down() -> Text {
    Text::new(
        "The client polls too fast. The interval grows by 5 seconds for this and every later request.",
    )
    .causes(&[
        "Polls came faster than the interval the server asked for.",
        "Several clients poll with the same device_code.",
    ])
    .tries(&["Nothing, unless it repeats: the engine adds 5 seconds to the interval by itself."])
    .reference("RFC 8628 §3.5")
}

pub(super) fn expired_token(stage: Stage) -> Text {
    match stage {
        Stage::ApiCall => Text::new(
            "The server says the token expired. RFC 6750 calls this invalid_token; expired_token is the server's own usage.",
        )
        .causes(&["The access token's lifetime is over."])
        .tries(&[
            "Check the token's expiry and refresh it.",
            "Run the grant again if there is no refresh token.",
        ])
        .reference("RFC 6750 §3.1"),
        _ => Text::new(
            "The device_code expired before the person approved the request.",
        )
        .causes(&["The verification page was not completed within expires_in seconds."])
        .tries(&["Start the device grant again and approve it sooner."])
        .reference("RFC 8628 §3.5"),
    }
}

pub(super) fn invalid_token(stage: Stage) -> Text {
    let text = Text::new(
        "The access token is expired, revoked, malformed, or not valid for this resource.",
    )
    .reference("RFC 6750 §3.1");
    match stage {
        Stage::ApiCall => text
            .causes(&[
                "The token expired: compare its expiry (the countdown, or expires_at) with the time of the call.",
                "The token was revoked: sign-out, password change, or a revocation request.",
                "A newer token superseded it: some servers invalidate the previous access token when a refresh issues a new one.",
                "The token is in the wrong place or form: the API expects Authorization: Bearer <token> and got it in the query or body, or with another prefix.",
                "The token was issued for another API (its aud) or another environment, or the ID token was sent instead of the access token.",
            ])
            .tries(&[
                "Refresh the token and call again (Refresh token and retry, or the refresh_token grant), or run the grant again.",
                "Check exp and aud in the decoded access token.",
                "Place the token as the API documents (the profile's token_placement, or Token placement in the Request tab).",
            ]),
        _ => text
            .causes(&[
                "The token sent is not one this server issued, or it is expired or revoked.",
            ])
            .tries(&["Run the grant again and use the new token."]),
    }
}

pub(super) fn insufficient_scope() -> Text {
    Text::new(
        "The token is valid but does not carry the scope this request needs. The challenge's scope attribute, when present, names it.",
    )
    .causes(&[
        "The grant asked for fewer scopes than this call needs.",
        "The server granted less than was asked: the person or a policy declined some scopes.",
    ])
    .tries(&[
        "Add the scope named in the challenge to the profile's scope and run the grant again.",
        "Compare the granted scope (scope in the token response) with what the API documents.",
    ])
    .reference("RFC 6750 §3.1")
}

pub(super) fn insufficient_user_authentication() -> Text {
    Text::new(
        "The token is valid, but the sign-in behind it is not strong enough or not recent enough for this call. The challenge's acr_values names the authentication contexts the API accepts (one of them is needed) and max_age how many seconds may have passed since the user last signed in.",
    )
    .causes(&[
        "The user signed in with less than this call needs (e.g. a password where the API wants multi-factor).",
        "The sign-in is older than the API allows for this call (max_age).",
        "The authorization server did not put acr / auth_time in the access token, so the API cannot tell and refuses.",
    ])
    .tries(&[
        "Authorize again asking for what the challenge names: acr_values and max_age on the authorization request (RFC 9470 §4), then repeat the call with the new token.",
        "Check the new ID token's acr and auth_time: a server may not meet acr_values (it is a voluntary request), and then the API refuses again.",
        "Check that the server lists the asked acr in acr_values_supported (discovery).",
    ])
    .reference("RFC 9470 §3")
}

pub(super) fn invalid_target(stage: Stage) -> Text {
    let text = Text::new(
        "The server will not issue a token for the target asked for: an audience or resource it does not know, or one this client may not have tokens for.",
    )
    .causes(&[
        "An audience (a logical name) or resource (an absolute URI) the server does not serve, spelled differently from what it knows, or with a trailing slash it does not expect.",
        "The client is not allowed tokens for that target.",
    ])
    .tries(&[
        "Read the error_description, then use the audience / resource values the provider documents.",
        "Run again with no audience or resource: the server then picks its default target.",
    ]);
    if stage == Stage::TokenRequest(GrantType::TokenExchange) {
        text.reference("RFC 8693 §2.2.2")
    } else {
        text.reference("RFC 8707 §2")
    }
}

pub(super) fn invalid_authorization_details(stage: Stage) -> Text {
    let text = Text::new(
        "The server refused the authorization_details (rich authorization request): a type it does not know, or an entry that does not follow that type's definition.",
    )
    .causes(&[
        "A type the server does not support: compare each type with authorization_details_types_supported in its metadata (RFC 9396 §10).",
        "A field the type does not define, a field of the wrong JSON type, a value the type does not allow, or a field the type requires left out.",
        "The value is not a JSON array of objects each with a type, or it was sent as JSON inside a string where a JSON array was expected (in a request object the claim is the array itself).",
        "At the token endpoint: more than the grant allows — details the user did not approve for this code or refresh token, or that the client's policy does not permit for client credentials (RFC 9396 §6).",
    ])
    .tries(&[
        "Read the error_description: servers usually name the entry or field they refused.",
        "Run discovery and use only the types listed in authorization_details_types_supported; check the type's documentation for the fields it requires.",
        "Ask for fewer entries, actions or locations until the request is accepted, then add back one at a time.",
    ]);
    if matches!(stage, Stage::TokenRequest(_)) {
        text.reference("RFC 9396 §6")
    } else {
        text.reference("RFC 9396 §5")
    }
}

pub(super) fn unknown(code: &str, stage: Stage) -> Text {
    let summary = if code.is_empty() {
        "The server sent an empty error code.".to_string()
    } else if is_known_code(code) {
        format!(
            "{code} is an OAuth error code, but not one defined for {}.",
            stage.describe()
        )
    } else {
        format!(
            "{code} is not an error code the OAuth specifications define: it is this provider's own."
        )
    };
    Text::new(summary)
        .causes(&["The provider's own condition; its error_description usually says which."])
        .tries(&[
            "Read the error_description and the error_uri page, if the server sent them.",
            "Look the code up in the provider's documentation.",
        ])
}

/// The CIBA meanings of the codes of OpenID CIBA Core §11 and §13; `None`
/// for the codes the general explanations cover.
pub(super) fn ciba_text(code: &str) -> Option<Text> {
    let text = match code {
        "authorization_pending" => Text::new(
            "The user has not approved or denied the request on their device yet. Not a failure: the client polls again after the interval.",
        )
        .causes(&["The person has not answered the prompt on their authentication device yet."])
        .tries(&["Approve the request on the device.", "Keep polling at the interval the server gave."])
        .reference("OpenID CIBA Core §11"),
        "slow_down" => Text::new(
            "The client polls too fast: the interval grows by at least 5 seconds for this and every later poll.",
        )
        .causes(&["A poll came before the interval was up.", "Another client polls with the same auth_req_id."])
        .tries(&["Nothing, unless it repeats: the engine adds 5 seconds to the interval by itself."])
        .reference("OpenID CIBA Core §11"),
        "expired_token" => Text::new(
            "The auth_req_id expired before the user answered: its expires_in is over.",
        )
        .causes(&["The person did not answer the prompt in time."])
        .tries(&["Start the CIBA request again and approve it sooner (or ask a longer requested_expiry)."])
        .reference("OpenID CIBA Core §11"),
        "access_denied" => Text::new("The user denied the request on their authentication device.")
            .causes(&["The person pressed deny, or the binding message did not match what they expected."])
            .tries(&["Start again and approve on the device; check the binding_message shown on both devices."])
            .reference("OpenID CIBA Core §11"),
        "transaction_failed" => Text::new("The server could not complete the authentication (an error on its side or on the device).")
            .tries(&["Start again; if it repeats, ask the provider."])
            .reference("OpenID CIBA Core §11"),
        "unknown_user_id" => Text::new("The server cannot find a user for the hint sent (login_hint, login_hint_token or id_token_hint).")
            .causes(&["The login_hint is not a user of this server, or is in a format it does not read (e-mail, phone, username)."])
            .tries(&["Check the hint under [ciba] (or --login-hint) against the server's users."])
            .reference("OpenID CIBA Core §13"),
        "expired_login_hint_token" => Text::new("The login_hint_token sent has expired.")
            .tries(&["Obtain a fresh login_hint_token."])
            .reference("OpenID CIBA Core §13"),
        "missing_user_code" => Text::new("The server requires a user_code for this user, and none was sent.")
            .tries(&["Set user_code under [ciba]."])
            .reference("OpenID CIBA Core §13"),
        "invalid_user_code" => Text::new("The user_code sent is not the user's.")
            .tries(&["Check user_code under [ciba]."])
            .reference("OpenID CIBA Core §13"),
        "invalid_binding_message" => Text::new("The server refuses the binding_message: too long, or characters it cannot show.")
            .tries(&["Shorten the binding_message and keep to plain text."])
            .reference("OpenID CIBA Core §13"),
        _ => return None,
    };
    Some(text)
}
