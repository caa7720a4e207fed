//! The CLI as support staff and scripts use it: one process per command against a store in a
//! temporary directory, reading stdout (text or `--json`), stderr and the exit code.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use tempfile::TempDir;

/// A scripted user on a fresh store, at a fixed time (2026-03-02 09:00 China time).
struct Session {
    dir: TempDir,
}

impl Session {
    fn new() -> Self {
        Session {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("fieldsales").expect("binary built");
        cmd.env("FIELDSALES_DATA_DIR", self.dir.path())
            .env("FIELDSALES_USER", "rep-1")
            .env("FIELDSALES_TEAM", "north")
            .env("FIELDSALES_NOW", "2026-03-02 09:00")
            .args(args);
        cmd
    }

    /// Runs a command that must succeed and returns its JSON output.
    fn json(&self, args: &[&str]) -> Value {
        let mut full = vec!["--json"];
        full.extend_from_slice(args);
        let out = self
            .cmd(&full)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).expect("--json prints one JSON document")
    }

    /// Runs a command that must succeed and returns its text output, trimmed.
    fn text(&self, args: &[&str]) -> String {
        let out = self
            .cmd(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).expect("utf-8").trim().to_string()
    }
}

#[test]
fn a_customer_added_with_a_messy_phone_is_found_by_pinyin_initials_and_phone_suffix() {
    let s = Session::new();
    let id = s.text(&[
        "customer",
        "add",
        "--name",
        "北京小米科技",
        "--phone",
        "+86 (138) 1234-5678",
    ]);
    let hits = s.json(&["customer", "search", "bjxm"]);
    assert_eq!(hits[0]["id"], id.as_str());
    let hits = s.json(&["customer", "search", "5678"]);
    assert_eq!(hits[0]["id"], id.as_str());
    assert_eq!(hits[0]["phone"], "+8613812345678");
    let shown = s.json(&["customer", "show", &id]);
    assert_eq!(shown["name"], "北京小米科技");
}

#[test]
fn editing_a_customer_changes_only_what_was_given() {
    let s = Session::new();
    let id = s.text(&["customer", "add", "--name", "深圳华强", "--tag", "VIP"]);
    s.json(&[
        "customer",
        "edit",
        &id,
        "--legal-name",
        "深圳华强电子有限公司",
        "--add-phone",
        "0755-8888 6666",
    ]);
    let shown = s.json(&["customer", "show", &id]);
    assert_eq!(shown["name"], "深圳华强");
    assert_eq!(shown["legal_name"], "深圳华强电子有限公司");
    assert_eq!(shown["tags"], serde_json::json!(["VIP"]));
    let phones = shown["phones"].to_string();
    assert!(phones.contains("+8675588886666"), "phones: {phones}");
}

#[test]
fn a_malformed_phone_is_refused_naming_the_field_and_nothing_is_stored() {
    let s = Session::new();
    s.cmd(&[
        "customer",
        "add",
        "--name",
        "坏号码公司",
        "--phone",
        "12345",
    ])
    .assert()
    .code(2)
    .stdout("")
    .stderr(predicate::str::contains("phones"));
    let out = s
        .cmd(&[
            "--json",
            "customer",
            "add",
            "--name",
            "坏号码公司",
            "--phone",
            "12345",
        ])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err: Value = serde_json::from_slice(&out).expect("JSON error on stderr");
    assert_eq!(err["error"]["kind"], "validation");
    assert_eq!(err["error"]["field"], "phones");
    assert_eq!(s.json(&["customer", "list"]), serde_json::json!([]));
}

#[test]
fn a_mistyped_social_credit_code_is_refused_as_a_likely_typo() {
    let s = Session::new();
    let out = s
        .cmd(&[
            "--json",
            "customer",
            "add",
            "--name",
            "错码公司",
            "--credit-code",
            "91350100M000100Y4X",
        ])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err: Value = serde_json::from_slice(&out).expect("JSON error on stderr");
    assert_eq!(err["error"]["field"], "credit_code");
    assert!(err["error"]["reason"]
        .as_str()
        .is_some_and(|r| r.contains("check character")));
}

#[test]
fn a_quick_log_from_an_unknown_number_creates_a_lead_and_a_follow_up_task() {
    let s = Session::new();
    let logged = s.json(&[
        "quick-log",
        "--phone",
        "139 0000 1111",
        "--duration",
        "3m20s",
        "--pain-point",
        "价格高",
        "--next-action",
        "寄报价单",
        "--due",
        "2026-03-02 17:00",
    ]);
    assert_eq!(logged["new_lead"], true);
    assert_eq!(logged["entry"]["duration_s"], 200);
    assert_eq!(
        logged["entry"]["pain_points"],
        serde_json::json!(["价格高"])
    );
    let customer = logged["entry"]["customer_id"]
        .as_str()
        .expect("customer id");
    let today = s.json(&["tasks", "today"]);
    assert_eq!(today.as_array().map(Vec::len), Some(1));
    assert_eq!(today[0]["title"], "寄报价单");
    assert_eq!(today[0]["customer_id"], customer);

    // The same number again finds the lead instead of making another.
    let again = s.json(&["quick-log", "--phone", "13900001111"]);
    assert_eq!(again["new_lead"], false);
    assert_eq!(again["entry"]["customer_id"], customer);
    let timeline = s.json(&["customer", "timeline", customer]);
    assert_eq!(timeline.as_array().map(Vec::len), Some(3), "{timeline}");
}

#[test]
fn a_check_in_at_the_door_is_verified_and_one_across_town_is_not() {
    let s = Session::new();
    let id = s.text(&[
        "customer",
        "add",
        "--name",
        "上海联影",
        "--lat",
        "31.2304",
        "--lon",
        "121.4737",
    ]);
    let near = s.json(&[
        "visit", "check-in", &id, "--lat", "31.2306", "--lon", "121.4739",
    ]);
    assert_eq!(near["check_in"]["verdict"], "verified");
    let far = s.json(&[
        "visit", "check-in", &id, "--lat", "31.30", "--lon", "121.55",
    ]);
    assert_eq!(far["check_in"]["verdict"], "out_of_range");
    let visit = near["id"].as_str().expect("visit id");
    let out = s.json(&[
        "visit",
        "check-out",
        visit,
        "--notes",
        "见了采购",
        "--next-action",
        "安排演示",
    ]);
    assert_eq!(out["notes"], "见了采购");
    assert!(out["task_id"].is_string());
    let visits = s.json(&[
        "visit",
        "list",
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-02",
    ]);
    assert_eq!(visits.as_array().map(Vec::len), Some(2));
}

#[test]
fn unknown_records_and_unconflicted_fields_exit_with_their_own_codes() {
    let s = Session::new();
    s.cmd(&["customer", "show", "0190c1a2-0000-7000-8000-000000000009"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("not found"));
    let id = s.text(&["customer", "add", "--name", "杭州海康"]);
    assert_eq!(s.text(&["conflicts", "list"]), "no conflicts");
    s.cmd(&["conflicts", "resolve", &id, "name", "别的名字"])
        .assert()
        .code(4);
}

#[test]
fn a_command_without_a_user_is_a_usage_error() {
    let s = Session::new();
    s.cmd(&["customer", "list"])
        .env_remove("FIELDSALES_USER")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("user"));
}
