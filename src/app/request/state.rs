//! A profile's Request tab: the request being written, and what came back.

use crate::app::bridge::ApiAnswer;
use crate::app::pending::Pending;
use crate::app::widgets::json_tree::JsonTreeView;
use crate::engine::ProfileFile;
use crate::engine::endpoints::api::{self, ApiRequest};
use crate::engine::profile::{Profile, parse_http_url};

/// How many requests the Request tab's history keeps (and lays out when
/// open): a day of sending is not a list to scroll.
pub const HISTORY_KEPT: usize = 200;

/// The Request tab.
#[derive(Debug, Clone, Default)]
pub struct RequestState {
    /// Method.
    pub method: String,
    /// URL.
    pub url: String,
    /// Headers, one `Name: value` per line.
    pub headers: String,
    /// Body.
    pub body: String,
    /// The answer: in flight, or what came back (or why nothing did).
    pub answer: Pending<Result<Box<ApiAnswer>, String>>,
    /// How the response body is being looked at.
    pub body_view: BodyView,
    /// Send again once the refresh in flight brings a new token.
    pub retry_after_refresh: bool,
    /// Requests sent this session, newest last: method, URL, status; the
    /// newest [`HISTORY_KEPT`] (every exchange stays in the HTTP log).
    pub history: Vec<(String, String, Option<u16>)>,
    /// Where the token goes, overriding the profile's `[api]` placement.
    pub placement: Option<crate::engine::profile::TokenPlacementKind>,
}

/// How the response body is being looked at: as a tree or as text, what
/// is folded, what is looked for.
#[derive(Debug, Clone, Default)]
pub struct BodyView {
    /// Show the body as a tree (otherwise as text).
    pub as_tree: bool,
    /// Folding of the body's tree.
    pub tree_view: JsonTreeView,
    /// Text to find in the response body.
    pub find: String,
    /// The lines of the shown body that hold [`Self::find`], found once per
    /// text (and kept with which body they are of).
    pub found: Option<Found>,
}

/// The lines of a body that hold a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// What was looked for.
    pub needle: String,
    /// In the revealed body (otherwise the masked one).
    pub revealed: bool,
    /// The numbers of the matching lines.
    pub lines: Vec<u32>,
}

impl RequestState {
    /// Fills the form from a profile's `[api]` (paths resolved against its
    /// base URL, its query parameters in the URL).
    pub fn load_from(&mut self, file: Option<&ProfileFile>) {
        let typed = file.and_then(|f| Profile::from_file(f, "profile").ok());
        if let Some(api) = typed.as_ref().and_then(|p| p.api.as_ref()) {
            self.fill(&ApiRequest::from_config(api));
            return;
        }
        let api = file.and_then(|f| f.api.as_ref());
        self.method = api
            .and_then(|a| a.method.clone())
            .unwrap_or_else(|| "GET".to_string());
        self.url = api.and_then(|a| a.url.clone()).unwrap_or_default();
        self.headers = api
            .map(|a| {
                a.headers
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default();
        self.body = api.and_then(|a| a.body.clone()).unwrap_or_default();
        self.answer = Pending::Idle;
    }

    /// Fills the form with `request`.
    pub fn fill(&mut self, request: &ApiRequest) {
        self.method = request.method.to_string();
        self.url = request.url.to_string();
        self.headers = request
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("\n");
        self.body = request.body.clone().unwrap_or_default();
        self.answer = Pending::Idle;
    }

    /// The request the form describes, placed as the profile says.
    pub fn build(&self, profile: &Profile) -> Result<ApiRequest, String> {
        let url = parse_http_url(self.url.trim())?;
        let method = api::parse_method(&self.method)?;
        let mut headers = Vec::new();
        for line in self.headers.lines().filter(|l| !l.trim().is_empty()) {
            headers.push(
                api::parse_header(line)
                    .map_err(|message| format!("header line `{line}`: {message}"))?,
            );
        }
        use crate::engine::profile::{TokenPlacement, TokenPlacementKind};
        let from_profile = api::placement_of(profile.api.as_ref());
        let param = match &from_profile {
            TokenPlacement::Query { param } | TokenPlacement::Body { param } => param.clone(),
            TokenPlacement::Header { .. } => "access_token".to_string(),
        };
        let placement = match (self.placement, from_profile) {
            (None, placement) => placement,
            (Some(TokenPlacementKind::Header), header @ TokenPlacement::Header { .. }) => header,
            (Some(TokenPlacementKind::Header), _) => TokenPlacement::bearer(),
            (Some(TokenPlacementKind::Query), _) => TokenPlacement::Query { param },
            (Some(TokenPlacementKind::Body), _) => TokenPlacement::Body { param },
        };
        Ok(ApiRequest {
            method,
            url,
            headers,
            body: (!self.body.is_empty()).then(|| self.body.clone()),
            placement,
        })
    }

    /// The request left.
    pub fn start(&mut self) {
        self.answer.start();
    }

    /// The request could not be sent: why.
    pub fn refuse(&mut self, message: String) {
        self.answer.finish(Err(message));
    }

    /// The answer came.
    pub fn finish(&mut self, mut result: Result<Box<ApiAnswer>, String>) {
        let status = result.as_ref().ok().map(|answer| answer.response.status());
        let sent = (self.method.clone(), self.url.clone(), status);
        crate::app::bounded::push_newest(&mut self.history, sent, HISTORY_KEPT, 0);
        if let Ok(response) = &mut result {
            // The tree prepared off the UI thread: two levels unfolded.
            self.body_view.tree_view = response.tree.take().unwrap_or_default();
            self.body_view.as_tree = response.body.json().is_some();
        }
        self.body_view.found = None;
        self.answer.finish(result);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_history_keeps_the_newest_requests() {
        let mut state = RequestState {
            method: "GET".into(),
            ..RequestState::default()
        };
        for i in 0..HISTORY_KEPT + 5 {
            state.url = format!("http://127.0.0.1/{i}");
            state.start();
            state.finish(Err("refused".into()));
        }
        assert_eq!(state.history.len(), HISTORY_KEPT);
        assert_eq!(state.history[0].1, "http://127.0.0.1/5", "the oldest went");
        assert_eq!(
            state.history.last().map(|h| h.1.as_str()),
            Some(format!("http://127.0.0.1/{}", HISTORY_KEPT + 4).as_str())
        );
    }
}
