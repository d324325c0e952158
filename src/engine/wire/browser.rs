//! Sending the user to a URL in the system browser.
//!
//! Uses the `webbrowser` crate, which honours `$BROWSER` on Linux — tests
//! point it at a program that plays the user.

/// Opens `url` in the system browser. The error says why, so the caller can
/// show the URL for copying instead.
pub async fn open(url: &str) -> Result<(), String> {
    let url = url.to_string();
    match tokio::task::spawn_blocking(move || webbrowser::open(&url)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err)) => Err(format!("could not open a browser: {err}")),
        Err(err) => Err(format!("could not open a browser: {err}")),
    }
}
