//! `tellerguard bench`: the JSON report has the documented keys with
//! positive values. Speed itself is never asserted here.

use std::process::Command;

#[test]
fn bench_reports_positive_figures_as_json() {
    let output = Command::new(env!("CARGO_BIN_EXE_tellerguard"))
        .args(["bench", "--seconds", "0.2", "--format", "json"])
        .output()
        .expect("run tellerguard bench");
    assert!(output.status.success(), "bench failed: {}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
    for key in ["assessments_per_sec", "p50_ns", "p99_ns", "p999_ns", "compile_ms", "engine_bytes", "threads"] {
        let value = report.get(key).and_then(serde_json::Value::as_f64);
        assert!(value.is_some_and(|v| v > 0.0), "`{key}` is not a positive number in {report}");
    }
    assert_eq!(report["threads"], 1);
    assert!(report["p50_ns"].as_f64() <= report["p99_ns"].as_f64());
    assert!(report["p99_ns"].as_f64() <= report["p999_ns"].as_f64());
}

#[test]
fn bench_reads_operations_from_a_file_and_rejects_bad_durations() {
    let dir = std::env::temp_dir().join(format!("tellerguard-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("ops.jsonl");
    std::fs::write(&file, tellerguard::workload::lines(50, 3).join("\n")).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_tellerguard"))
        .args(["bench", "--seconds", "0.1", "--threads", "2", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["threads"], 2);
    assert_eq!(report["operations"], 50);
    let _ = std::fs::remove_dir_all(&dir);

    let output = Command::new(env!("CARGO_BIN_EXE_tellerguard")).args(["bench", "--seconds", "-1"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}
