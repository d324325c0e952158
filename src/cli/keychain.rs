//! `keychain status|set|delete`: the OS keychain that profiles'
//! `*_keychain` secrets live in.

use super::args::KeychainCommand;
use super::exit::{Exit, Failure};
use crate::engine::Secret;

/// `keychain status|set|delete`. The secret is read from stdin so it stays
/// out of the shell history and the process list, and is never printed.
pub(super) fn run(command: KeychainCommand) -> Result<Exit, Failure> {
    use crate::engine::store::keychain::{Keychain, Status};
    let keychain = Keychain::platform();
    let unavailable =
        |reason: String| Failure::new(Exit::Usage, format!("no OS keychain here: {reason}"));
    match command {
        KeychainCommand::Status => {
            let status = keychain.status();
            outln!("{}", status.describe());
            Ok(match status {
                Status::Available(_) => Exit::Success,
                Status::Unavailable(_) => Exit::Refused,
            })
        }
        KeychainCommand::Set { account } => {
            if let Status::Unavailable(reason) = keychain.status() {
                return Err(unavailable(reason));
            }
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).map_err(|err| {
                Failure::new(
                    Exit::Usage,
                    format!("cannot read the secret from stdin: {err}"),
                )
            })?;
            let secret = line.trim_end_matches(['\r', '\n']);
            if secret.is_empty() {
                return Err(Failure::new(Exit::Usage, "no secret on stdin".to_string()));
            }
            keychain
                .set(&account, &Secret::new(secret))
                .map_err(|err| Failure::new(Exit::Usage, err.to_string()))?;
            eprintln!(
                "Filed under `{account}` (service `oauth-debugger`); a profile uses it with client_secret_keychain = \"{account}\" or password_keychain = \"{account}\"."
            );
            Ok(Exit::Success)
        }
        KeychainCommand::Delete { account } => {
            if let Status::Unavailable(reason) = keychain.status() {
                return Err(unavailable(reason));
            }
            keychain
                .delete(&account)
                .map_err(|err| Failure::new(Exit::Usage, err.to_string()))?;
            eprintln!("Removed `{account}` from the keychain.");
            Ok(Exit::Success)
        }
    }
}
