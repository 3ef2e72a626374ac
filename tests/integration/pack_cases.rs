//! Every test case carried in the default pack's files must pass.

use tellerguard::{EngineBuilder, PackSource};

#[test]
fn every_case_in_the_default_pack_passes() {
    let (engine, tests) = EngineBuilder::new().build_with_tests(&PackSource::embedded()).unwrap();
    assert!(tests.len() >= 14, "the pack carries only {} cases", tests.len());
    let report = tests.run(&engine);
    assert_eq!(report.failed(), 0, "\n{report}");
}
