//! Opening the user's browser at the authorization URL (RFC 8252 §6: native apps use the
//! system browser, never an embedded web view).
//!
//! [`open`] runs the system's opener (`xdg-open` on Linux and BSD, `open` on macOS,
//! `rundll32 url.dll,FileProtocolHandler` on Windows, `wslview` or `cmd.exe /c start` on WSL)
//! or a command of the application's choice with the URL as its last argument. A
//! [`BrowserHook`] may change the URL or the command first, or cancel the launch when the
//! application shows the URL itself. When no browser can be started, the URL is printed on
//! standard error so the user can open it by hand; the sign-in keeps waiting either way.

use std::fmt;
use std::process::{Command, Stdio};
use std::sync::Arc;

use crate::{Error, Result};

/// Which browser to open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Browser {
    /// The system's default browser. The default.
    #[default]
    System,
    /// This program and its arguments; the URL is appended as the last argument.
    Command(Vec<String>),
    /// Open nothing: print the URL on standard error for the user to open.
    PrintUrl,
}

/// What is about to be launched; a [`BrowserHook`] may change it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Launch {
    /// The URL to open.
    pub url: String,
    /// The program and arguments to run (the URL is appended); `None` prints the URL instead.
    pub command: Option<Vec<String>>,
}

/// A hook's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookDecision {
    /// Go on with the (possibly changed) launch.
    Open,
    /// Open nothing: the application takes care of the URL.
    Cancel,
}

/// Called before the browser is launched.
pub type BrowserHook = Arc<dyn Fn(&mut Launch) -> HookDecision + Send + Sync>;

/// How [`open`] opens the authorization URL.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct BrowserOptions {
    /// The browser. Default: [`Browser::System`].
    pub browser: Browser,
    /// Called before launching. Default: none.
    pub hook: Option<BrowserHook>,
}

/// What [`open`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Opened {
    /// A browser process was started (its program name).
    Launched(String),
    /// The URL was printed on standard error.
    Printed,
    /// The hook cancelled the launch.
    Cancelled,
}

impl fmt::Debug for BrowserOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BrowserOptions")
            .field("browser", &self.browser)
            .field("hook", &self.hook.as_ref().map(|_| "Fn"))
            .finish()
    }
}

impl BrowserOptions {
    /// Options that run `command` (program and arguments) with the URL appended.
    pub fn command(command: Vec<String>) -> BrowserOptions {
        BrowserOptions {
            browser: Browser::Command(command),
            hook: None,
        }
    }

    /// Sets the hook (builder style).
    pub fn with_hook(
        mut self,
        hook: impl Fn(&mut Launch) -> HookDecision + Send + Sync + 'static,
    ) -> BrowserOptions {
        self.hook = Some(Arc::new(hook));
        self
    }
}

/// Opens `url` as `options` say. Never fails: when the browser cannot be started (or exits
/// with an error, e.g. `xdg-open` without a desktop), the URL is printed on standard error.
/// The browser process is not waited for and keeps running.
pub fn open(url: &str, options: &BrowserOptions) -> Opened {
    let command = match &options.browser {
        Browser::System => system_command(),
        Browser::Command(c) if !c.is_empty() => Some(c.clone()),
        Browser::Command(_) | Browser::PrintUrl => None,
    };
    let mut launch = Launch {
        url: url.to_string(),
        command,
    };
    if let Some(hook) = &options.hook
        && hook(&mut launch) == HookDecision::Cancel
    {
        return Opened::Cancelled;
    }
    let Some(command) = launch.command.filter(|c| !c.is_empty()) else {
        print_url(&launch.url, None);
        return Opened::Printed;
    };
    let program = command[0].clone();
    let wsl_cmd = program == "cmd.exe";
    let url_arg = if wsl_cmd {
        launch.url.replace('&', "^&")
    } else {
        launch.url.clone()
    };
    let spawned = Command::new(&program)
        .args(&command[1..])
        .arg(&url_arg)
        // No inherited stdio: a long-lived browser must not hold the caller's pipes open
        // (a script reading our output would wait for the browser to exit).
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match spawned {
        Ok(mut child) => {
            let url = launch.url.clone();
            let name = program.clone();
            // Watch the opener: if it reports failure, the user still gets the URL.
            let watcher = std::thread::Builder::new()
                .name("oidckit-browser".into())
                .spawn(move || {
                    if let Ok(status) = child.wait()
                        && !status.success()
                    {
                        print_url(&url, Some(&format!("{name} exited with {status}")));
                    }
                });
            if watcher.is_err() {
                print_url(&launch.url, None);
            }
            Opened::Launched(program)
        }
        Err(e) => {
            print_url(&launch.url, Some(&format!("cannot run {program}: {e}")));
            Opened::Printed
        }
    }
}

/// The system's command to open a URL (without the URL), or `None` when this platform has none.
pub fn system_command() -> Option<Vec<String>> {
    let v = |items: &[&str]| Some(items.iter().map(|s| s.to_string()).collect());
    if cfg!(target_os = "macos") {
        v(&["open"])
    } else if cfg!(windows) {
        v(&["rundll32", "url.dll,FileProtocolHandler"])
    } else if is_wsl() {
        if on_path("wslview") {
            v(&["wslview"])
        } else {
            v(&["cmd.exe", "/c", "start", ""])
        }
    } else if cfg!(unix) {
        v(&["xdg-open"])
    } else {
        None
    }
}

/// Splits a command line like a POSIX shell does for words: whitespace separates, single and
/// double quotes group, backslash escapes outside single quotes. Code 921 for an unclosed quote
/// or an empty command.
pub fn split_command(line: &str) -> Result<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('\''), '\'') | (Some('"'), '"') => quote = None,
            (Some('"'), '\\') | (None, '\\') => {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
                in_word = true;
            }
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    let invalid = |reason: &str| Error::InvalidSetting {
        name: "browser command".into(),
        reason: reason.into(),
    };
    if quote.is_some() {
        return Err(invalid("unclosed quote"));
    }
    if in_word {
        words.push(word);
    }
    if words.is_empty() {
        return Err(invalid("the command is empty"));
    }
    Ok(words)
}

fn print_url(url: &str, why: Option<&str>) {
    match why {
        Some(why) => {
            eprintln!("Could not open a browser ({why}).\nOpen this URL to sign in:\n\n  {url}\n")
        }
        None => eprintln!("Open this URL to sign in:\n\n  {url}\n"),
    }
}

fn is_wsl() -> bool {
    std::env::var_os("WSL_DISTRO_NAME").is_some()
        || std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .is_ok_and(|s| s.to_ascii_lowercase().contains("microsoft"))
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_command_honours_quotes_and_escapes() {
        let words = split_command(r#"my\ browser --flag "a b" 'c "d"' e"#).expect("ok");
        assert_eq!(words, ["my browser", "--flag", "a b", "c \"d\"", "e"]);
        assert_eq!(split_command("''").expect("empty word"), [""]);
        assert_eq!(split_command("  ").expect_err("empty").code(), 921);
        assert_eq!(split_command("\"open").expect_err("unclosed").code(), 921);
    }

    #[test]
    fn a_hook_can_cancel_and_print_url_never_fails() {
        let opts = BrowserOptions::default().with_hook(|_| HookDecision::Cancel);
        assert_eq!(open("http://127.0.0.1:1/", &opts), Opened::Cancelled);
        let opts = BrowserOptions {
            browser: Browser::PrintUrl,
            hook: None,
        };
        assert_eq!(open("http://127.0.0.1:1/", &opts), Opened::Printed);
        let opts = BrowserOptions::command(vec!["/nonexistent/browser".into()]);
        assert_eq!(open("http://127.0.0.1:1/", &opts), Opened::Printed);
    }
}
