//! Command-line arguments, as clap reads them. No behaviour here: the subcommand modules resolve and run.

use std::path::PathBuf;

use clap::{Args, ColorChoice, Parser, Subcommand, ValueEnum};

/// Manage Microsoft 365 spoofed-sender allow/block entries as version-controlled YAML.
///
/// An allow is a pair: a spoofed user (From domain or address) AND a sending infrastructure (PTR domain,
/// DKIM domain or IPv4 /24). Neither side alone ever allows a message.
#[derive(Debug, Parser)]
#[command(
    name = "spoofctl",
    version,
    propagate_version = true,
    after_help = "\
The workflow, in the order of the commands above:
  adopt    spoofctl import live.csv -o lists/contoso.yaml      the tenant's entries become a list (once)
  find     spoofctl explain --list lists/ junked.eml           why a message was junked; the entry to add
  add      spoofctl add --list lists/contoso.yaml ...           (or explain --add-to) the entry, in its place
  change   edit lists/contoso.yaml, then spoofctl validate and spoofctl fmt
  review   spoofctl diff origin/main:lists lists               risky changes first, in the pull request
  apply    spoofctl plan --list lists/contoso.yaml --live live.csv --format powershell

Run `spoofctl COMMAND --help` for a command's options and examples."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Colour human output: auto (a terminal; NO_COLOR, CLICOLOR_FORCE, CLICOLOR and TERM decide), always or
    /// never
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto, overrides_with = "color")]
    pub color: ColorChoice,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Turn TABL exports into a list file (Export-Csv, ConvertTo-Json, legacy Set-PhishFilterPolicy CSV).
    #[command(after_help = "\
Examples:
  Get-TenantAllowBlockListSpoofItems | Export-Csv spoof.csv      (in Exchange Online PowerShell)
  spoofctl import spoof.csv --tenant contoso.onmicrosoft.com --accepted-domains contoso.com -o lists/contoso.yaml
  spoofctl import spoof.json legacy.csv --accepted-domains contoso.com,contoso.net > contoso.yaml

Every row goes through the same checks as a list file: a wildcard allow, a bad value or a conflict is
reported with its row, and nothing is written (unless --skip-invalid, which writes the rest and lists
what it left out). Identity GUIDs are kept as `id`. An existing file is never overwritten without --force.

Exit codes: 0 imported (with --skip-invalid, the rest imported and the rows left out listed), 1 rows were
refused or a file is not an export, 2 could not run.")]
    Import(ImportArgs),
    /// Read message headers: what the service saw and decided, the lists' verdict, and the entry that would
    /// allow the message.
    #[command(after_help = "\
Examples:
  spoofctl explain --list lists/contoso.yaml message.eml
  spoofctl explain --list lists/ saved.mbox --format json
  pbpaste | spoofctl explain --list lists/contoso.yaml -                       (macOS clipboard)
  Get-Clipboard | spoofctl explain --list lists/contoso.yaml -                 (Windows PowerShell)
  spoofctl explain --list lists/contoso.yaml --tenant snapshot/ message.eml   (every way into the tenant)

  spoofctl explain --list lists/contoso.yaml message.eml --add-to lists/contoso.yaml --owner it@contoso.com

Paste the headers of a junked or quarantined message (Outlook: File > Properties > Internet headers). An
Outlook .msg file is not headers: save the message as .eml, or paste its headers.
Explain first says how the service handled the message: only a message handled as spoof gets a suggested
entry (not one that passed authentication, was bulk, phishing or impersonation, was let in by an allow list,
the IP Allow List, Safe Senders or a mail flow rule, or was sent by the tenant itself). The suggested entry
is never a wildcard; an intra-org spoof names the full From address. Its infrastructure is the first of the
candidates the message offers, least shared first: a passing DKIM domain of the sender's own domain, the
PTR's organizational domain, another passing DKIM domain, the connecting IP's /24 when there is no PTR, and
a shared platform (its PTR host, never broader) only when nothing else is on offer.
--add-to adds the suggested entry to that list file, as `spoofctl add` does (with --reason, --owner,
--ticket, --expires).

With --tenant, a snapshot folder (snapshot-script) is read too: every mechanism that let the message in
or would (IPV:CAL the IP Allow List entry, SFV:SKA the allowed sender or domain, SFV:SKN the mail flow
rules whose conditions it meets, SFV:SFE Safe Senders; TABL sender allows, connectors, phishing simulation
overrides), whether each trusts one factor alone, and the paired entry that would replace it.

Exit codes: 0 done (with --add-to: added), 1 a message has no readable headers (an Outlook .msg file
included), the list has errors, or --add-to added nothing, 2 could not run (a missing file, or a folder).")]
    Explain(ExplainArgs),
    /// Add one entry to a list file, where `fmt` puts it, every comment kept; the file's diff is printed.
    #[command(after_help = "\
Examples:
  spoofctl add --list lists/contoso.yaml --spoofed adatum.com --infrastructure tms.mx.com --action allow \\
      --reason \"Purchase orders\" --owner procurement@contoso.com --ticket CHG-1234 --expires 2027-06-30
  spoofctl add --list lists/contoso.yaml --spoofed '*' --infrastructure 203.0.113.0/24 --action block --type external

The entry is checked as `validate` checks it, in the list it joins: the file is written (atomically) only
when the result has no errors; warnings are printed. An entry the list already has (same spoofed user,
infrastructure and type) is refused. The file must be in canonical form (`spoofctl fmt`), so that the
new entry's lines are the only change.

Exit codes: 0 added, 1 refused (the result would have errors, the entry is already there, the file has
errors or is not in canonical form), 2 could not run.")]
    Add(AddArgs),
    /// The list's verdict for a message, or for every row of an observations file.
    #[command(after_help = "\
Examples:
  spoofctl match --list lists/contoso.yaml --from payroll@adatum.com --ptr mail.tms.mx.com --ip 203.0.113.25
  spoofctl match --list lists/ --from news@woodgrovebank.com --dkim example.net --format json
  spoofctl match --list lists/contoso.yaml --observations insight.csv
  spoofctl match --list lists/contoso.yaml --observations messages.csv --format csv > verdicts.csv
  spoofctl match --list lists/contoso.yaml --tenant snapshot/ --from billing@fabrikam.com --ip 198.51.100.7 \
      --recipient adele.vance@contoso.com --header 'Authentication-Results: dkim=pass header.d=fabrikam.com'

A message is allowed only when an allow entry matches BOTH its From and its infrastructure (PTR host,
passing DKIM domain, or connecting IP); a block that matches wins over any allow. With --tenant, the
snapshot's other mechanisms that would admit the message are named too (see explain --help).

Exit codes: 0 done, 1 the list has errors, or the observations file is unusable or had rows skipped for
errors, 2 could not run (a bad --from, --ptr, --ip or --dkim, a missing file).")]
    Match(MatchArgs),
    /// Check list files: every error and risk, with file, line and a hint.
    #[command(after_help = "\
Examples:
  spoofctl validate                      check every list in lists/
  spoofctl validate lists/contoso.yaml   check one file
  spoofctl validate --format json        machine-readable report
  spoofctl validate --deny-warnings      fail on warnings too (for CI)
  spoofctl validate --expiring-within 30 warn about entries whose `expires` comes within 30 days

Exit codes: 0 no errors, 1 errors found (or warnings with --deny-warnings), 2 could not run.")]
    Validate(ValidateArgs),
    /// Write lists in normal form and canonical order (comments are kept).
    #[command(after_help = "\
Examples:
  spoofctl fmt                  rewrite every list in lists/ in canonical form
  spoofctl fmt --check          change nothing; print the diff of what would change (for CI)

Exit codes: 0 nothing to change, 1 a file would change (--check) or has errors, 2 could not run.")]
    Fmt(FmtArgs),
    /// Review a change between two versions of the lists: risky changes first, with the traffic they affect.
    #[command(after_help = "\
Examples:
  spoofctl diff origin/main:lists/contoso.yaml lists/contoso.yaml
  spoofctl diff origin/main:lists lists --format markdown         (a pull-request comment, every tenant)
  spoofctl diff old.yaml new.yaml --observations insight.csv      (which traffic the change lets through)

OLD and NEW are files, folders (tenants paired by file name), or REV:PATH read from git (PATH from the
repository root, or ./PATH from the current folder).

Exit codes: 0 reviewed (with --exit-code: no change), 1 changes found with --exit-code, a version has
errors, or observation rows were skipped for errors, 2 could not run (a revision or path that does not
exist, git not installed).")]
    Diff(DiffArgs),
    /// What must change in the tenant so that it holds exactly the list's entries.
    #[command(after_help = "\
Examples:
  Get-TenantAllowBlockListSpoofItems | Export-Csv live.csv      (in Exchange Online PowerShell)
  spoofctl plan --list lists/contoso.yaml --live live.csv
  spoofctl plan --list lists/contoso.yaml --live live.csv --format markdown   (for the pull request)
  spoofctl plan --list lists/contoso.yaml --live live.csv --prune --format powershell -o apply.ps1
  spoofctl plan --list lists/contoso.yaml --live live.csv --retire-expired --today 2026-12-01
  spoofctl plan --list lists/ --live live/                  (every tenant: lists/contoso.yaml with
                                                             live/contoso.csv, .json or a snapshot contoso/)
  spoofctl plan --list lists/ --live live/ --format powershell -o scripts/   (one script per tenant)
  spoofctl plan --list lists/contoso.yaml --live snapshot/      (a snapshot folder: its spoof entries)

Entries are compared by pair and spoof type. Entries only in the tenant are left alone unless --prune.
--retire-expired removes the allows whose `expires` has passed. A plan removing more than 30% of a tenant's
entries (at least 10) is refused without --allow-mass-removal; one whose result exceeds 1024 entries is
always refused. An existing OUT is replaced only with --force. A list id the tenant does not hold, or holds
for another pair, is reported.

The PowerShell script first checks that the session is connected to the list's tenant (its `tenant` and
`accepted-domains` must be accepted domains there), removes and blocks before it allows, puts a comment with
the entry and the reason above each change, and takes -WhatIf. Its header names the list's git commit and
the date (--today sets it).

Exit codes: 0 planned (with --exit-code: every tenant matches its list), 1 with --exit-code a tenant differs
(unmanaged entries and list ids the tenant does not hold included), a refused plan, a bad or missing export,
a list with errors or, for a script, a list that names no tenant; 2 could not run (or OUT exists without
--force).")]
    Plan(PlanArgs),
    /// Write a list in the service's formats: PowerShell, CSV, JSON, or the portal's domain-pair text.
    #[command(after_help = "\
Examples:
  spoofctl export --list lists/contoso.yaml --format powershell -o create-entries.ps1
  spoofctl export --list lists/contoso.yaml --format pairs     (paste each group into Add domain pairs)
  spoofctl export --list lists/contoso.yaml --format csv > contoso.csv
  spoofctl export --list lists/ --format powershell -o scripts/    (one file per tenant: scripts/contoso.ps1...)

The PowerShell script has the same header, tenant guard, comments and -WhatIf as plan's.

Exit codes: 0 written, 1 a list has errors or, for a script, names no tenant (with a folder: the other
tenants are written), 2 could not run (or OUT exists without --force).")]
    Export(ExportArgs),
    /// Write the read-only PowerShell script that snapshots the tenant's settings for `audit`.
    #[command(after_help = "\
Examples:
  spoofctl snapshot-script -o snapshot.ps1
  Connect-ExchangeOnline -UserPrincipalName admin@contoso.onmicrosoft.com       (in PowerShell 7)
  ./snapshot.ps1 -Path snapshot/contoso                      (add -IncludeMailboxes for Safe Senders: slow)

The script calls only Get- cmdlets. It writes one <Cmdlet>.json per cmdlet and manifest.json (tenant, time,
module version, and for each cmdlet: written, or the error it gave); a cmdlet that fails is recorded and the
script goes on. In CI, connect with app-only certificate authentication (see the README).

Exit codes: 0 written, 2 could not run (or OUT exists without --force).")]
    SnapshotScript(SnapshotScriptArgs),
    /// Audit the whole tenant from a snapshot: every allow that trusts one factor alone, every spoof setting
    /// below the Standard preset, with the paired replacement of each.
    #[command(after_help = "\
Examples:
  spoofctl audit snapshot/
  spoofctl audit snapshot/ --list lists/contoso.yaml --format markdown     (for a ticket or pull request)
  spoofctl audit snapshot/ --list lists/contoso.yaml --format html -o audit.html
  spoofctl audit snapshot/ --format json --today 2026-12-01

SNAPSHOT is the folder `spoofctl snapshot-script` writes (one <Cmdlet>.json per cmdlet). A mechanism whose
file is missing, failed or unreadable is reported as not checked, never as clean. With --list, the list is
validated, compared with the snapshot's spoof entries (drift), and its `exceptions:` applied: a covered
finding is shown as excepted; an exception that covers nothing, or has expired (--today), is a finding.

Exit codes: 0 no finding above a warning is left uncovered, 1 one is or a snapshot file is there but unreadable,
2 could not run.")]
    Audit(AuditArgs),
    /// Print the JSON Schema of the list format, for editors.
    #[command(after_help = "\
Examples:
  spoofctl schema > schema/spoofctl-list.schema.json

A list file that starts with this line is checked and completed as you type by editors that use
yaml-language-server (VS Code's YAML extension, Neovim, Helix, Emacs lsp-mode):
  # yaml-language-server: $schema=../schema/spoofctl-list.schema.json

The schema checks the file's shape (keys, words, `*` only in a block); `spoofctl validate` checks the rest.

Exit codes: 0 written, 2 could not run (standard output could not be written).")]
    Schema,
    /// Print a shell completion script.
    #[command(after_help = "\
Examples:
  spoofctl completions bash > ~/.local/share/bash-completion/completions/spoofctl
  spoofctl completions zsh > ~/.zfunc/_spoofctl          (with fpath+=~/.zfunc before compinit)
  spoofctl completions fish > ~/.config/fish/completions/spoofctl.fish
  spoofctl completions powershell > ~/Documents/PowerShell/spoofctl.ps1
      (then add `. ~/Documents/PowerShell/spoofctl.ps1` to $PROFILE: the script starts with `using`,
      which must come first in a file, so it cannot be appended to a profile)

Exit codes: 0 written, 2 could not run (bad usage, or standard output could not be written).")]
    Completions(CompletionsArgs),
    /// Print the man page, or write every command's page into a folder.
    #[command(after_help = "\
Examples:
  spoofctl man | man -l -
  spoofctl man --dir ~/.local/share/man/man1       (then: man spoofctl, man spoofctl-diff)

Exit codes: 0 written, 2 could not run (or a page exists in DIR without --force).")]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// List files or folders of them [default: lists/]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The date `expired` and `--expiring-within` compare with, YYYY-MM-DD [default: today, UTC]
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
    /// Warn (`expires-soon`) about each entry whose `expires` falls within DAYS days from today
    #[arg(long, value_name = "DAYS")]
    pub expiring_within: Option<u32>,
    /// Treat warnings as errors for the exit code
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// List files or folders of them [default: lists/]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Change nothing; print the unified diff of each file not in canonical form, and exit 1
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable text
    Text,
    /// One JSON document with "version": 1
    Json,
}

#[derive(Debug, Args)]
pub struct MatchArgs {
    /// A list file, or a folder of them (one verdict per tenant)
    #[arg(long, value_name = "PATH")]
    pub list: PathBuf,
    /// The message's From (5322.From) address
    #[arg(long, value_name = "ADDR", required_unless_present = "observations", conflicts_with = "observations")]
    pub from: Option<String>,
    /// The PTR host of the connecting IP
    #[arg(long, value_name = "HOST", requires = "from", conflicts_with = "observations")]
    pub ptr: Option<String>,
    /// The connecting IP
    #[arg(long, value_name = "IP", requires = "from", conflicts_with = "observations")]
    pub ip: Option<String>,
    /// The domain of a DKIM signature that passed (repeat for several)
    #[arg(long = "dkim", value_name = "DOMAIN", requires = "from", conflicts_with = "observations")]
    pub dkim: Vec<String>,
    /// A CSV file of observed pairs or messages (- for standard input): a verdict per row, and a summary
    #[arg(long, value_name = "FILE")]
    pub observations: Option<PathBuf>,
    /// A snapshot folder (snapshot-script): also name the tenant's mechanisms that would admit the message
    #[arg(long, value_name = "SNAPSHOT", requires = "from", conflicts_with = "observations")]
    pub tenant: Option<PathBuf>,
    /// With --tenant: the message's MAIL FROM (5321.MailFrom) address
    #[arg(long, value_name = "ADDR", requires = "tenant")]
    pub mail_from: Option<String>,
    /// With --tenant: a recipient (repeat for several); Safe Senders and policy scopes use it
    #[arg(long, value_name = "ADDR", requires = "tenant")]
    pub recipient: Vec<String>,
    /// With --tenant: a header field as `Name: value` (repeat), for mail flow rules' header conditions
    #[arg(long, value_name = "FIELD", requires = "tenant")]
    pub header: Vec<String>,
    /// Output format (csv: one line per observation row)
    #[arg(long, value_enum, default_value_t = MatchFormat::Text)]
    pub format: MatchFormat,
    /// The date lints compare with (a `policy:` may make `expired` an error), YYYY-MM-DD [default: today, UTC]
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatchFormat {
    /// Human-readable text
    Text,
    /// One JSON document with "version": 1
    Json,
    /// One CSV line per observation row (with --observations)
    Csv,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A list file, or a folder of them
    #[arg(long, value_name = "PATH")]
    pub list: PathBuf,
    /// Message files (.eml, mbox), or - for standard input
    #[arg(value_name = "MESSAGE", required = true)]
    pub messages: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The date lints compare with, YYYY-MM-DD [default: today, UTC]
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
    /// Add the suggested entry to this list file (one of --list's), as `spoofctl add` does
    #[arg(long, value_name = "FILE")]
    pub add_to: Option<PathBuf>,
    #[command(flatten)]
    pub fields: EntryFields,
    /// A snapshot folder (snapshot-script): also name every tenant mechanism that let the message in or would
    #[arg(long, value_name = "SNAPSHOT")]
    pub tenant: Option<PathBuf>,
}

/// The optional fields of a new entry (`add`, `explain --add-to`).
#[derive(Debug, Args)]
pub struct EntryFields {
    /// Why the entry exists (`reason`)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Who answers for it (`owner`)
    #[arg(long, value_name = "WHO")]
    pub owner: Option<String>,
    /// The change ticket (`ticket`)
    #[arg(long, value_name = "ID")]
    pub ticket: Option<String>,
    /// When to review it, YYYY-MM-DD (`expires`)
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub expires: Option<String>,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The list file to add to
    #[arg(long, value_name = "FILE")]
    pub list: PathBuf,
    /// The spoofed user: a domain, an address, or `*` (blocks only)
    #[arg(long, value_name = "USER")]
    pub spoofed: String,
    /// The sending infrastructure: a PTR or DKIM domain, an IPv4 /24, or `*` (blocks only)
    #[arg(long, value_name = "INFRA")]
    pub infrastructure: String,
    /// allow or block
    #[arg(long, value_name = "ACTION", value_parser = ["allow", "block"])]
    pub action: String,
    /// internal or external [default: from the list's accepted-domains]
    #[arg(long = "type", value_name = "TYPE", value_parser = ["internal", "external"])]
    pub spoof_type: Option<String>,
    #[command(flatten)]
    pub fields: EntryFields,
    /// The date lints compare with, YYYY-MM-DD [default: today, UTC]
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Export files (CSV or JSON), in any supported encoding
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Write the list here (atomically) instead of to standard output
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Overwrite OUT if it exists
    #[arg(long)]
    pub force: bool,
    /// Import the valid rows and list the refused ones, instead of importing nothing
    #[arg(long)]
    pub skip_invalid: bool,
    /// The tenant the list describes (written as `tenant:`)
    #[arg(long, value_name = "NAME")]
    pub tenant: Option<String>,
    /// The tenant's accepted domains, comma-separated: written as `accepted-domains`, used to check each
    /// row's spoof type and to give legacy rows one
    #[arg(long, value_name = "DOMAINS", value_delimiter = ',')]
    pub accepted_domains: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// One tenant's list file, or a folder of them (with -o DIR: one file per tenant)
    #[arg(long, value_name = "PATH")]
    pub list: PathBuf,
    /// Output format
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Write here (atomically) instead of to standard output; for a folder of lists, the folder that gets
    /// one file per tenant (STEM.ps1, .csv, .json or .txt)
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Overwrite OUT (or a tenant's file in it) if it exists
    #[arg(long)]
    pub force: bool,
    /// The date lints compare with (a `policy:` may make `expired` an error) and the PowerShell script's header
    /// gives, YYYY-MM-DD [default: today, UTC]
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
}

#[derive(Debug, Args)]
pub struct SnapshotScriptArgs {
    /// Write the script here (atomically) instead of to standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite FILE if it exists
    #[arg(long, requires = "output")]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// A script of New-TenantAllowBlockListSpoofItems commands
    Powershell,
    /// SpoofedUser,SendingInfrastructure,SpoofType,Action
    Csv,
    /// An array of objects, as ConvertTo-Json writes them
    Json,
    /// The portal's "Add domain pairs" text, in groups of at most 20
    Pairs,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// One tenant's list file, or a folder of them (with --live a folder)
    #[arg(long, value_name = "PATH")]
    pub list: PathBuf,
    /// The tenant's live entries: Get-TenantAllowBlockListSpoofItems exported as CSV or JSON, or a snapshot
    /// folder (snapshot-script); or a folder holding each tenant's export, named as its list (contoso.csv,
    /// contoso.json or a snapshot folder contoso/)
    #[arg(long, value_name = "EXPORT")]
    pub live: PathBuf,
    /// Remove the tenant's entries that the list does not hold
    #[arg(long)]
    pub prune: bool,
    /// Accept a plan that removes more than 30% of a tenant's entries
    #[arg(long)]
    pub allow_mass_removal: bool,
    /// Leave allows whose `expires` has passed out of the desired state: the plan removes them from the tenant
    #[arg(long)]
    pub retire_expired: bool,
    /// The date `--retire-expired` compares with and the PowerShell script's header gives, YYYY-MM-DD
    /// [default: today, UTC]
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
    /// Exit 1 when the tenant differs from the list (entries to create, change or remove, or entries only in
    /// the tenant)
    #[arg(long)]
    pub exit_code: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Write here (atomically) instead of to standard output; with many tenants and --format powershell, the
    /// folder that gets one script per tenant
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Replace OUT (or a tenant's script in it) if it exists
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// `+ ~ - ?` lines and a summary
    Text,
    /// Tables for a pull request, risky changes first
    Markdown,
    /// One JSON document
    Json,
    /// The script that applies the plan (with many tenants: one script per tenant, into -o DIR)
    Powershell,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The snapshot folder
    #[arg(value_name = "SNAPSHOT")]
    pub snapshot: PathBuf,
    /// The tenant's list file: validated, compared with the snapshot's spoof entries, its exceptions applied
    #[arg(long, value_name = "PATH")]
    pub list: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
    pub format: AuditFormat,
    /// Write here (atomically) instead of to standard output
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Replace OUT if it exists
    #[arg(long)]
    pub force: bool,
    /// The date exceptions expire against, YYYY-MM-DD [default: today, UTC]
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// Grouped by mechanism, worst first
    Text,
    /// Tables for a ticket or a pull request
    Markdown,
    /// One JSON document (versioned)
    Json,
    /// One self-contained page, readable and printable
    Html,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The version before: a file, a folder, or REV:PATH
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The version after: a file, a folder, or REV:PATH
    #[arg(value_name = "NEW")]
    pub new: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Exit 1 when anything changed
    #[arg(long)]
    pub exit_code: bool,
    /// Replay these observations through both versions and report the traffic whose verdict changes
    #[arg(long, value_name = "FILE")]
    pub observations: Option<PathBuf>,
    /// The date lints compare with, YYYY-MM-DD [default: today, UTC]
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Human-readable text
    Text,
    /// A pull-request comment
    Markdown,
    /// One JSON document
    Json,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write spoofctl.1 and a spoofctl-COMMAND.1 page for each command into this folder
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
    /// Replace pages that exist in DIR
    #[arg(long, requires = "dir")]
    pub force: bool,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn clap_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    /// Every command has a one-line description and examples that run that very command.
    #[test]
    fn every_command_has_a_description_and_an_example() {
        let cli = Cli::command();
        for command in cli.get_subcommands() {
            let name = command.get_name();
            let about = command.get_about().map(ToString::to_string).unwrap_or_default();
            assert!(!about.is_empty(), "`{name}` has no description");
            let after = command.get_after_help().map(ToString::to_string).unwrap_or_default();
            assert!(after.starts_with("Examples:\n"), "`{name}`: the help has no examples");
            assert!(after.contains(&format!("\n  spoofctl {name} ")), "`{name}`: no example runs `spoofctl {name}`");
        }
    }

    /// `spoofctl --help` lists the commands in the order of the workflow its footer describes.
    #[test]
    fn commands_are_listed_in_workflow_order() {
        let names: Vec<String> = Cli::command().get_subcommands().map(|c| c.get_name().to_string()).collect();
        assert_eq!(
            names,
            [
                "import",
                "explain",
                "add",
                "match",
                "validate",
                "fmt",
                "diff",
                "plan",
                "export",
                "snapshot-script",
                "audit",
                "schema",
                "completions",
                "man"
            ]
        );
        let footer = Cli::command().get_after_help().map(ToString::to_string).unwrap_or_default();
        let steps: Vec<usize> =
            ["spoofctl import", "spoofctl explain", "spoofctl validate", "spoofctl diff", "spoofctl plan"]
                .iter()
                .filter_map(|s| footer.find(s))
                .collect();
        assert!(steps.len() == 5 && steps.is_sorted(), "the workflow footer is out of order: {footer}");
    }
}
