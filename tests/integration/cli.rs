//! The command-line tool: batches with bad lines, output order, formats and
//! exit codes.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn tellerguard(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tellerguard"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        // The child may stop reading early; a broken pipe is fine here.
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone()).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

const GOOD_1: &str = r#"{"id":"ok-1","amount":"300","payee":{"kind":"person","first_time":false},"purpose":"生活费"}"#;
const GOOD_2: &str = r#"{"id":"ok-2","amount":"80000","customer":{"age":72},"payee":{"kind":"person","first_time":true},"purpose":"转入安全账户"}"#;

#[test]
fn bad_lines_are_reported_in_place_and_the_rest_is_assessed() {
    let huge = format!(r#"{{"id":"big","amount":"1","purpose":"{}"}}"#, "x".repeat(1 << 20));
    let input = [
        GOOD_1,
        r#"{"id":"bad-field","amount":"1","interview":{"knows_paye":true}}"#,
        r#"{"id":"bad-json","amount":"1""#,
        r#"{"id":"bad-amount","amount":"-50"}"#,
        huge.as_str(),
        r#"{"id":"bad-obs","amount":"1","observations":["crying"]}"#,
        GOOD_2,
    ]
    .join("\n");
    let out = tellerguard(&["check", "-"], input.as_bytes());
    assert_eq!(out.status.code(), Some(2), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let results = lines(&out);
    assert_eq!(results.len(), 7);
    assert_eq!(results[0]["id"], "ok-1");
    assert!(results[0]["score"].is_u64());
    let expect_errors = [
        (1, 2, Some("bad-field"), "interview.knows_paye"),
        (2, 3, Some("bad-json"), "malformed JSON"),
        (3, 4, Some("bad-amount"), "greater than 0"),
        (4, 5, None, "1048"),
        (5, 6, Some("bad-obs"), "observations[0]"),
    ];
    for (index, line, id, words) in expect_errors {
        let r = &results[index];
        assert_eq!(r["line"], line, "{r}");
        assert_eq!(r["action"], "escalate", "{r}");
        assert_ne!(r["action"], "proceed");
        match id {
            Some(id) if index != 1 => assert_eq!(r["id"], id, "{r}"),
            _ => {}
        }
        assert!(r["error"].as_str().unwrap().contains(words), "{r}");
        assert!(r.get("score").is_none());
    }
    assert_eq!(results[6]["id"], "ok-2");
    assert_eq!(results[6]["action"], "stop");
}

#[test]
fn a_line_that_is_not_utf8_is_an_error_in_place() {
    let mut input = Vec::new();
    input.extend_from_slice(GOOD_1.as_bytes());
    input.extend_from_slice(b"\n{\"id\":\"latin1\",\"amount\":\"1\",\"purpose\":\"caf\xe9\"}\n");
    input.extend_from_slice(GOOD_2.as_bytes());
    let out = tellerguard(&["check", "-"], &input);
    assert_eq!(out.status.code(), Some(2));
    let results = lines(&out);
    assert_eq!(results.len(), 3);
    assert_eq!((results[0]["id"].as_str(), results[2]["id"].as_str()), (Some("ok-1"), Some("ok-2")));
    // Another encoding would hide every phrase: the line is not assessed.
    let r = &results[1];
    assert_eq!(
        (r["line"].as_u64(), r["id"].as_str(), r["action"].as_str()),
        (Some(2), Some("latin1"), Some("escalate"))
    );
    assert!(r["error"].as_str().unwrap().contains("not valid UTF-8 (at byte 42)"), "{r}");
}

#[test]
fn output_keeps_input_order_with_many_workers() {
    let mut input = String::new();
    for i in 0..3000 {
        let amount = 100 + i;
        input.push_str(&format!(r#"{{"id":"op-{i}","amount":"{amount}","purpose":"货款"}}"#));
        input.push('\n');
        if i % 500 == 0 {
            input.push_str("not json\n");
        }
    }
    let out = tellerguard(&["check", "--jobs", "2"], input.as_bytes());
    assert_eq!(out.status.code(), Some(2));
    let results = lines(&out);
    assert_eq!(results.len(), 3006);
    let ids: Vec<String> = results.iter().filter_map(|r| r["id"].as_str().map(str::to_string)).collect();
    let expected: Vec<String> = (0..3000).map(|i| format!("op-{i}")).collect();
    assert_eq!(ids, expected);
    assert_eq!(results.iter().filter(|r| r["action"] == "escalate" && r.get("error").is_some()).count(), 6);
}

#[test]
fn a_clean_batch_exits_zero_and_blank_lines_are_skipped() {
    let input = format!("{GOOD_1}\n\n{GOOD_2}\n");
    let out = tellerguard(&["check"], input.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(lines(&out).len(), 2);
}

#[test]
fn text_format_shows_action_reasons_and_questions() {
    let out = tellerguard(&["check", "--format", "text", "--lang", "en"], GOOD_2.as_bytes());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("[ok-2] STOP"), "{text}");
    assert!(text.contains("safe_account.demand"), "{text}");
    assert!(text.contains("purpose 「安全账户」"), "{text}");
    assert!(text.contains("W_SAFE_ACCOUNT: Police"), "{text}");
    assert!(text.contains("Do you know the payee personally?"), "{text}");
}

#[test]
fn languages_switch_the_warnings() {
    let en = lines(&tellerguard(&["check", "--lang", "en"], GOOD_2.as_bytes()));
    let zh = lines(&tellerguard(&["check", "--lang", "zh"], GOOD_2.as_bytes()));
    let en_msg = en[0]["warnings"][0]["message"].as_str().unwrap();
    let zh_msg = zh[0]["warnings"][0]["message"].as_str().unwrap();
    assert!(en_msg.is_ascii() && !zh_msg.is_ascii(), "{en_msg} / {zh_msg}");
}

#[test]
fn the_example_file_is_assessed_in_full() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/transfers.jsonl");
    let out = tellerguard(&["check", path], b"");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let results = lines(&out);
    assert!(results.len() >= 10);
    let action = |id: &str| results.iter().find(|r| r["id"] == id).unwrap()["action"].as_str().unwrap().to_string();
    assert_eq!(action("EX-01"), "proceed");
    assert_eq!(action("EX-02"), "stop");
    assert_eq!(action("EX-09"), "stop");
}

#[test]
fn pack_test_and_lint_commands() {
    let out = tellerguard(&["test"], b"");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.trim_end().ends_with(" 0 failed"), "{text}");
    assert_eq!(out.status.code(), Some(0));
    let out = tellerguard(&["lint"], b"");
    assert!(String::from_utf8(out.stdout).unwrap().contains("no problems"));
}

/// A fresh folder holding the default pack's files, for a test to add to.
fn copy_of_default_pack(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tellerguard-cli-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/rules")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
    }
    dir
}

#[test]
fn lint_notes_a_regex_that_is_costly_to_build() {
    let dir = copy_of_default_pack("lint");
    let wide = "[patterns.wide_gap]\nregex = '冻结\\p{Han}{0,12}解冻'\nrequires = [\"冻结\"]\n\n\
                [[rule]]\nid = \"x.wide\"\nweight = 5\nwhen = \"purpose ~ wide_gap\"\nwarning = \"W_SECRET\"\n";
    std::fs::write(dir.join("x.toml"), wide).unwrap();
    let noted = tellerguard(&["lint", "--rules", dir.to_str().unwrap()], b"");
    // The same gap over the ideograph blocks builds small enough.
    std::fs::write(dir.join("x.toml"), wide.replace("\\p{Han}", "[\\x{3400}-\\x{9FFF}]")).unwrap();
    let narrow = tellerguard(&["lint", "--rules", dir.to_str().unwrap()], b"");
    std::fs::remove_dir_all(&dir).unwrap();
    let (noted_out, narrow_out) = (String::from_utf8(noted.stdout).unwrap(), String::from_utf8(narrow.stdout).unwrap());
    assert_eq!(noted.status.code(), Some(0), "a note is no error");
    assert!(noted_out.contains("no problems, 1 note\n"), "{noted_out}");
    assert!(noted_out.contains("\nnote: x.toml:2:10: regex `wide_gap` compiles to "), "{noted_out}");
    assert!(narrow_out.trim_end().ends_with("no problems"), "{narrow_out}");
}

#[test]
fn a_broken_pack_folder_is_reported_with_positions() {
    let dir = copy_of_default_pack("test");
    let broken = "[[rule]]\nid = \"x.y\"\nweight = 5\nwhen = \"amount >> 3\"\nwarning = \"W_SECRET\"\n";
    std::fs::write(dir.join("x.toml"), broken).unwrap();
    let out = tellerguard(&["lint", "--rules", dir.to_str().unwrap()], b"");
    let err = String::from_utf8(out.stderr).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(err.starts_with("x.toml:4:17: expected a number, found `>`"), "{err}");
}
