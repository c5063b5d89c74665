//! `spoofctl match`: the verdict of the lists for one message given by flags, or for an observations file.

use spoofctl::engine::matcher::Matcher;
use spoofctl::model::message::{Host, Message, Sender};
use spoofctl::render;

use super::args::{MatchArgs, MatchFormat};
use super::{Exit, fail, load_lists, out, stdout_style};

/// Runs `match`.
pub fn run(args: MatchArgs) -> Exit {
    let today = match super::today(args.today.as_deref()) {
        Ok(d) => d,
        Err(exit) => return exit,
    };
    let message = match &args.observations {
        Some(_) => None,
        None => match message_from_flags(&args) {
            Ok(m) => Some(m),
            Err(e) => return fail(e),
        },
    };
    let lists = match load_lists(&args.list, today, args.format == MatchFormat::Json) {
        Ok(l) => l,
        Err(exit) => return exit,
    };
    let matchers: Vec<Matcher<'_>> = lists.iter().map(|c| Matcher::new(&c.list)).collect();
    let (Some(message), None) = (message, &args.observations) else {
        let Some(file) = args.observations.as_deref() else { return Exit::CannotRun };
        return super::observe::run(file, &matchers, args.format);
    };
    let outcomes: Vec<_> = matchers.iter().map(|m| m.evaluate(&message)).collect();
    match args.format {
        MatchFormat::Text => out(&render::outcomes_text(&message, &outcomes, stdout_style())),
        MatchFormat::Json => out(&format!("{:#}\n", render::outcomes_json(&message, &outcomes))),
        MatchFormat::Csv => return fail("--format csv is for --observations; use text or json for one message"),
    }
    Exit::Clean
}

/// The message the flags describe; a bad value is a usage error naming its flag.
fn message_from_flags(args: &MatchArgs) -> Result<Message, String> {
    let from = args.from.as_deref().unwrap_or_default();
    // `Ana <ana@contoso.com>`, as a mail client shows a From: the address is what the service matches.
    if let Some((_, address)) = from.trim_end().strip_suffix('>').and_then(|f| f.rsplit_once('<')) {
        return Err(format!(
            "--from: `{from}` is a display name with an address; give the address only: --from '{}'",
            address.trim()
        ));
    }
    if !from.contains('@') {
        return Err(format!("--from: `{from}` is not an address; give the From address, e.g. `payroll@contoso.com`"));
    }
    let sender = Sender::parse(from).map_err(|e| format!("--from: {e}"))?;
    let mut message = Message::from(sender);
    message.ptr = args.ptr.as_deref().map(Host::parse).transpose().map_err(|e| format!("--ptr: {e}"))?;
    message.ip = args
        .ip
        .as_deref()
        .map(|ip| ip.parse().map_err(|_| format!("--ip: `{ip}` is not an IP address")))
        .transpose()?;
    message.dkim_pass =
        args.dkim.iter().map(|d| Host::parse(d).map_err(|e| format!("--dkim: {e}"))).collect::<Result<_, _>>()?;
    Ok(message)
}
