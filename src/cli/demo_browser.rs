//! `demo-browser URL`: a scripted browser for the demo provider — signs in,
//! consents and follows the redirect; usable as `$BROWSER`.

use super::args::DemoBrowserArgs;
use super::exit::{Exit, Failure};
use crate::demo::user_agent::Person;
use crate::engine::wire::redact;

pub(super) async fn run(args: DemoBrowserArgs) -> Result<Exit, Failure> {
    let person = Person {
        username: args.username,
        password: args.password,
        approve: !args.deny,
    };
    let visit = crate::demo::user_agent::visit(&args.url, &person)
        .await
        .map_err(|message| Failure::new(Exit::Refused, message))?;
    match &visit.redirected_to {
        Some(target) => outln!("redirected to {}", redact::url(target)),
        None => outln!("finished on a page with HTTP {}", visit.status),
    }
    Ok(Exit::Success)
}
