//! The HTML the authorization endpoint shows: the login and consent pages,
//! the device user-code page, information and error pages, and the escaping
//! they (and the other demo pages) use.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::demo::Demo;
use crate::demo::modes::Flavor;

/// Escapes text for HTML (and XML).
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn html_page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title} — Demo provider</title></head>\
         <body style=\"font-family:sans-serif;max-width:28em;margin:3em auto\">\
         <p style=\"color:#666\">oauth-debugger demo provider</p><h1>{title}</h1>{body}</body></html>",
        title = escape(title)
    );
    let mut response = (status, Html(html)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub(super) fn login_page(flavor: &Flavor, request_id: &str, problem: Option<&str>) -> Response {
    let problem = problem
        .map(|p| format!("<p role=\"alert\" style=\"color:#b00\">{}</p>", escape(p)))
        .unwrap_or_default();
    html_page(
        StatusCode::OK,
        flavor.sign_in,
        &format!(
            "{problem}<form method=\"post\" action=\"{path}/login\">\
             <input type=\"hidden\" name=\"request\" value=\"{request}\">\
             <p><label>Username <input name=\"username\" autocomplete=\"username\" autofocus></label></p>\
             <p><label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\"></label></p>\
             <p><button type=\"submit\">{sign_in}</button></p></form>\
             <p style=\"color:#666\">{hint}</p>",
            path = flavor.path,
            sign_in = escape(flavor.sign_in),
            hint = escape(flavor.hint),
            request = escape(request_id)
        ),
    )
}

pub(super) fn consent_page(flavor: &Flavor, demo: &Demo, request_id: &str, user: &str) -> Response {
    let (client, scope) = demo
        .store()
        .pending
        .get(request_id)
        .map(|p| (p.client_id.clone(), p.scope.clone()))
        .unwrap_or_default();
    html_page(
        StatusCode::OK,
        "Allow access?",
        &format!(
            "<p>Signed in as <b>{user}</b>.</p><p><b>{client}</b> asks for: <code>{scope}</code></p>\
             <form method=\"post\" action=\"{path}/consent\">\
             <input type=\"hidden\" name=\"request\" value=\"{request}\">\
             <button type=\"submit\" name=\"decision\" value=\"allow\">{allow}</button> \
             <button type=\"submit\" name=\"decision\" value=\"deny\">{deny}</button></form>",
            path = flavor.path,
            allow = escape(flavor.allow),
            deny = escape(flavor.deny),
            user = escape(user),
            client = escape(&client),
            scope = escape(&scope),
            request = escape(request_id)
        ),
    )
}

pub(super) fn user_code_page(problem: Option<&str>) -> Response {
    let problem = problem
        .map(|p| format!("<p role=\"alert\" style=\"color:#b00\">{}</p>", escape(p)))
        .unwrap_or_default();
    html_page(
        StatusCode::OK,
        "Connect a device",
        &format!(
            "{problem}<form method=\"get\" action=\"/device\">\
             <p><label>Code shown on your device <input name=\"user_code\" autofocus></label></p>\
             <p><button type=\"submit\">Continue</button></p></form>"
        ),
    )
}

pub(super) fn info_page(title: &str, message: &str) -> Response {
    html_page(
        StatusCode::OK,
        title,
        &format!("<p>{}</p>", escape(message)),
    )
}

pub(crate) fn error_page(status: StatusCode, message: &str) -> Response {
    html_page(
        status,
        "Cannot sign in",
        &format!("<p role=\"alert\">{}</p>", escape(message)),
    )
}
