//! `spoofctl match`: the verdict of the lists for one message given by flags, or for an observations file.

use spoofctl::engine::admission::{Facts, Trace, admit};
use spoofctl::engine::matcher::Matcher;
use spoofctl::model::date::Date;
use spoofctl::model::message::{Host, Message, Sender};
use spoofctl::render;
use spoofctl::render::admission::{admission_json, admission_text};

use super::admission::json_with_admission;
use super::args::{MatchArgs, MatchFormat};
use super::{Exit, fail, load_lists, out, stdout_style};

/// Runs `match`.
pub fn run(args: MatchArgs) -> Exit {
    let message = match &args.observations {
        Some(_) => None,
        None => match message_from_flags(&args) {
            Ok(m) => Some(m),
            Err(e) => return fail(e),
        },
    };
    let lists = match load_lists(&args.list, Date::today_utc(), args.format == MatchFormat::Json) {
        Ok(l) => l,
        Err(exit) => return exit,
    };
    let matchers: Vec<Matcher<'_>> = lists.iter().map(|c| Matcher::new(&c.list)).collect();
    let (Some(message), None) = (message, &args.observations) else {
        let Some(file) = args.observations.as_deref() else { return Exit::CannotRun };
        return super::observe::run(file, &matchers, args.format);
    };
    let outcomes: Vec<_> = matchers.iter().map(|m| m.evaluate(&message)).collect();
    // --tenant: the snapshot's mechanisms that would admit the message (no header trace: flags only).
    let tenant = match super::admission::load(args.tenant.as_deref()) {
        Ok(t) => t,
        Err(exit) => return exit,
    };
    let admission = match &tenant {
        None => None,
        Some((name, snapshot)) => match tenant_facts(&args, &message) {
            Ok(facts) => Some((name.as_str(), admit(&facts, snapshot, Date::today_utc()))),
            Err(e) => return fail(e),
        },
    };
    match args.format {
        MatchFormat::Text => {
            out(&render::outcomes_text(&message, &outcomes, stdout_style()));
            if let Some((name, a)) = &admission {
                out(&admission_text(name, a, stdout_style()));
            }
        }
        MatchFormat::Json => {
            let report = render::outcomes_json(&message, &outcomes);
            match &admission {
                Some((name, a)) => out(&format!("{}\n", json_with_admission(report, admission_json(name, a)))),
                None => out(&format!("{report:#}\n")),
            }
        }
        MatchFormat::Csv => return fail("--format csv is for --observations; use text or json for one message"),
    }
    Exit::Clean
}

/// The message the flags describe; a bad value is a usage error naming its flag.
fn message_from_flags(args: &MatchArgs) -> Result<Message, String> {
    let from = args.from.as_deref().unwrap_or_default();
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

/// The facts `--tenant` needs beyond the message: MAIL FROM, recipients and header fields, from flags; a bad
/// value is a usage error naming its flag.
fn tenant_facts(args: &MatchArgs, message: &Message) -> Result<Facts, String> {
    let address = |flag: &str, raw: &str| {
        Sender::parse(raw)
            .ok()
            .filter(|s| s.address().is_some())
            .ok_or_else(|| format!("{flag}: `{raw}` is not an address; give one such as `adele.vance@contoso.com`"))
    };
    let headers = args
        .header
        .iter()
        .map(|h| match h.split_once(':') {
            Some((name, value)) if !name.trim().is_empty() => Ok((name.trim().to_string(), value.trim().to_string())),
            _ => Err(format!(
                "--header: `{h}` is not `Name: value`; e.g. `Authentication-Results: dkim=pass header.d=contoso.com`"
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Facts {
        message: message.clone(),
        mail_from: args.mail_from.as_deref().map(|m| address("--mail-from", m)).transpose()?,
        recipients: args.recipient.iter().map(|r| address("--recipient", r)).collect::<Result<_, _>>()?,
        // Without --header, the message's headers are not known: header conditions cannot be evaluated.
        headers: (!headers.is_empty()).then_some(headers),
        trace: Trace::default(),
    })
}
