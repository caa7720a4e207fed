//! `cargo xtask demo`: a rep's morning on a fresh local store, through the `fieldsales` CLI.
//!
//! Each step prints the command as a user would type it and what the CLI answered, so a
//! newcomer sees the product's path — add a customer from a messy phone number, find it by
//! pinyin initials, check in at the door, log a call whose next action becomes a task, see
//! data-health findings — in a few seconds. The store lives in `target/demo/` and is made
//! anew on every run.

use std::path::Path;
use std::process::Command;

use crate::{cargo, run, workspace_root, Result};

/// The rep of the demo and the pretend time of the morning.
const USER: &str = "rep-zhang";
const TEAM: &str = "team-north";
const NOW: &str = "2026-03-02 09:00";

pub(crate) fn run_demo() -> Result {
    run(cargo().args(["build", "--quiet", "--package", "fieldsales-cli"]))?;
    let root = workspace_root();
    let bin = root.join("target").join("debug").join("fieldsales");
    let data = root.join("target").join("demo");
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data)?;
    let cli = Cli {
        bin: &bin,
        data: &data,
    };

    println!(
        "A field rep's morning, offline, on a fresh store in {}\n",
        data.display()
    );
    let xiaomi = cli.step(
        "A customer typed in a hurry: spaces, brackets and +86 in the phone",
        &[
            "customer",
            "add",
            "--name",
            "北京小米科技",
            "--phone",
            "+86 (138) 1234-5678",
            "--lat",
            "39.9087",
            "--lon",
            "116.3975",
            "--tag",
            "重点客户",
        ],
    )?;
    cli.step(
        "A customer with a mistyped unified social credit code is refused, nothing stored",
        &[
            "customer",
            "add",
            "--name",
            "福州某公司",
            "--credit-code",
            "91350100M000100Y4X",
        ],
    )?;
    cli.step(
        "Find it by pinyin initials",
        &["customer", "search", "bjxm"],
    )?;
    cli.step(
        "…or by the last digits of the phone",
        &["customer", "search", "5678"],
    )?;
    let visit = cli.step(
        "Check in at the customer's door (the geofence verifies the position)",
        &[
            "--json", "visit", "check-in", &xiaomi, "--lat", "39.9089", "--lon", "116.3977",
        ],
    )?;
    let visit_id = json_field(&visit, "id")?;
    cli.step(
        "Check out with notes, a pain point and the next action",
        &[
            "visit",
            "check-out",
            &visit_id,
            "--lat",
            "39.9088",
            "--lon",
            "116.3976",
            "--notes",
            "见了采购经理，关心交付周期",
            "--pain-point",
            "交付慢",
            "--next-action",
            "发送报价单",
            "--due",
            "2026-03-02 17:00",
        ],
    )?;
    cli.step(
        "After a call from an unknown number: a quick-log makes a new lead and a task",
        &[
            "quick-log",
            "--phone",
            "139 0101 2323",
            "--duration",
            "4m05s",
            "--pain-point",
            "价格高",
            "--next-action",
            "回电确认预算",
        ],
    )?;
    cli.step("Today's follow-ups", &["tasks", "today"])?;
    cli.step(
        "The customer's timeline",
        &["customer", "timeline", &xiaomi],
    )?;
    cli.step(
        "Data health: incomplete records are kept and reported",
        &["health"],
    )?;
    cli.step("Local changes waiting for the server", &["outbox"])?;
    println!(
        "Try it yourself:\n  export FIELDSALES_DATA_DIR={} FIELDSALES_USER={USER}\n  {} --help",
        data.display(),
        bin.display()
    );
    Ok(())
}

struct Cli<'a> {
    bin: &'a Path,
    data: &'a Path,
}

impl Cli<'_> {
    /// Prints and runs one command; returns its stdout. A refusal is part of the story, so a
    /// non-zero exit is shown rather than stopping the demo.
    fn step(&self, title: &str, args: &[&str]) -> Result<String> {
        println!("## {title}");
        let typed: Vec<String> = args.iter().map(|a| shell_quoted(a)).collect();
        println!("$ fieldsales {}", typed.join(" "));
        let out = Command::new(self.bin)
            .args(args)
            .env("FIELDSALES_DATA_DIR", self.data)
            .env("FIELDSALES_USER", USER)
            .env("FIELDSALES_TEAM", TEAM)
            .env("FIELDSALES_NOW", NOW)
            .output()?;
        let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !stdout.is_empty() {
            println!("{stdout}");
        }
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        if !stderr.is_empty() {
            println!(
                "(refused, exit {}) {stderr}",
                out.status.code().unwrap_or(-1)
            );
        }
        println!();
        Ok(stdout)
    }
}

/// `a` as a user would type it in a POSIX shell.
fn shell_quoted(a: &str) -> String {
    let plain = |c: char| c.is_alphanumeric() || "-_./:=+@,".contains(c);
    if !a.is_empty() && a.chars().all(plain) {
        a.to_string()
    } else {
        format!("'{}'", a.replace('\'', "'\\''"))
    }
}

fn json_field(json: &str, field: &str) -> Result<String> {
    let value: serde_json::Value = serde_json::from_str(json)?;
    value[field]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("the CLI's answer has no {field}").into())
}
