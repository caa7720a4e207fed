//! `cargo xtask test` for the foreign bindings: Kotlin on the host JVM, Python under pytest,
//! Swift generated and syntax-checked.
//!
//! Steps, each from a clean clone with nothing but cargo, a JDK, Maven and Python 3:
//! 1. build `fieldsales-ffi` with its `bindgen` feature (the cdylib and the `uniffi-bindgen`
//!    binary), debug profile;
//! 2. generate Kotlin, Python and Swift from the built library (library mode) into
//!    `target/bindings/<language>` — generated code is never committed;
//! 3. Kotlin: Maven (`android/host-test/pom.xml`) compiles the generated code, the pure-Kotlin
//!    Android wrapper and the JUnit 5 suite, and runs it with JNA loading the library;
//! 4. Python: a venv under `target/py-venv` with pinned pytest and tree-sitter packages, then
//!    the pytest suite in `bindings/python/tests`;
//!    The sync tests of both suites talk to a real `fieldsales-server` that this harness starts
//!    on 127.0.0.1 with a fresh data directory ([`TestServer`]) and kills afterwards, even when
//!    a suite fails;
//! 5. Swift: there is no Swift toolchain here, so `ios/check_swift_syntax.py` parses the
//!    generated Swift, the wrapper and the XCTest files with tree-sitter-swift and fails on
//!    any syntax error. It proves syntax, not types.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

use crate::{cargo, run, workspace_root, Result};

/// Python packages the checks need, pinned so a fresh machine gets what passed here.
const PY_PACKAGES: &[&str] = &[
    "pytest==9.2.0",
    "tree-sitter==0.26.1",
    "tree-sitter-swift==0.7.4",
];

/// Builds the library and runs every foreign-language check.
pub(crate) fn test() -> Result {
    let lib = build_library("debug")?;
    for language in ["kotlin", "python", "swift"] {
        generate(&lib, language)?;
    }
    let server = TestServer::start()?;
    // Told apart from a developer's run, where the sync suites skip themselves: under the
    // harness a suite that finds no server fails instead of skipping silently.
    let harness = |suite: &str| {
        let mut env = server.env(suite);
        env.push(("FIELDSALES_TEST_HARNESS".into(), "1".into()));
        env
    };
    kotlin_with(&lib, &[], &harness("kotlin"))?;
    let venv = python_venv()?;
    python(&lib, &venv, &harness("python"))?;
    drop(server);
    swift_syntax(&venv)?;
    Ok(())
}

/// A `fieldsales-server` for the suites' sync tests, seeded before it starts through its own
/// admin commands (`tenant create`, `team create`, `user create`: the IT admin's path, so this
/// harness needs neither the engine nor the test kit, and builds in seconds): per suite a
/// tenant (named after the suite, so the suites never see each other's data) with team `north`
/// and the reps `ann`, `bob`, `cho` and `dan`, whose passwords are [`TEST_PASSWORDS`] (several
/// reps, because the server admits at most five devices per account and every test signs in
/// new ones). The suites read the URL and their tenant from `FIELDSALES_TEST_SERVER` and
/// `FIELDSALES_TEST_TENANT`. Dropping it kills the server and removes its data. The
/// `fieldsales` CLI is built beside it (`FIELDSALES_TEST_CLI`): a third device the suites drive
/// for what the bindings do not offer, such as merging two customers.
pub(crate) struct TestServer {
    child: Child,
    // Held so the server's stdout stays open while it runs.
    _stdout: BufReader<ChildStdout>,
    data: PathBuf,
    url: String,
    cli: PathBuf,
}

/// The reps' passwords on the test server (test data, not secrets).
const TEST_PASSWORDS: &[(&str, &str)] = &[
    ("ann", "ann-secret-1"),
    ("bob", "bob-secret-1"),
    ("cho", "cho-secret-1"),
    ("dan", "dan-secret-1"),
];

/// Seeds `suite`'s tenant into the server's data directory `data`: team `north` with the reps of
/// [`TEST_PASSWORDS`], each with their own password.
fn seed_suite(server: &Path, data: &Path, suite: &str) -> Result {
    let admin = |args: &[&str]| {
        let mut cmd = Command::new(server);
        cmd.arg("--data")
            .arg(data)
            .args(args)
            .env("RUST_LOG", "warn");
        run(&mut cmd)
    };
    admin(&["tenant", "create", suite])?;
    admin(&["team", "create", "--tenant", suite, "north"])?;
    for (user, password) in TEST_PASSWORDS {
        let mut cmd = Command::new(server);
        cmd.arg("--data")
            .arg(data)
            .args(["user", "create", "--tenant", suite, "--role", "rep"])
            .args(["--team", "north", user])
            .env("FIELDSALES_SERVER_PASSWORD", password)
            .env("RUST_LOG", "warn");
        // Not through `run`, which prints the command with its environment (the password).
        let status = cmd.current_dir(workspace_root()).status()?;
        if !status.success() {
            return Err(format!("creating {user} in {suite} failed with {status}").into());
        }
    }
    Ok(())
}

impl TestServer {
    fn start() -> Result<TestServer> {
        build_workspace()?;
        let cli = target()
            .join("debug")
            .join(format!("fieldsales{}", std::env::consts::EXE_SUFFIX));
        let bin = target()
            .join("debug")
            .join(format!("fieldsales-server{}", std::env::consts::EXE_SUFFIX));
        let data = target().join(format!("bindings-test-server-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data)?;
        for suite in ["kotlin", "python"] {
            seed_suite(&bin, &data, suite)?;
        }
        let mut child = Command::new(&bin)
            .arg("--data")
            .arg(&data)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .current_dir(workspace_root())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("the server has no stdout")?;
        let mut server = TestServer {
            child,
            _stdout: BufReader::new(stdout),
            data,
            url: String::new(),
            cli,
        };
        // The first line names the address it bound ("… listening on http://127.0.0.1:PORT").
        let mut line = String::new();
        server._stdout.read_line(&mut line)?;
        server.url = line
            .split_whitespace()
            .last()
            .filter(|url| url.starts_with("http://"))
            .ok_or_else(|| format!("the test server did not start: {line:?}"))?
            .to_string();
        eprintln!("xtask: test sync server at {}", server.url);
        Ok(server)
    }

    /// The environment of `suite`'s tests.
    fn env(&self, suite: &str) -> Vec<(String, String)> {
        vec![
            ("FIELDSALES_TEST_SERVER".into(), self.url.clone()),
            ("FIELDSALES_TEST_TENANT".into(), suite.into()),
            (
                "FIELDSALES_TEST_CLI".into(),
                self.cli.to_string_lossy().into_owned(),
            ),
        ]
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

/// Builds every package and target of the workspace (debug) with the features of the test run
/// ([`crate::TEST_FEATURES`]): after `cargo test` this compiles nothing new, and it gives the
/// library, the code generator, the server and the CLI the suites need.
fn build_workspace() -> Result {
    run(cargo().args([
        "build",
        "--workspace",
        "--all-targets",
        "--features",
        crate::TEST_FEATURES,
    ]))
}

/// Builds `fieldsales-ffi` in `profile` (`debug` or `release`) and returns the cdylib's path.
pub(crate) fn build_library(profile: &str) -> Result<PathBuf> {
    if profile == "release" {
        run(cargo().args([
            "build",
            "--release",
            "--package",
            "fieldsales-ffi",
            "--features",
            "bindgen",
        ]))?;
    } else {
        build_workspace()?;
    }
    let lib = target().join(profile).join(format!(
        "{}fieldsales_ffi{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    if !lib.exists() {
        return Err(format!("{} was not built", lib.display()).into());
    }
    Ok(lib)
}

/// Generates `language` bindings from `lib` into `target/bindings/<language>`, replacing
/// what was there. The `uniffi-bindgen` binary is the one built beside the library.
pub(crate) fn generate(lib: &Path, language: &str) -> Result<PathBuf> {
    let out = generated(language);
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out)?;
    let bindgen = lib
        .parent()
        .ok_or("library has no directory")?
        .join(format!("uniffi-bindgen{}", std::env::consts::EXE_SUFFIX));
    run(Command::new(bindgen)
        .args([
            "generate",
            "--library",
            "--no-format",
            "--language",
            language,
        ])
        .arg("--out-dir")
        .arg(&out)
        .arg(lib))?;
    Ok(out)
}

/// Compiles and runs the Kotlin suite with Maven; `extra` adds Maven arguments (the benchmark
/// selects its own test class with them).
#[cfg(feature = "tools")]
pub(crate) fn kotlin(lib: &Path, extra: &[String]) -> Result {
    kotlin_with(lib, extra, &[])
}

/// [`kotlin`] with extra environment variables for the forked test JVM.
fn kotlin_with(lib: &Path, extra: &[String], env: &[(String, String)]) -> Result {
    let libdir = lib.parent().ok_or("library has no directory")?;
    let mut cmd = Command::new(if cfg!(windows) { "mvn.cmd" } else { "mvn" });
    cmd.args(["-B", "--no-transfer-progress", "-f"])
        .arg(workspace_root().join("android/host-test/pom.xml"))
        .arg(format!(
            "-Dfieldsales.generated={}",
            generated("kotlin").display()
        ))
        .arg(format!("-Dfieldsales.libdir={}", libdir.display()))
        .args(extra)
        .arg("test")
        .envs(env.iter().cloned());
    run(&mut cmd)
}

/// Creates (once) the venv with the pinned Python packages; returns its python.
fn python_venv() -> Result<PathBuf> {
    let venv = target().join("py-venv");
    let python = venv.join(if cfg!(windows) {
        "Scripts/python.exe"
    } else {
        "bin/python"
    });
    let stamp = venv.join("fieldsales-packages.txt");
    let wanted = PY_PACKAGES.join("\n");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(python);
    }
    let system = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    run(Command::new(system).args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(PY_PACKAGES))?;
    std::fs::write(&stamp, wanted)?;
    Ok(python)
}

/// Runs the pytest suite against the generated module, with the library copied beside it
/// (where the generated Python loads it from).
fn python(lib: &Path, python: &Path, env: &[(String, String)]) -> Result {
    let module_dir = generated("python");
    let file_name = lib.file_name().ok_or("library has no file name")?;
    std::fs::copy(lib, module_dir.join(file_name))?;
    run(Command::new(python)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(workspace_root().join("bindings/python/tests"))
        .env("PYTHONPATH", &module_dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .envs(env.iter().cloned()))
}

/// Parses every Swift file we ship or generate with tree-sitter-swift.
fn swift_syntax(python: &Path) -> Result {
    let root = workspace_root();
    run(Command::new(python)
        .arg(root.join("ios/check_swift_syntax.py"))
        .arg(generated("swift"))
        .arg(root.join("ios/Sources"))
        .arg(root.join("ios/Tests")))
}

fn target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Where the generated `language` bindings go.
pub(crate) fn generated(language: &str) -> PathBuf {
    target().join("bindings").join(language)
}
