//! `cargo xtask demo`: the main job — a team's offline day, merged by the sync server.
//!
//! Starts a real `fieldsales-server` on loopback over an embedded SQLite store in
//! `target/demo/server`, with a demo tenant: a manager and two reps in team north, one rep in
//! team south. Each person's phone is a real store in `target/demo/phones/<name>`, signed in
//! through the product's login. The reps go offline, edit the same customer and log visits and
//! calls, come back and sync; the demo prints what merged, what conflicted (and that every
//! phone agrees on it), what the manager now sees, and what the rep of the other team does not.
//! It ends by showing the CLI reading one phone's store, and how to run the server by hand.
//!
//! `cargo xtask demo --serve` keeps the server running afterwards (Ctrl-C stops it), so the
//! CLI can log in to it and look around.

use std::path::Path;
use std::process::Command;

use fieldsales_core::conflict::FieldValue;
use fieldsales_core::customer::{Address, CustomerPatch, NewCustomer, Visibility};
use fieldsales_core::protocol::Role;
use fieldsales_core::quicklog::{Channel, NewQuickLog};
use fieldsales_core::sync::Login;
use fieldsales_core::visit::Fix;
use fieldsales_core::{Config, FieldSales};
use fieldsales_server::{Server, ServerConfig, UserSpec};

use crate::{cargo, run, workspace_root, Result};

const TENANT: &str = "acme";
const PASSWORD: &str = "demo-password-1";

/// The demo tenant: username, display name, role, team.
const PEOPLE: &[(&str, &str, Role, &str)] = &[
    ("wang", "王经理 (manager, north)", Role::Manager, "north"),
    ("li", "李娜 (rep, north)", Role::Rep, "north"),
    ("zhang", "张伟 (rep, north)", Role::Rep, "north"),
    ("chen", "陈静 (rep, south)", Role::Rep, "south"),
];

pub(crate) fn run_demo(args: &[String]) -> Result {
    let serve = args.iter().any(|a| a == "--serve");
    run(cargo().args(["build", "--quiet", "--package", "fieldsales-cli"]))?;
    let root = workspace_root();
    let demo = root.join("target").join("demo");
    let _ = std::fs::remove_dir_all(&demo);
    std::fs::create_dir_all(&demo)?;

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut config = ServerConfig::for_tests(demo.join("server"));
    if serve {
        config.addr = ([127, 0, 0, 1], 8787).into();
    }
    let server = rt.block_on(Server::start(config))?;
    let url = server.url();
    rt.block_on(async {
        let admin = server.admin();
        admin.create_tenant(TENANT).await?;
        for team in ["north", "south"] {
            admin.create_team(TENANT, team).await?;
        }
        for (username, _, role, team) in PEOPLE {
            admin
                .create_user(UserSpec {
                    tenant: TENANT,
                    username,
                    password: PASSWORD,
                    role: *role,
                    team: Some(team),
                })
                .await?;
        }
        Ok::<_, fieldsales_server::Error>(())
    })?;
    println!("# A team's offline day, merged by the fieldsales sync server\n");
    println!(
        "Server at {url} (data in {}).",
        demo.join("server").display()
    );
    println!(
        "Tenant {TENANT}: {}.\n",
        PEOPLE.iter().map(|p| p.1).collect::<Vec<_>>().join(", ")
    );

    let phone = |username: &str| -> Result<FieldSales> {
        let login = Login {
            server_url: url.clone(),
            tenant: TENANT.into(),
            username: username.into(),
            password: PASSWORD.into(),
        };
        let dir = demo.join("phones").join(username);
        Ok(FieldSales::sign_in(&dir, Config::default(), &login)?.0)
    };
    let wang = phone("wang")?;
    let li = phone("li")?;
    let zhang = phone("zhang")?;
    let chen = phone("chen")?;

    section("Morning, in the office: Li adds a customer for the team; everyone syncs");
    let xiaomi = li.customers().create(NewCustomer {
        name: "北京小米科技".into(),
        phones: vec!["+86 138 1234 5678".into()],
        address: Some(Address {
            text: Some("北京市海淀区清河中街68号".into()),
            lat: Some(40.0349),
            lon: Some(116.3389),
        }),
        visibility: Visibility::Team,
        ..Default::default()
    })?;
    for (name, fs) in [
        ("li", &li),
        ("zhang", &zhang),
        ("wang", &wang),
        ("chen", &chen),
    ] {
        let report = fs.sync().sync_now()?;
        println!(
            "  {name:<6} synced: sent {}, received {}",
            report.sent, report.received
        );
    }
    println!(
        "  Zhang's phone has the customer: {}; Chen (team south) does not: {}",
        zhang.customers().get(&xiaomi).is_ok(),
        chen.customers().get(&xiaomi).is_err()
    );

    section("Out in the field, no signal: both reps work on the same customer");
    li.customers().edit(
        &xiaomi,
        CustomerPatch {
            legal_name: Some("小米科技有限责任公司".into()),
            add_tags: vec!["重点客户".into()],
            ..Default::default()
        },
    )?;
    li.customers().edit(
        &xiaomi,
        CustomerPatch {
            address: Some(Address {
                text: Some("北京市海淀区安宁庄路11号".into()),
                lat: Some(40.0433),
                lon: Some(116.3170),
            }),
            ..Default::default()
        },
    )?;
    let visit = li.visits().check_in(
        &xiaomi,
        None,
        Some(Fix {
            lat: 40.0434,
            lon: 116.3171,
            accuracy_m: Some(8.0),
        }),
    )?;
    li.visits()
        .edit_notes(&visit.id, "见了采购经理，关心交付周期。")?;
    println!("  Li: legal name, tag 重点客户, new address; checked in (verified) and wrote notes");
    zhang.customers().edit(
        &xiaomi,
        CustomerPatch {
            add_phones: vec!["010-6060 6666".into()],
            add_tags: vec!["年底采购".into()],
            address: Some(Address {
                text: Some("北京市海淀区西二旗中路33号".into()),
                lat: Some(40.0530),
                lon: Some(116.3010),
            }),
            ..Default::default()
        },
    )?;
    let call = zhang.quick_log().log(NewQuickLog {
        channel: Channel::Call,
        phone: Some("138 1234 5678".into()),
        duration_s: Some(245),
        pain_points: vec!["价格高".into()],
        next_action: Some("周五前发报价单".into()),
        ..Default::default()
    })?;
    println!(
        "  Zhang: landline, tag 年底采购, a different new address; a 4-minute call whose next \
         action became a task ({})",
        call.entry.task_id.as_deref().map(short).unwrap_or("-")
    );
    let private = li.customers().create(NewCustomer {
        name: "杭州未来科技".into(),
        visibility: Visibility::Private,
        ..Default::default()
    })?;
    println!("  Li also adds a private lead that only she may see");
    for (name, fs) in [("li", &li), ("zhang", &zhang)] {
        println!("  {name:<6} has {} changes waiting", fs.pending_changes()?);
    }

    section("Back in signal: the phones sync (the app does this by itself)");
    for (name, fs) in [
        ("li", &li),
        ("zhang", &zhang),
        ("li", &li),
        ("wang", &wang),
        ("chen", &chen),
    ] {
        let report = fs.sync().sync_now()?;
        println!(
            "  {name:<6} synced: sent {}, received {}, conflicts found {}",
            report.sent,
            report.received,
            report.conflicts.len()
        );
    }

    let names: Vec<(String, &str)> = [("li", &li), ("zhang", &zhang), ("wang", &wang)]
        .iter()
        .map(|(n, fs)| (fs.identity().user_id.clone(), *n))
        .collect();
    let who = |id: Option<&str>| {
        names
            .iter()
            .find(|(uid, _)| Some(uid.as_str()) == id)
            .map(|(_, n)| *n)
            .unwrap_or("?")
    };
    section("What merged");
    let on_li = li.customers().get(&xiaomi)?;
    let on_zhang = zhang.customers().get(&xiaomi)?;
    println!(
        "  legal name (Li):      {}",
        on_li.legal_name.as_deref().unwrap_or("-")
    );
    let phones: Vec<&str> = on_li.phones.iter().map(|p| p.e164.as_str()).collect();
    println!("  phones (both):        {}", phones.join(", "));
    println!("  tags (both):          {}", on_li.tags.join(", "));
    println!(
        "  the same on both phones: {}",
        serde_json::to_value(&on_li)? == serde_json::to_value(&on_zhang)?
    );
    for (name, fs) in [("li", &li), ("zhang", &zhang)] {
        let record = fs.conflicts().for_record(&xiaomi)?;
        for field in &record.fields {
            let values: Vec<String> = field
                .values
                .iter()
                .map(|v| {
                    format!(
                        "{} by {}",
                        value_text(&v.value),
                        who(v.written_by.as_deref())
                    )
                })
                .collect();
            println!(
                "  conflict on {name}'s phone, field {}: {}",
                field.field,
                values.join(" | ")
            );
        }
    }

    section("What the manager sees, and what the other team does not");
    let visits = wang.visits().by_rep(
        &li.identity().user_id,
        visit.check_in.as_ref().map(|c| c.at).unwrap_or_default() - chrono::Duration::hours(1),
        chrono::Utc::now() + chrono::Duration::hours(1),
    )?;
    println!(
        "  Wang sees Li's visit: {} (notes: {})",
        visits.iter().any(|v| v.id == visit.id),
        visits.first().map(|v| v.notes.as_str()).unwrap_or("-")
    );
    println!(
        "  Wang sees Zhang's call on the customer's timeline: {}",
        wang.customers()
            .timeline(&xiaomi)?
            .iter()
            .any(|i| i.id == call.entry.id)
    );
    println!(
        "  Zhang sees Li's private lead: {}; Chen sees the north team's customer: {}",
        zhang.customers().get(&private).is_ok(),
        chen.customers().get(&xiaomi).is_ok()
    );

    section("Look at it yourself: the CLI reads each phone's store");
    let bin = root.join("target").join("debug").join("fieldsales");
    let li_dir = demo.join("phones").join("li");
    cli(&bin, &li_dir, &["status"])?;
    cli(&bin, &li_dir, &["conflicts", "list"])?;
    cli(&bin, &li_dir, &["customer", "timeline", &xiaomi])?;

    println!("\n## Next");
    println!(
        "  FIELDSALES_DATA_DIR={} {} customer show {xiaomi}",
        li_dir.display(),
        bin.display()
    );
    if serve {
        println!("  The server keeps running at {url}; log in from another terminal:");
        println!(
            "  FIELDSALES_PASSWORD={PASSWORD} {} --data-dir /tmp/my-phone login --server {url} --tenant {TENANT} --username zhang",
            bin.display()
        );
        println!("  Ctrl-C stops it.");
        rt.block_on(server.run_until_signal())?;
    } else {
        println!(
            "  `cargo xtask demo --serve` keeps the server running on 127.0.0.1:8787 afterwards,"
        );
        println!("  so the CLI can `login`, `sync` and look around against it.");
        rt.block_on(server.shutdown())?;
    }
    Ok(())
}

fn section(title: &str) {
    println!("\n## {title}");
}

fn short(id: &str) -> &str {
    id.get(id.len().saturating_sub(8)..).unwrap_or(id)
}

fn value_text(v: &FieldValue) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::Object(o)) => match o.get("value") {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => serde_json::Value::Object(o).to_string(),
        },
        Ok(other) => other.to_string(),
        Err(_) => "?".into(),
    }
}

/// Runs the CLI on a phone's store and prints what it said.
fn cli(bin: &Path, data_dir: &Path, args: &[&str]) -> Result {
    println!("$ fieldsales {}", args.join(" "));
    let out = Command::new(bin)
        .args(args)
        .env("FIELDSALES_DATA_DIR", data_dir)
        .env_remove("FIELDSALES_USER")
        .output()?;
    print!("{}", String::from_utf8_lossy(&out.stdout));
    if !out.status.success() {
        print!("{}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}
