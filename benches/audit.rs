//! Benchmark: `audit` of a large tenant's snapshot: 1,000 mail flow rules, 1,273 IP Allow List entries (the
//! service's limit) and 10,000 mailboxes' Safe Senders. Run with `cargo bench --bench audit`; results are
//! recorded in BENCHMARKS.md.
//!
//! The snapshot is generated deterministically into `target/bench-audit-snapshot/`: rule i sets SCL -1 on
//! `partner{i}.example` (every third paired with an IP range, every fifth with an `Authentication-Results`
//! pattern, every seventh on an IP alone, every eleventh disabled); the IP Allow List holds 1,273 single
//! addresses and /24 ranges; mailbox i trusts five senders (one of them the tenant's own domain), as
//! `-IncludeMailboxes` would export them; plus 100 anti-spam allowed domains, 100 spoofed-sender entries, and
//! anti-phishing policies. Three phases, each run in a child process of its own so that its peak resident
//! memory (VmHWM) is its own, in 7 rounds (fastest run of each): reading the snapshot only (the baseline),
//! reading and auditing, and reading, auditing and writing the HTML page.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use spoofctl::engine::audit::audit;
use spoofctl::model::date::Date;
use spoofctl::read::snapshot::read_snapshot;
use spoofctl::render::audit::audit_report;
use spoofctl::render::audit_html::audit_html;

const RULES: usize = 1_000;
const IP_ALLOW: usize = 1_273;
const MAILBOXES: usize = 10_000;
const ROUNDS: usize = 7;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(format!("{name}.json")), text).expect("write a snapshot file");
}

fn generate(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("the snapshot folder");
    let mut rules = Vec::with_capacity(RULES);
    for i in 0..RULES {
        let mut r = format!(
            "{{\"Name\": \"Rule {i}\", \"State\": \"{}\", \"Priority\": {i}, \"Mode\": \"Enforce\", \"SetSCL\": -1, \
             \"SenderAddressLocation\": \"Header\"",
            if i % 11 == 0 { "Disabled" } else { "Enabled" }
        );
        if i % 7 == 0 {
            let _ = write!(r, ", \"SenderIpRanges\": [\"10.{}.{}.0/24\"]", i / 256, i % 256);
        } else {
            let _ = write!(r, ", \"SenderDomainIs\": [\"partner{i}.example\"]");
            if i % 3 == 0 {
                let _ = write!(r, ", \"SenderIpRanges\": [\"10.{}.{}.0/24\"]", i / 256, i % 256);
            }
            if i % 5 == 0 {
                r.push_str(", \"HeaderMatchesMessageHeader\": \"Authentication-Results\", \"HeaderMatchesPatterns\": [\"dmarc=pass\"]");
            }
        }
        r.push('}');
        rules.push(r);
    }
    write(dir, "Get-TransportRule", &format!("[{}]", rules.join(",\n")));
    let ips: Vec<String> = (0..IP_ALLOW)
        .map(|i| {
            if i % 2 == 0 {
                format!("\"172.16.{}.{}\"", i / 250, i % 250)
            } else {
                format!("\"192.168.{}.0/24\"", i % 256)
            }
        })
        .collect();
    write(
        dir,
        "Get-HostedConnectionFilterPolicy",
        &format!("[{{\"Name\": \"Default\", \"IPAllowList\": [{}], \"EnableSafeList\": false}}]", ips.join(", ")),
    );
    let mut mailboxes = String::from("{\"value\": [");
    for i in 0..MAILBOXES {
        if i > 0 {
            mailboxes.push(',');
        }
        let _ = write!(
            mailboxes,
            "\n{{\"Identity\": \"user{i}@contoso.com\", \"Enabled\": true, \"TrustedSendersAndDomains\": \
             [\"contoso.com\", \"friend{i}@gmail.com\", \"vendor{}.example\", \"news@vendor{}.example\", \"x{i}@y.example\"], \
             \"ContactsTrusted\": true, \"TrustedListsOnly\": false}}",
            i % 300,
            i % 50
        );
    }
    let _ = write!(mailboxes, "], \"Count\": {MAILBOXES}}}");
    write(dir, "Get-MailboxJunkEmailConfiguration", &mailboxes);
    let domains: Vec<String> = (0..100).map(|i| format!("\"allowed{i}.example\"")).collect();
    write(
        dir,
        "Get-HostedContentFilterPolicy",
        &format!(
            "[{{\"Name\": \"Default\", \"IsDefault\": true, \"AllowedSenders\": [], \"AllowedSenderDomains\": [{}]}}]",
            domains.join(", ")
        ),
    );
    let spoof: Vec<String> = (0..100)
        .map(|i| {
            format!(
                "{{\"SpoofedUser\": \"{}\", \"SendingInfrastructure\": \"relay{i}.example.net\", \"SpoofType\": \"External\", \"Action\": \"Allow\"}}",
                if i % 10 == 0 { "*".to_string() } else { format!("s{i}.example") }
            )
        })
        .collect();
    write(dir, "Get-TenantAllowBlockListSpoofItems", &format!("[{}]", spoof.join(",\n")));
    write(
        dir,
        "Get-AntiPhishPolicy",
        "[{\"Name\": \"Office365 AntiPhish Default\", \"IsDefault\": true, \"Enabled\": true, \"EnableSpoofIntelligence\": true, \
         \"HonorDmarcPolicy\": false, \"DmarcRejectAction\": \"Quarantine\", \"DmarcQuarantineAction\": \"Quarantine\"}]",
    );
    write(
        dir,
        "Get-AcceptedDomain",
        "[{\"DomainName\": \"contoso.com\", \"DomainType\": \"Authoritative\", \"Default\": true}]",
    );
}

/// Peak resident memory of this process so far, KiB (Linux).
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// One run of a phase in this (child) process: prints `seconds peak_kib findings`.
fn phase(kind: &str, dir: &Path) {
    let today = Date::parse("2026-12-07").expect("a date");
    let start = Instant::now();
    let snapshot = read_snapshot(dir).expect("the snapshot");
    let findings = match kind {
        "read" => 0,
        "audit" => audit(dir.to_path_buf(), &snapshot, None, today).findings.len(),
        "html" => {
            let a = audit(dir.to_path_buf(), &snapshot, None, today);
            let page = audit_html(&audit_report(&a));
            assert!(page.len() > 1_000);
            a.findings.len()
        }
        other => panic!("unknown phase {other}"),
    };
    let seconds = start.elapsed().as_secs_f64();
    std::hint::black_box(&snapshot);
    println!("{seconds} {} {findings}", peak_kib());
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--phase") {
        phase(&args[i + 1], Path::new(&args[i + 2]));
        return;
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-audit-snapshot");
    generate(&dir);
    let size: u64 =
        std::fs::read_dir(&dir).expect("dir").flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum();
    println!(
        "snapshot: {RULES} mail flow rules, {IP_ALLOW} IP Allow List entries, {MAILBOXES} mailboxes' Safe Senders ({:.1} MB)",
        size as f64 / 1e6
    );
    let phases = ["read", "audit", "html"];
    let mut best = [(f64::MAX, 0u64, 0usize); 3];
    let exe = std::env::current_exe().expect("current exe");
    for _ in 0..ROUNDS {
        for (n, kind) in phases.iter().enumerate() {
            let out = Command::new(&exe).args(["--phase", kind, &dir.display().to_string()]).output().expect("a phase");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let text = String::from_utf8_lossy(&out.stdout);
            let f: Vec<&str> = text.split_whitespace().collect();
            let (secs, kib, findings) = (
                f[0].parse::<f64>().expect("seconds"),
                f[1].parse::<u64>().expect("kib"),
                f[2].parse::<usize>().expect("findings"),
            );
            best[n] = (best[n].0.min(secs), best[n].1.max(kib), findings);
        }
    }
    println!("| phase | fastest of {ROUNDS} | ratio to reading | peak memory | findings |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let names = ["read the snapshot (baseline)", "read + audit", "read + audit + HTML page"];
    for (n, name) in names.iter().enumerate() {
        let (secs, kib, findings) = best[n];
        println!(
            "| {name} | {:.0} ms | {:.2}x | {:.1} MiB | {findings} |",
            secs * 1000.0,
            secs / best[0].0,
            kib as f64 / 1024.0
        );
    }
}
