//! Benchmark: a managed-service provider's estate. 200 tenant files of 1,000 entries each (about 33 MB of
//! YAML) and a second version of each, checked by the release binary as CI runs it: `validate DIR` (text and
//! JSON), `fmt --check DIR` and `diff OLD NEW`, each against the same command on one tenant's file, and
//! against PyYAML's C loader (`yaml.load(f, Loader=yaml.CLoader)`) only loading the same 200 files, the peer
//! an admin would script. Run with `cargo bench --bench estate`; add `-- --baseline PATH` to measure another
//! build of spoofctl (the commit before a change) in the same rounds, `-- --rounds N` (default 3),
//! `-- --tenants N` (default 200). Results are recorded in BENCHMARKS.md.
//!
//! The generator is deterministic (xorshift64, fixed seed). Tenant t has its own onmicrosoft name, two
//! accepted domains, a policy in one tenant of four, and 1,000 entries: allows of partner domains and
//! addresses through their PTR's organizational domain or DKIM domain (one in a hundred through a /24, which
//! `validate` warns about; one in two hundred through a shared platform, another warning), blocks of `*`
//! through bulk senders and /24s and of parked domains through `*`, each with a reason, an owner, a ticket,
//! most allows with a review date; comments above sections and beside some values. The second version of a
//! tenant drops 2% of its entries, adds 2%, makes 1% of the allows blocks and changes 4% of the metadata.
//! Both versions are run through `spoofctl fmt` once, so that they are in canonical form as a repository
//! checked in CI would be.
//!
//! Each run is a child process under GNU time (`/usr/bin/time`, which reports the child's rusage from
//! `wait4`: CPU time and peak resident memory, of every thread); wall time is measured here. The phases run
//! in rounds, each round running every phase once; each phase reports its fastest run and the highest peak
//! memory of its runs. The baseline build's output is compared with this build's, byte for byte. `validate`
//! and `diff` of the folders also run on one worker (`SPOOFCTL_JOBS=1`), in the same rounds, so that what
//! the second core brings shows even when other load on the machine hides it in CPU/wall.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The review date the lints are run as of, so that no entry expires while the benchmark ages.
const TODAY: &str = "2026-11-22";

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // A zero state would stay zero; mix the seed so that neighbouring seeds diverge at once.
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        for _ in 0..4 {
            rng.next();
        }
        rng
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.below(words.len() as u64) as usize]
    }
}

const NAMES: [&str; 40] = [
    "adatum",
    "alpine",
    "bellows",
    "blue",
    "coho",
    "contoso",
    "datum",
    "fabrikam",
    "fourth",
    "graphic",
    "humongous",
    "litware",
    "lucerne",
    "margie",
    "northwind",
    "proseware",
    "relecloud",
    "southridge",
    "tailspin",
    "trey",
    "wide",
    "wingtip",
    "woodgrove",
    "wholesale",
    "vanarsdel",
    "consolidated",
    "lamna",
    "nod",
    "fincher",
    "alpineski",
    "cronus",
    "lakeshore",
    "millennium",
    "munson",
    "olympia",
    "parnell",
    "pinnacle",
    "quantum",
    "redmond",
    "summit",
];
const SUFFIXES: [&str; 10] = ["com", "net", "org", "co.uk", "de", "fr", "nl", "com.au", "io", "ca"];
const PARTS: [&str; 8] = ["mail", "mx", "smtp", "relay", "out", "mta", "send", "bounce"];
const USERS: [&str; 8] = ["billing", "invoices", "noreply", "orders", "statements", "hr", "news", "support"];
const TEAMS: [&str; 6] = ["secops", "it-ops", "procurement", "finance-it", "marketing", "hr"];
/// Shared platforms of `data/shared-infrastructure.txt`: an allow through one is warned about.
const PLATFORMS: [&str; 3] = ["amazonses.com", "sendgrid.net", "mailgun.org"];
const REASONS: [&str; 8] = [
    "Purchase orders sent by their ERP provider",
    "Account statements from the bank's statement service",
    "Shipping notices through their on-premises relay",
    "Newsletter; DMARC fails on the From domain but the platform signs with DKIM",
    "Support tickets from their help desk system",
    "Invoices sent through their billing platform",
    "Order confirmations from the supplier's shop platform",
    "Status notifications sent from their own MX, outside their SPF",
];
const BLOCK_REASONS: [&str; 4] = [
    "Known bulk spoofing relay",
    "Parked domain that sends no mail at all",
    "Seen in invoice-fraud spoofs",
    "Bulk spoof source reported by spoof intelligence, never legitimate",
];

fn tenant_name(t: usize) -> String {
    format!("{}{}{t}", NAMES[t % NAMES.len()], NAMES[(t / NAMES.len() + 7 * t) % NAMES.len()])
}

/// A partner's domain, unique to entry `i` of tenant `t`.
fn partner(rng: &mut Rng, t: usize, i: usize) -> String {
    format!("{}-{i}t{t}.{}", rng.pick(&NAMES), rng.pick(&SUFFIXES))
}

fn date(rng: &mut Rng) -> String {
    format!("{}-{:02}-{:02}", 2027 + rng.below(2), 1 + rng.below(12), 1 + rng.below(28))
}

/// One entry's YAML lines (without the leading `  - `), given its generator.
fn entry(rng: &mut Rng, t: usize, i: usize, domain: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let owner = format!("{}@{domain}", rng.pick(&TEAMS));
    let kind = rng.below(1000);
    if kind < 800 {
        let spoofed = partner(rng, t, i);
        let by_address = rng.below(4) == 0;
        let spoofed_shown = if by_address { format!("{}@{spoofed}", rng.pick(&USERS)) } else { spoofed.clone() };
        lines.push(format!("spoofed: {spoofed_shown}"));
        let infrastructure = match kind {
            0..10 => {
                format!("{}.{}.{}.0/24", 101 + t % 26, i / 256 + 4 * (t / 100), i % 256)
            }
            10..15 => format!("{}  # their marketing platform", rng.pick(&PLATFORMS)),
            _ if rng.below(3) == 0 => format!("{spoofed}-mailer.net  # DKIM d= of their mailer"),
            _ => {
                let org = format!("{}-host{i}.{}", rng.pick(&NAMES), rng.pick(&SUFFIXES));
                if rng.below(8) == 0 {
                    format!("{org}  # PTR organizational domain ({}.{org})", rng.pick(&PARTS))
                } else {
                    org
                }
            }
        };
        lines.push(format!("infrastructure: {infrastructure}"));
        if rng.below(3) == 0 {
            lines.push("type: external".to_string());
        }
        lines.push("action: allow".to_string());
        lines.push(format!("reason: {}", rng.pick(&REASONS)));
        lines.push(format!("owner: {owner}"));
        lines.push(format!("ticket: CHG-{}", 1000 + rng.below(90_000)));
        if rng.below(5) != 0 {
            lines.push(format!("expires: {}", date(rng)));
        }
    } else {
        let (spoofed, infrastructure) = match kind {
            800..880 => ("\"*\"".to_string(), format!("bulk{i}-{}.{}", rng.pick(&NAMES), rng.pick(&SUFFIXES))),
            880..920 => ("\"*\"".to_string(), format!("{}.{}.{}.0/24", 198 - t % 2, 200 + i / 256, i % 256)),
            _ => (partner(rng, t, i), "\"*\"".to_string()),
        };
        lines.push(format!("spoofed: {spoofed}"));
        lines.push(format!("infrastructure: {infrastructure}"));
        // `*` may be blocked as the tenant's own domains too; a partner's domain is external.
        let internal = spoofed.starts_with('"') && rng.below(10) == 0;
        lines.push(format!("type: {}", if internal { "internal" } else { "external" }));
        lines.push("action: block".to_string());
        lines.push(format!("reason: {}", rng.pick(&BLOCK_REASONS)));
        lines.push(format!("owner: secops@{domain}"));
        lines.push(format!("ticket: SEC-{}", 100 + rng.below(9_000)));
    }
    lines
}

/// Tenant `t`'s list as YAML, the first version or the second (`new`).
fn tenant_yaml(t: usize, entries: usize, new: bool) -> String {
    let name = tenant_name(t);
    let domain = format!("{name}.com");
    let mut s = String::new();
    let _ = writeln!(s, "# Spoofed-sender entries of tenant {name} (Tenant Allow/Block List, \"Spoofed senders\").");
    let _ = writeln!(s, "# Changes go through a pull request; CI runs `spoofctl validate` and `spoofctl fmt --check`.");
    s.push_str("version: 1\n");
    let _ = writeln!(s, "tenant: {name}.onmicrosoft.com");
    let _ = writeln!(s, "accepted-domains: [{domain}, {name}.net]");
    if t.is_multiple_of(4) {
        s.push_str("policy:\n  missing-reason: error  # every allow needs a reason for the audit\n");
    }
    s.push_str("entries:\n");
    let write = |s: &mut String, lines: &[String]| {
        for (k, line) in lines.iter().enumerate() {
            let _ = writeln!(s, "{}{line}", if k == 0 { "  - " } else { "    " });
        }
        s.push('\n');
    };
    let mut added = 0;
    for i in 0..entries {
        // Each entry's generator depends on (tenant, entry) only, so both versions agree where they agree.
        let mut rng = Rng::new((t as u64) << 32 | i as u64);
        let mut lines = entry(&mut rng, t, i, &domain);
        if i % 100 == 0 {
            let _ = writeln!(s, "  # Section {}: reviewed together", i / 100 + 1);
        }
        if new {
            let change = Rng::new((t as u64) << 32 | i as u64 | 1 << 63).below(100);
            match change {
                0 | 1 => continue,
                // An allow made a block (a block of `*` cannot become an allow).
                2 => {
                    if let Some(action) = lines.iter().position(|l| l == "action: allow") {
                        lines[action] = "action: block".to_string();
                    }
                }
                3..=6 => {
                    let ticket = lines.iter().position(|l| l.starts_with("ticket: ")).expect("ticket");
                    lines[ticket] = format!("ticket: CHG-{}", 200_000 + i);
                }
                7 | 8 if added < entries / 50 => {
                    added += 1;
                    let mut rng = Rng::new((t as u64) << 32 | (entries + i) as u64);
                    let extra = entry(&mut rng, t, entries + i, &domain);
                    write(&mut s, &extra);
                }
                _ => {}
            }
        }
        write(&mut s, &lines);
    }
    s
}

/// Writes the estate: `old/` and `new/`, `tenants` files each, in canonical form (through `spoofctl fmt`).
fn generate(dir: &Path, tenants: usize, entries: usize, spoofctl: &Path) {
    for (side, new) in [("old", false), ("new", true)] {
        let folder = dir.join(side);
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(&folder).expect("create the folder");
        for t in 0..tenants {
            std::fs::write(folder.join(format!("{}.yaml", tenant_name(t))), tenant_yaml(t, entries, new))
                .expect("write a tenant");
        }
        let out = Command::new(spoofctl).arg("fmt").arg(&folder).output().expect("spoofctl runs");
        assert!(out.status.success(), "fmt of the generated {side} folder: {}", String::from_utf8_lossy(&out.stdout));
    }
}

/// One run: wall seconds, CPU seconds (user + system, every thread), peak resident memory in KiB, and what
/// the child wrote on stdout with its exit code.
struct Run {
    wall: f64,
    cpu: f64,
    peak_kib: u64,
    stdout: Vec<u8>,
    code: Option<i32>,
}

fn run(program: &Path, args: &[String], env: &[(&str, &str)]) -> Run {
    let report = tempfile::NamedTempFile::new().expect("temporary file");
    let start = Instant::now();
    let out = Command::new("/usr/bin/time")
        .arg("-o")
        .arg(report.path())
        .args(["-f", "%U %S %M"])
        .arg(program)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("/usr/bin/time runs");
    let wall = start.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(report.path()).expect("time's report");
    // GNU time writes "Command exited with non-zero status N" first when the command fails.
    let last = text.lines().last().unwrap_or_default();
    let f: Vec<f64> = last.split_whitespace().filter_map(|v| v.parse().ok()).collect();
    assert_eq!(f.len(), 3, "time's report: {text}; stderr: {}", String::from_utf8_lossy(&out.stderr));
    Run { wall, cpu: f[0] + f[1], peak_kib: f[2] as u64, stdout: out.stdout, code: out.status.code() }
}

/// A phase: what it runs, and its best run so far.
struct Phase {
    name: String,
    program: PathBuf,
    args: Vec<String>,
    /// The phase whose output must equal this one's (the same command on this build).
    same_as: Option<usize>,
    /// `SPOOFCTL_JOBS=1`: this build on one worker, to show what the second core brings.
    one_worker: bool,
    best: Option<Run>,
    peak_kib: u64,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let tenants: usize = value("--tenants").and_then(|v| v.parse().ok()).unwrap_or(200);
    let entries: usize = value("--entries").and_then(|v| v.parse().ok()).unwrap_or(1000);
    let rounds: usize = value("--rounds").and_then(|v| v.parse().ok()).unwrap_or(3);
    let baseline = value("--baseline").map(PathBuf::from);
    let spoofctl = PathBuf::from(env!("CARGO_BIN_EXE_spoofctl"));
    if !Path::new("/usr/bin/time").exists() {
        eprintln!("estate: GNU time (/usr/bin/time) is needed to measure the children's CPU time and memory");
        std::process::exit(2);
    }

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("estate");
    let start = Instant::now();
    generate(&dir, tenants, entries, &spoofctl);
    let (old, new) = (dir.join("old"), dir.join("new"));
    let first = std::fs::read_dir(&old)
        .expect("the old folder")
        .filter_map(|e| Some(e.ok()?.path()))
        .min()
        .expect("a tenant file");
    let bytes: u64 =
        std::fs::read_dir(&old).expect("old").filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum();
    let first_new = new.join(first.file_name().expect("name"));
    println!(
        "{tenants} tenants x {entries} entries: {:.1} MB of YAML per version (generated in {:.1} s)\n",
        bytes as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );

    let s = |p: &Path| p.display().to_string();
    let commands: Vec<(&str, Vec<String>, Vec<String>)> = vec![
        (
            "validate",
            vec!["validate".into(), "--today".into(), TODAY.into(), s(&first)],
            vec!["validate".into(), "--today".into(), TODAY.into(), s(&old)],
        ),
        (
            "validate --format json",
            vec!["validate".into(), "--today".into(), TODAY.into(), "--format".into(), "json".into(), s(&first)],
            vec!["validate".into(), "--today".into(), TODAY.into(), "--format".into(), "json".into(), s(&old)],
        ),
        ("fmt --check", vec!["fmt".into(), "--check".into(), s(&first)], vec!["fmt".into(), "--check".into(), s(&old)]),
        (
            "diff",
            vec!["diff".into(), "--today".into(), TODAY.into(), s(&first), s(&first_new)],
            vec!["diff".into(), "--today".into(), TODAY.into(), s(&old), s(&new)],
        ),
    ];
    let mut phases: Vec<Phase> = Vec::new();
    let add = |phases: &mut Vec<Phase>, name: String, program: &Path, args: Vec<String>, same_as| {
        let one_worker = name.ends_with("one worker");
        phases.push(Phase { name, program: program.to_path_buf(), args, same_as, one_worker, best: None, peak_kib: 0 });
        phases.len() - 1
    };
    let mut pairs = Vec::new();
    for (name, one, all) in &commands {
        let tenant = add(&mut phases, format!("{name}, one tenant"), &spoofctl, one.clone(), None);
        let estate = add(&mut phases, format!("{name}, {tenants} tenants"), &spoofctl, all.clone(), None);
        let one_worker = (*name != "fmt --check").then(|| {
            add(&mut phases, format!("{name}, {tenants} tenants, one worker"), &spoofctl, all.clone(), Some(estate))
        });
        let before = baseline.as_ref().map(|b| {
            add(&mut phases, format!("{name}, one tenant (baseline)"), b, one.clone(), Some(tenant));
            add(&mut phases, format!("{name}, {tenants} tenants (baseline)"), b, all.clone(), Some(estate))
        });
        pairs.push((tenant, estate, one_worker, before));
    }
    let python = pyyaml_available().then(|| {
        let script = "import sys, yaml\nfor p in sys.argv[1:]:\n    with open(p, 'rb') as f:\n        yaml.load(f, Loader=yaml.CLoader)\n";
        let mut files: Vec<String> = std::fs::read_dir(&old)
            .expect("old")
            .filter_map(|e| Some(e.ok()?.path().display().to_string()))
            .collect();
        files.sort();
        let mut args = vec!["-c".to_string(), script.to_string()];
        args.extend(files);
        add(&mut phases, format!("PyYAML CLoader, load only, {tenants} tenants"), Path::new("python3"), args, None)
    });
    if python.is_none() {
        println!("(python3 with PyYAML's CLoader is not available: the PyYAML row is skipped)\n");
    }

    for round in 0..rounds {
        for p in &mut phases {
            let env: &[(&str, &str)] = if p.one_worker { &[("SPOOFCTL_JOBS", "1")] } else { &[] };
            let r = run(&p.program, &p.args, env);
            p.peak_kib = p.peak_kib.max(r.peak_kib);
            if p.best.as_ref().is_none_or(|b| r.wall < b.wall) {
                p.best = Some(r);
            }
        }
        eprintln!("round {} of {rounds} done", round + 1);
    }
    for p in &phases {
        if let Some(other) = p.same_as {
            let (a, b) = (p.best.as_ref().expect("ran"), phases[other].best.as_ref().expect("ran"));
            assert!(a.code == b.code && a.stdout == b.stdout, "{}: the output differs from this build's", p.name);
        }
    }

    let best = |i: usize| phases[i].best.as_ref().expect("ran");
    let pyyaml = python.map(|i| best(i).wall);
    println!("| phase | exit | wall s | CPU s | CPU/wall | peak MiB | peak vs one tenant | time vs PyYAML |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let row = |i: usize, tenant: Option<usize>| {
        let (p, r) = (&phases[i], best(i));
        let vs_tenant =
            tenant.map_or(String::new(), |t| format!("{:.2}x", p.peak_kib as f64 / phases[t].peak_kib as f64));
        let vs_py = match (pyyaml, tenant) {
            (Some(py), Some(_)) => format!("{:.2}x", r.wall / py),
            _ => String::new(),
        };
        println!(
            "| {} | {} | {:.3} | {:.3} | {:.2} | {:.1} | {vs_tenant} | {vs_py} |",
            p.name,
            r.code.map_or("signal".to_string(), |c| c.to_string()),
            r.wall,
            r.cpu,
            r.cpu / r.wall.max(1e-9),
            p.peak_kib as f64 / 1024.0
        );
    };
    for (tenant, estate, one_worker, before) in &pairs {
        row(*tenant, None);
        row(*estate, Some(*tenant));
        if let Some(w) = one_worker {
            row(*w, Some(*tenant));
        }
        if let Some(b) = before {
            row(b - 1, None);
            row(*b, Some(b - 1));
        }
    }
    if let Some(i) = python {
        row(i, None);
    }
    if baseline.is_some() {
        println!("\nThe baseline's output (stdout and exit code) is identical to this build's, byte for byte.");
    }
}

fn pyyaml_available() -> bool {
    Command::new("python3")
        .args(["-c", "import yaml; yaml.CLoader"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
