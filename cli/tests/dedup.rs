//! `fieldsales dedup check | scan | contacts` and `fieldsales merge`, as a script would use
//! them: JSON on stdout, errors naming the field, exit codes by kind.

use assert_cmd::Command;
use serde_json::Value;

struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Cli {
        Cli {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("fieldsales").unwrap();
        cmd.env("FIELDSALES_DATA_DIR", self.dir.path())
            .env("FIELDSALES_USER", "rep-1")
            .env_remove("FIELDSALES_TEAM")
            .env_remove("FIELDSALES_NOW");
        cmd
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.cmd().arg("--json").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn add(&self, args: &[&str]) -> String {
        let mut all = vec!["customer", "add"];
        all.extend_from_slice(args);
        self.json(&all)["id"].as_str().unwrap().to_string()
    }
}

#[test]
fn dedup_check_lists_the_likely_duplicate_with_score_and_reasons() {
    let cli = Cli::new();
    let id = cli.add(&[
        "--name",
        "北京小米科技有限责任公司",
        "--phone",
        "13812345678",
    ]);
    cli.add(&["--name", "上海华信物流"]);

    let found = cli.json(&[
        "dedup",
        "check",
        "--name",
        "张总-小米",
        "--phone",
        "138 1234 5678",
    ]);
    let list = found.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["customer_id"], id.as_str());
    assert_eq!(list[0]["reasons"][0]["detail"], "same phone 138…");

    let text = cli
        .cmd()
        .args(["dedup", "check", "--name", "小米科技（北京）"])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains(&id) && text.contains("name 100% similar"),
        "{text}"
    );

    let twin = cli.add(&["--name", "小米科技"]);
    let by_id = cli.json(&["dedup", "check", &twin]);
    assert_eq!(by_id[0]["customer_id"], id.as_str());
}

#[test]
fn dedup_check_refuses_a_bad_phone_naming_the_field() {
    let cli = Cli::new();
    let out = cli
        .cmd()
        .args([
            "--json", "dedup", "check", "--name", "华信", "--phone", "12",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["field"], "phones", "{err}");
}

#[test]
fn dedup_scan_reports_groups_and_the_duplicate_rate() {
    let cli = Cli::new();
    let a = cli.add(&["--name", "远航控股", "--phone", "13900001111"]);
    let b = cli.add(&["--name", "远航控股集团", "--phone", "13900001111"]);
    cli.add(&["--name", "博远咨询"]);
    cli.add(&["--name", "金桥贸易"]);
    let report = cli.json(&["dedup", "scan"]);
    assert_eq!(report["customers"], 4);
    assert_eq!(report["redundant"], 1);
    assert_eq!(report["duplicate_rate"], 0.25);
    let ids = &report["groups"][0]["customer_ids"];
    let mut expected = vec![a, b];
    expected.sort();
    assert_eq!(ids, &serde_json::json!(expected));
}

#[test]
fn merge_previews_then_merges_and_the_merged_id_is_gone_from_lists() {
    let cli = Cli::new();
    let a = cli.add(&["--name", "华信软件", "--phone", "13812345678"]);
    let b = cli.add(&[
        "--name",
        "北京华信软件技术有限公司",
        "--phone",
        "010-62345678",
        "--tag",
        "expo",
    ]);
    let preview = cli.json(&["merge", &a, &b, "--preview"]);
    assert_eq!(preview["choices"][0]["field"], "name");
    assert_eq!(cli.json(&["customer", "list"]).as_array().unwrap().len(), 2);

    let survivor = cli.json(&["merge", &a, &b, "--keep", "name=merged"]);
    assert_eq!(survivor["id"], a.as_str());
    assert_eq!(survivor["name"], "北京华信软件技术有限公司");
    assert_eq!(survivor["phones"].as_array().unwrap().len(), 2);
    assert_eq!(survivor["tags"], serde_json::json!(["expo"]));
    let list = cli.json(&["customer", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let gone = cli.json(&["customer", "show", &b]);
    assert_eq!(gone["merged_into"], a.as_str());

    let out = cli
        .cmd()
        .args(["--json", "merge", &a, &b])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "a merged-away customer is gone");
    let out = cli
        .cmd()
        .args(["merge", &a, &b, "--keep", "name=both"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn dedup_contacts_finds_one_person_under_title_variants() {
    let cli = Cli::new();
    let id = cli.add(&["--name", "华信软件"]);
    for name in ["王经理", "王总监", "李明"] {
        cli.json(&["contact", "add", &id, "--name", name]);
    }
    let groups = cli.json(&["dedup", "contacts", &id]);
    assert_eq!(groups.as_array().unwrap().len(), 1);
    assert_eq!(groups[0]["members"].as_array().unwrap().len(), 2);
}
