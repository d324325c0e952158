//! What is generated from the program's own definitions, so it never
//! disagrees with what the program accepts: shell completions and man
//! pages from the clap definitions (`completions SHELL`, `man`), and the
//! profile format's JSON Schema from the profile types (`schema`).

use clap::CommandFactory as _;

use super::Cli;
use super::args::{CompletionsArgs, ManArgs};
use super::exit::{Exit, Failure};

/// Prints the completion script for `args.shell` on stdout.
pub fn completions(args: &CompletionsArgs) -> Result<Exit, Failure> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "oauth-debugger", &mut script);
    write_stdout(&script)?;
    Ok(Exit::Success)
}

/// Prints the main man page, or writes every page into `--out`.
pub fn man(args: &ManArgs) -> Result<Exit, Failure> {
    let command = Cli::command();
    match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|err| {
                Failure::new(
                    Exit::Usage,
                    format!("cannot create {}: {err}", dir.display()),
                )
            })?;
            clap_mangen::generate_to(command, dir).map_err(|err| {
                Failure::new(
                    Exit::Usage,
                    format!("cannot write the man pages into {}: {err}", dir.display()),
                )
            })?;
            let mut pages: Vec<String> = std::fs::read_dir(dir)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| p.extension().is_some_and(|e| e == "1"))
                        .map(|p| p.display().to_string())
                        .collect()
                })
                .unwrap_or_default();
            pages.sort();
            for page in pages {
                outln!("{page}");
            }
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .map_err(|err| Failure::new(Exit::Usage, format!("cannot render: {err}")))?;
            write_stdout(&page)?;
        }
    }
    Ok(Exit::Success)
}

/// Prints the profile format's JSON Schema.
pub fn schema() -> Result<Exit, Failure> {
    write_stdout(crate::engine::profile::schema::profile_schema().as_bytes())?;
    Ok(Exit::Success)
}

/// Writes `bytes` to stdout; a closed stdout (`| head`) is not an error.
fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::new(
            Exit::Usage,
            format!("cannot write to stdout: {err}"),
        )),
        _ => Ok(()),
    }
}
