//! Command-line arguments, as clap reads them. No behaviour here: the subcommand modules resolve and run.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Manage Microsoft 365 spoofed-sender allow/block entries as version-controlled YAML.
///
/// An allow is a pair: a spoofed user (From domain or address) AND a sending infrastructure (PTR domain,
/// DKIM domain or IPv4 /24). Neither side alone ever allows a message.
#[derive(Debug, Parser)]
#[command(name = "spoofctl", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check list files: every error and risk, with file, line and a hint.
    #[command(after_help = "\
Examples:
  spoofctl validate                      check every list in lists/
  spoofctl validate lists/contoso.yaml   check one file
  spoofctl validate --format json        machine-readable report
  spoofctl validate --deny-warnings      fail on warnings too (for CI)

Exit codes: 0 no errors, 1 errors found (or warnings with --deny-warnings), 2 could not run.")]
    Validate(ValidateArgs),
    /// Write lists in normal form and canonical order (comments are kept).
    #[command(after_help = "\
Examples:
  spoofctl fmt                  rewrite every list in lists/ in canonical form
  spoofctl fmt --check          only report files that would change (for CI)

Exit codes: 0 nothing to change, 1 a file would change (--check) or has errors, 2 could not run.")]
    Fmt(FmtArgs),
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// List files or folders of them [default: lists/]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The date `expired` compares with, YYYY-MM-DD [default: today, UTC]
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
    /// Treat warnings as errors for the exit code
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// List files or folders of them [default: lists/]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Change nothing; exit 1 if a file is not in canonical form
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

/// The paths given, or the default `lists/` folder.
pub fn paths_or_default(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() { vec![PathBuf::from("lists")] } else { paths.to_vec() }
}
