//! A deterministic, generated workload of counter operations, for
//! benchmarks and `tellerguard bench`.
//!
//! Most operations are ordinary branch traffic: living expenses and rent to
//! known people, salaries, supplier and utility payments to companies,
//! pension withdrawals, transfers between the customer's own accounts. About
//! [`SCAM_PERCENT`] percent follow a scam pattern of the default pack (a
//! "safe account" demand, an elderly customer breaking deposits on the
//! phone, screen sharing, secrecy, a courier collecting cash, a caller
//! claiming to be the police). Every operation is built as the contract's
//! JSON and parsed with [`Operation::from_json`], so it is exactly what a
//! teller system would send.
//!
//! ```
//! let ops = tellerguard::workload::generate(100, 7);
//! assert_eq!(ops.len(), 100);
//! assert_eq!(ops, tellerguard::workload::generate(100, 7));
//! ```

use serde_json::{json, Map, Value};

use crate::operation::Operation;

/// The share of generated operations that follow a scam pattern, in percent.
pub const SCAM_PERCENT: u64 = 7;

/// A small, seeded PRNG (SplitMix64): the same seed gives the same workload
/// on every platform and version.
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi.saturating_sub(lo) + 1)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let n = items.len() as u64;
        if n == 0 {
            return "";
        }
        items.get((self.next() % n) as usize).copied().unwrap_or("")
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const PEOPLE: &[&str] =
    &["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄勇", "周杰", "吴婷", "徐明", "孙丽"];
const COMPANIES: &[&str] = &[
    "上海申达贸易有限公司",
    "广州恒丰建材有限公司",
    "北京华联超市有限公司",
    "杭州绿源农产品有限公司",
    "深圳市启航物流有限公司",
    "成都天府印务有限公司",
];
const UTILITIES: &[&str] = &["国网电力公司", "市自来水公司", "中国移动通信", "某某物业服务有限公司"];
const BANKS: &[&str] = &["工商银行", "建设银行", "农业银行", "中国银行", "招商银行", "邮储银行"];

fn amount(yuan: u64, rng: &mut Rng) -> String {
    if rng.chance(50) {
        yuan.to_string()
    } else {
        format!("{yuan}.{:02}", rng.range(0, 99))
    }
}

fn timestamp(rng: &mut Rng) -> String {
    format!(
        "2026-{:02}-{:02}T{:02}:{:02}:00+08:00",
        rng.range(1, 12),
        rng.range(1, 28),
        rng.range(8, 18),
        rng.range(0, 59)
    )
}

/// Interview answers a teller records for an ordinary payment.
fn benign_answers(purpose: &str) -> Value {
    json!({
        "knows_payee": true, "purpose": purpose, "contacted_by_stranger": false,
        "contacted_by_official": false,
    })
}

fn ordinary(rng: &mut Rng, op: &mut Map<String, Value>) {
    let usual = rng.range(5, 40) * 100;
    let (purpose, payee, yuan, kind) = match rng.range(0, 9) {
        0 | 1 => {
            let purpose = rng.pick(&["生活费", "给妈妈生活费", "孩子零花钱", "家用", "living expenses"]);
            (
                purpose,
                json!({"name": rng.pick(PEOPLE), "kind": "person", "first_time": false}),
                rng.range(200, 5000),
                "transfer",
            )
        }
        2 => {
            let purpose = rng.pick(&["工资", "3月工资", "劳务报酬", "salary"]);
            (
                purpose,
                json!({"name": rng.pick(PEOPLE), "kind": "person", "first_time": false}),
                rng.range(3000, 15000),
                "transfer",
            )
        }
        3 => {
            let purpose = rng.pick(&["房租", "季度房租", "rent"]);
            (
                purpose,
                json!({"name": rng.pick(PEOPLE), "kind": "person", "first_time": false}),
                rng.range(1500, 8000),
                "transfer",
            )
        }
        4 | 5 => {
            let purpose = rng.pick(&["采购货款", "货款", "材料费", "运费", "印刷费", "supplier invoice"]);
            let payee = json!({"name": rng.pick(COMPANIES), "bank": rng.pick(BANKS), "kind": "company",
                               "first_time": rng.chance(15)});
            (purpose, payee, rng.range(5_000, 180_000), "transfer")
        }
        6 => {
            let purpose = rng.pick(&["电费", "水费", "话费", "物业费"]);
            (
                purpose,
                json!({"name": rng.pick(UTILITIES), "kind": "company", "first_time": false}),
                rng.range(50, 900),
                "transfer",
            )
        }
        7 => {
            let purpose = rng.pick(&["取养老金", "日常开支", "买菜", "pension"]);
            op.insert(
                "customer".into(),
                json!({"age": rng.range(60, 88), "account_age_days": rng.range(2000, 9000),
                       "usual_amount": (usual * 2).to_string()}),
            );
            (purpose, json!({}), rng.range(500, usual * 2), "cash_withdrawal")
        }
        _ => {
            let purpose = rng.pick(&["转到自己账户", "本人账户互转", "定期到期转活期", "own account transfer"]);
            let payee = json!({"name": rng.pick(PEOPLE), "bank": rng.pick(BANKS), "kind": "person",
                               "own_account": true, "first_time": rng.chance(20)});
            (purpose, payee, rng.range(1_000, 300_000), "transfer")
        }
    };
    op.insert("amount".into(), amount(yuan, rng).into());
    if !op.contains_key("customer") {
        // The customer's usual amount is of the same order as this payment.
        let usual = (yuan * rng.range(5, 20) / 10).max(100);
        op.insert(
            "customer".into(),
            json!({"age": rng.range(22, 80), "account_age_days": rng.range(200, 6000),
                   "usual_amount": usual.to_string(), "transfers_last_24h": rng.range(0, 1)}),
        );
    }
    op.insert("kind".into(), kind.into());
    if payee.as_object().is_some_and(|p| !p.is_empty()) {
        op.insert("payee".into(), payee);
    }
    op.insert("purpose".into(), purpose.into());
    if rng.chance(30) {
        op.insert(
            "remark".into(),
            format!("{}{}", rng.pick(&["转账", "付款", "发票号"]), rng.range(1000, 99999)).into(),
        );
    }
    if rng.chance(40) {
        op.insert("interview".into(), benign_answers(purpose));
    }
}

fn scam(rng: &mut Rng, op: &mut Map<String, Value>) {
    let age = rng.range(55, 86);
    op.insert("customer".into(), json!({"age": age, "account_age_days": rng.range(1000, 9000)}));
    op.insert("amount".into(), amount(rng.range(20, 500) * 1000, rng).into());
    op.insert("payee".into(), json!({"name": rng.pick(PEOPLE), "kind": "person", "first_time": true}));
    match rng.range(0, 5) {
        0 => {
            op.insert("purpose".into(), rng.pick(&["转入安全账户配合公安清查资金", "资金核查", "safe account"]).into());
            op.insert("observations".into(), json!(["on_phone"]));
        }
        1 => {
            op.insert("purpose".into(), rng.pick(&["装修", "买房", "借给朋友"]).into());
            op.insert("observations".into(), json!(["breaking_deposits", "on_phone"]));
        }
        2 => {
            op.insert("purpose".into(), "投资".into());
            op.insert("remark".into(), "对方让开启屏幕共享".into());
            op.insert("observations".into(), json!(["remote_control_app"]));
        }
        3 => {
            op.insert("purpose".into(), "货款".into());
            op.insert("interview".into(), json!({"purpose": "对方说不要告诉银行, 马上转", "knows_payee": false}));
        }
        4 => {
            op.insert("kind".into(), "cash_withdrawal".into());
            op.insert("purpose".into(), "取现金, 交给专人上门取".into());
            op.insert("payee".into(), json!({}));
        }
        _ => {
            op.insert("purpose".into(), "生活费".into());
            op.insert("interview".into(), json!({"contacted_by_official": true, "knows_payee": false}));
        }
    }
}

/// `n` operations as lines of the contract's JSON, the same for the same
/// `n` and `seed`.
pub fn lines(n: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng(seed ^ 0x7E11_E26A_A2D0_0001);
    (0..n)
        .map(|i| {
            let mut op = Map::new();
            op.insert("id".into(), format!("W-{seed}-{i}").into());
            op.insert("requested_at".into(), timestamp(&mut rng).into());
            if rng.chance(SCAM_PERCENT) {
                scam(&mut rng, &mut op);
            } else {
                ordinary(&mut rng, &mut op);
            }
            Value::Object(op).to_string()
        })
        .collect()
}

/// `n` operations, the same for the same `n` and `seed`: [`lines`] parsed
/// with [`Operation::from_json`].
pub fn generate(n: usize, seed: u64) -> Vec<Operation> {
    lines(n, seed).iter().filter_map(|line| Operation::from_json(line).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;

    #[test]
    fn every_line_parses_and_the_workload_is_deterministic() {
        let lines = lines(2_000, 42);
        for line in &lines {
            Operation::from_json(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        }
        assert_eq!(generate(2_000, 42).len(), 2_000);
        assert_eq!(generate(500, 42), generate(500, 42));
        assert_ne!(generate(500, 42), generate(500, 43));
    }

    #[test]
    fn a_small_share_matches_the_default_pack() {
        let engine = Engine::embedded().unwrap();
        let ops = generate(5_000, 1);
        let matching = ops.iter().filter(|op| !engine.assess(op).matches.is_empty()).count();
        let percent = matching * 100 / ops.len();
        assert!((3..=15).contains(&percent), "{matching} of {} operations match ({percent}%)", ops.len());
    }
}
