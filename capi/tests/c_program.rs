//! `examples/assess.c`, compiled against `include/tellerguard.h` and linked
//! to the shared library, must print what the Rust API says for every
//! example operation, and an `escalate` record for a bad one. This checks
//! the hand-written header against the real symbols.
//!
//! It needs a C compiler (`cc`, or `$CC`); without one it says so and
//! checks nothing, since the other tests already cover the functions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "test code")]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use std::io::Write;
use tellerguard::{Engine, Lang};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `target/<profile>`: the test binary lives in its `deps` folder.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().and_then(Path::parent).unwrap().to_path_buf()
}

#[test]
fn the_c_example_agrees_with_the_rust_api() {
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    if Command::new(&compiler).arg("--version").stdout(Stdio::null()).status().is_err() {
        eprintln!("no C compiler (`{compiler}`): the C example was not built");
        return;
    }
    // `cargo test` builds the library as an rlib only; build the shared one.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut build = Command::new(cargo);
    build.args(["build", "--quiet", "-p", "tellerguard-capi", "--lib"]).current_dir(manifest_dir());
    if profile_dir().file_name().is_some_and(|name| name == "release") {
        build.arg("--release");
    }
    assert!(build.status().unwrap().success(), "building the shared library failed");

    let lib_dir = profile_dir();
    let program = lib_dir.join("assess-c-example");
    let status = Command::new(&compiler)
        .arg(manifest_dir().join("examples/assess.c"))
        .arg("-I")
        .arg(manifest_dir().join("include"))
        .arg("-L")
        .arg(&lib_dir)
        .args(["-ltellerguard_capi", "-Wall", "-Werror", "-o"])
        .arg(&program)
        .status()
        .unwrap();
    assert!(status.success(), "compiling examples/assess.c failed");

    let examples = std::fs::read_to_string(manifest_dir().join("../examples/transfers.jsonl")).unwrap();
    let bad = r#"{"id": "C-bad", "amount": "-5"}"#;
    let input = format!("{examples}{bad}\n");
    let mut child = Command::new(&program)
        .env("LD_LIBRARY_PATH", &lib_dir)
        .env("DYLD_LIBRARY_PATH", &lib_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    // One bad record: exit status 2, and every line still answered.
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));

    let engine = Engine::embedded().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let mut lines = stdout.lines();
    let mut assessed = 0;
    for op in examples.lines().filter(|l| !l.trim().is_empty()) {
        let mut expected = String::from("0\t");
        engine.assess_json(op, Lang::En).unwrap().write_json(&mut expected);
        assert_eq!(lines.next(), Some(expected.as_str()));
        assessed += 1;
    }
    assert!(assessed >= 10, "only {assessed} example operations");
    let last = lines.next().unwrap();
    let (status, record) = last.split_once('\t').unwrap();
    assert_eq!(status, "1");
    let record: serde_json::Value = serde_json::from_str(record).unwrap();
    assert_eq!((record["id"].as_str(), record["action"].as_str()), (Some("C-bad"), Some("escalate")));
    assert!(record["error"].as_str().unwrap().contains("amount"), "{record}");
    assert_eq!(lines.next(), None);
}
