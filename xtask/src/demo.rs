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

use std::path::{Path, PathBuf};
use std::process::Command;

use fieldsales_core::conflict::FieldValue;
use fieldsales_core::customer::{Address, CustomerPatch, NewCustomer, Visibility};
use fieldsales_core::protocol::Role;
use fieldsales_core::quicklog::{Channel, Logged, NewQuickLog};
use fieldsales_core::visit::{Fix, Visit};
use fieldsales_core::{Config, FieldSales};
use fieldsales_server::ServerConfig;
use fieldsales_testkit::{device, LoopbackServer, Tenant};

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

/// Each person's phone, signed in.
struct Phones {
    wang: FieldSales,
    li: FieldSales,
    zhang: FieldSales,
    chen: FieldSales,
}

/// What the reps did offline, for the later sections to look for.
struct Day {
    visit: Visit,
    call: Logged,
    private: String,
}

pub(crate) fn run_demo(args: &[String]) -> Result {
    let serve = args.iter().any(|a| a == "--serve");
    run(cargo().args(["build", "--quiet", "--package", "fieldsales-cli"]))?;
    let demo = workspace_root().join("target").join("demo");
    let _ = std::fs::remove_dir_all(&demo);
    std::fs::create_dir_all(&demo)?;

    let server = start_server(&demo, serve)?;
    let phones = sign_in_phones(&demo, &server.url())?;
    let xiaomi = morning(&phones)?;
    let day = offline_day(&phones, &xiaomi)?;
    back_in_signal(&phones)?;
    what_merged(&phones, &xiaomi)?;
    what_the_manager_sees(&phones, &xiaomi, &day)?;
    let li_dir = demo.join("phones").join("li");
    look_with_the_cli(&li_dir, &xiaomi)?;
    next(server, serve, &li_dir, &xiaomi)
}

/// The tenant of [`PEOPLE`], as the test kit's seeder takes it.
fn tenant() -> Tenant {
    PEOPLE.iter().fold(
        Tenant::new(TENANT, PASSWORD).team("north").team("south"),
        |tenant, (username, _, role, team)| tenant.member(username, *role, Some(team)),
    )
}

/// Starts the server over `demo/server` (on 127.0.0.1:8787 with `--serve`) and seeds the
/// tenant.
fn start_server(demo: &Path, serve: bool) -> Result<LoopbackServer> {
    let mut config = ServerConfig::for_tests(demo.join("server"));
    if serve {
        config.addr = ([127, 0, 0, 1], 8787).into();
    }
    let server = LoopbackServer::start(config)?;
    server.seed(&tenant())?;
    println!("# A team's offline day, merged by the fieldsales sync server\n");
    println!(
        "Server at {} (data in {}).",
        server.url(),
        demo.join("server").display()
    );
    println!(
        "Tenant {TENANT}: {}.\n",
        PEOPLE.iter().map(|p| p.1).collect::<Vec<_>>().join(", ")
    );
    Ok(server)
}

/// Everyone's phone, signed in through the product's login, in `demo/phones/<name>`.
fn sign_in_phones(demo: &Path, url: &str) -> Result<Phones> {
    let tenant = tenant();
    let phone = |username: &str| -> Result<FieldSales> {
        let dir = demo.join("phones").join(username);
        Ok(device::sign_in(
            &dir,
            &tenant.login(url, username),
            Config::default(),
        )?)
    };
    Ok(Phones {
        wang: phone("wang")?,
        li: phone("li")?,
        zhang: phone("zhang")?,
        chen: phone("chen")?,
    })
}

/// Li adds a team customer and everyone syncs; returns the customer's id.
fn morning(p: &Phones) -> Result<String> {
    section("Morning, in the office: Li adds a customer for the team; everyone syncs");
    let xiaomi = p.li.customers().create(NewCustomer {
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
        ("li", &p.li),
        ("zhang", &p.zhang),
        ("wang", &p.wang),
        ("chen", &p.chen),
    ] {
        let report = fs.sync().sync_now()?;
        println!(
            "  {name:<6} synced: sent {}, received {}",
            report.sent, report.received
        );
    }
    println!(
        "  Zhang's phone has the customer: {}; Chen (team south) does not: {}",
        p.zhang.customers().get(&xiaomi).is_ok(),
        p.chen.customers().get(&xiaomi).is_err()
    );
    Ok(xiaomi)
}

/// Both reps edit the customer offline; Li visits it, Zhang logs a call, Li adds a private
/// lead.
fn offline_day(p: &Phones, xiaomi: &str) -> Result<Day> {
    section("Out in the field, no signal: both reps work on the same customer");
    let visit = li_visits(&p.li, xiaomi)?;
    let call = zhang_calls(&p.zhang, xiaomi)?;
    let private = p.li.customers().create(NewCustomer {
        name: "杭州未来科技".into(),
        visibility: Visibility::Private,
        ..Default::default()
    })?;
    println!("  Li also adds a private lead that only she may see");
    for (name, fs) in [("li", &p.li), ("zhang", &p.zhang)] {
        println!("  {name:<6} has {} changes waiting", fs.pending_changes()?);
    }
    Ok(Day {
        visit,
        call,
        private,
    })
}

/// Li corrects the customer, moves its address, checks in at the door and writes notes.
fn li_visits(li: &FieldSales, xiaomi: &str) -> Result<Visit> {
    li.customers().edit(
        xiaomi,
        CustomerPatch {
            legal_name: Some("小米科技有限责任公司".into()),
            add_tags: vec!["重点客户".into()],
            ..Default::default()
        },
    )?;
    li.customers().edit(
        xiaomi,
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
        xiaomi,
        None,
        Some(Fix {
            lat: 40.0434,
            lon: 116.3171,
            accuracy_m: Some(8.0),
        }),
    )?;
    li.visits()
        .edit_notes(&visit.id, "见了采购经理，关心交付周期。")?;
    // The phone's camera: two 12 MP shots, handed to the core as files.
    let camera = li.path().with_extension("camera");
    std::fs::create_dir_all(&camera)?;
    for (n, shot) in ["shop-front.jpg", "shelf.jpg"].into_iter().enumerate() {
        let file = crate::bench::photo::camera_jpeg(&camera.join(shot), 4000, 3000, n as u64)?;
        li.media().attach_to_visit(&visit.id, &file)?;
    }
    println!(
        "  Li: legal name, tag 重点客户, new address; checked in (verified), wrote notes, \
         photographed the shop front and the shelf"
    );
    Ok(li.visits().get(&visit.id)?)
}

/// Zhang adds a landline and moves the address elsewhere, then logs a call with a next action.
fn zhang_calls(zhang: &FieldSales, xiaomi: &str) -> Result<Logged> {
    zhang.customers().edit(
        xiaomi,
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
    Ok(call)
}

/// Every phone syncs (Li twice, so she also gets Zhang's edits).
fn back_in_signal(p: &Phones) -> Result {
    section("Back in signal: the phones sync (the app does this by itself)");
    for (name, fs) in [
        ("li", &p.li),
        ("zhang", &p.zhang),
        ("li", &p.li),
        ("wang", &p.wang),
        ("chen", &p.chen),
    ] {
        let report = fs.sync().sync_now()?;
        println!(
            "  {name:<6} synced: sent {}, received {}, conflicts found {}, photos up {}, thumbnails down {}",
            report.sent,
            report.received,
            report.conflicts.len(),
            report.media_uploaded,
            report.media_downloaded
        );
    }
    Ok(())
}

/// The merged customer on both reps' phones, and the conflict each phone shows, with who
/// wrote each value.
fn what_merged(p: &Phones, xiaomi: &str) -> Result {
    let names: Vec<(String, &str)> = [("li", &p.li), ("zhang", &p.zhang), ("wang", &p.wang)]
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
    let on_li = p.li.customers().get(xiaomi)?;
    let on_zhang = p.zhang.customers().get(xiaomi)?;
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
    for (name, fs) in [("li", &p.li), ("zhang", &p.zhang)] {
        let record = fs.conflicts().for_record(xiaomi)?;
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
    Ok(())
}

/// The manager sees the team's visit and call; the rep of the other team sees nothing of it.
fn what_the_manager_sees(p: &Phones, xiaomi: &str, day: &Day) -> Result {
    section("What the manager sees, and what the other team does not");
    let visited_at = day
        .visit
        .check_in
        .as_ref()
        .map(|c| c.at)
        .unwrap_or_default();
    let visits = p.wang.visits().by_rep(
        &p.li.identity().user_id,
        visited_at - chrono::Duration::hours(1),
        chrono::Utc::now() + chrono::Duration::hours(1),
    )?;
    println!(
        "  Wang sees Li's visit: {} (notes: {})",
        visits.iter().any(|v| v.id == day.visit.id),
        visits.first().map(|v| v.notes.as_str()).unwrap_or("-")
    );
    println!(
        "  Wang sees Zhang's call on the customer's timeline: {}",
        p.wang
            .customers()
            .timeline(xiaomi)?
            .iter()
            .any(|i| i.id == day.call.entry.id)
    );
    let seen = p.wang.visits().get(&day.visit.id)?;
    let thumbnails_here = seen
        .photo_thumbnails
        .values()
        .filter(|t| matches!(p.wang.media().file(t), Ok(Some(_))))
        .count();
    println!(
        "  Wang's phone holds the visit's {} photos as thumbnails: {thumbnails_here} of {}",
        seen.photos.len(),
        seen.photo_thumbnails.len()
    );
    if let Some(first) = seen.photos.first() {
        let full = p.wang.sync().fetch_media(first)?;
        let bytes = std::fs::metadata(&full)?.len();
        let (w, h) = image::image_dimensions(&full)?;
        println!("  Wang opens one: the full photo, fetched on demand, {w}×{h}, {} KB (Li's camera file: 12 MP)", bytes / 1024);
        println!(
            "  Chen (team south) asks the server for it by its hash: {}",
            match p.chen.sync().fetch_media(first) {
                Ok(_) => "served (wrong!)".to_string(),
                Err(e) => format!("refused ({e})"),
            }
        );
    }
    println!(
        "  Zhang sees Li's private lead: {}; Chen sees the north team's customer: {}",
        p.zhang.customers().get(&day.private).is_ok(),
        p.chen.customers().get(xiaomi).is_ok()
    );
    Ok(())
}

/// The CLI binary the demo built.
fn cli_bin() -> PathBuf {
    workspace_root()
        .join("target")
        .join("debug")
        .join("fieldsales")
}

/// The CLI reading Li's phone.
fn look_with_the_cli(li_dir: &Path, xiaomi: &str) -> Result {
    section("Look at it yourself: the CLI reads each phone's store");
    let bin = cli_bin();
    cli(&bin, li_dir, &["status"])?;
    cli(&bin, li_dir, &["conflicts", "list"])?;
    cli(&bin, li_dir, &["customer", "timeline", xiaomi])?;
    Ok(())
}

/// What to try next; with `--serve` the server keeps running until Ctrl-C, else it stops.
fn next(server: LoopbackServer, serve: bool, li_dir: &Path, xiaomi: &str) -> Result {
    let bin = cli_bin();
    let url = server.url();
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
        let LoopbackServer { runtime, server } = server;
        runtime.block_on(server.run_until_signal())?;
    } else {
        println!(
            "  `cargo xtask demo --serve` keeps the server running on 127.0.0.1:8787 afterwards,"
        );
        println!("  so the CLI can `login`, `sync` and look around against it.");
        server.shutdown()?;
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
