//! The condition language of rules and procedure tiers, parsed once when the
//! pack is compiled.
//!
//! ```text
//! expr    := and ("or" and)*
//! and     := unary ("and" unary)*
//! unary   := "not" unary | primary
//! primary := "(" expr ")" | "true" | "false"
//!          | TEXT "~" SET ("|" SET)*            text matches a phrase set
//!          | "any" "(" TEXT ("," TEXT)* ")" "~" SET ("|" SET)*
//!          | NUMBER_FIELD CMP number
//!          | ENUM_FIELD ("==" | "!=") value | ENUM_FIELD "in" "[" value ("," value)* "]"
//!          | "level" CMP level                  (procedure tiers only)
//!          | FLAG_FIELD [("==" | "!=") ("true" | "false")]
//!          | "known" "(" NUMBER_FIELD | FLAG_FIELD ")"
//!          | "observations." OBSERVATION
//! ```
//!
//! Conditions use three-valued logic: a field that is absent (a question not
//! asked yet, an unknown age) makes its comparison *unknown*, `not unknown`
//! is unknown, and a rule fires only when its condition is definitely true.
//! An unanswered question therefore never counts as evidence either way.
//! Two forms are always true or false: `known(field)`, and `flag != value`,
//! which reads "is not known to be `value`" (so `payee.own_account != true`
//! holds when nobody said the account is the customer's own).

use rust_decimal::Decimal;

use crate::operation::Observation;

/// Numeric features, each scaled by 10^4 so that comparisons are integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumField {
    Amount,
    AmountRaw,
    Age,
    AccountAgeDays,
    UsualAmount,
    TransfersLast24h,
    AmountLast24h,
    AmountToUsual,
    AmountLast24hToUsual,
    Hour,
    ObservationCount,
    Score,
    Fired,
    TypologyScore,
}

pub(crate) const NUM_FIELDS: usize = 14;

const NUM_NAMES: [(&str, NumField); NUM_FIELDS] = [
    ("amount", NumField::Amount),
    ("amount_raw", NumField::AmountRaw),
    ("customer.age", NumField::Age),
    ("customer.account_age_days", NumField::AccountAgeDays),
    ("customer.usual_amount", NumField::UsualAmount),
    ("customer.transfers_last_24h", NumField::TransfersLast24h),
    ("customer.amount_last_24h", NumField::AmountLast24h),
    ("amount_to_usual", NumField::AmountToUsual),
    ("amount_last_24h_to_usual", NumField::AmountLast24hToUsual),
    ("hour", NumField::Hour),
    ("observation_count", NumField::ObservationCount),
    ("score", NumField::Score),
    ("fired", NumField::Fired),
    ("typology_score", NumField::TypologyScore),
];

/// Yes/no fields that may be unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FlagField {
    FirstTime,
    OwnAccount,
    Flagged,
    KnowsPayee,
    ContactedByStranger,
    ContactedByOfficial,
    ToldToKeepSecret,
    PromisedReturn,
    MetInPerson,
    HasDocuments,
    FamilyAware,
    WarningRead,
    Signed,
}

pub(crate) const FLAG_FIELDS: usize = 13;

const FLAG_NAMES: [(&str, FlagField); FLAG_FIELDS] = [
    ("payee.first_time", FlagField::FirstTime),
    ("payee.own_account", FlagField::OwnAccount),
    ("payee.flagged", FlagField::Flagged),
    ("interview.knows_payee", FlagField::KnowsPayee),
    ("interview.contacted_by_stranger", FlagField::ContactedByStranger),
    ("interview.contacted_by_official", FlagField::ContactedByOfficial),
    ("interview.told_to_keep_secret", FlagField::ToldToKeepSecret),
    ("interview.promised_return", FlagField::PromisedReturn),
    ("interview.met_in_person", FlagField::MetInPerson),
    ("interview.has_documents", FlagField::HasDocuments),
    ("interview.family_aware", FlagField::FamilyAware),
    ("confirmation.warning_read", FlagField::WarningRead),
    ("confirmation.signed", FlagField::Signed),
];

/// Fields with a fixed set of values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EnumField {
    Kind,
    Channel,
    PayeeKind,
    Level,
}

const ENUM_VALUES: [(&str, EnumField, &[&str]); 4] = [
    ("kind", EnumField::Kind, &["transfer", "remittance", "cash_withdrawal"]),
    ("channel", EnumField::Channel, &["counter", "self_service", "mobile", "online"]),
    ("payee.kind", EnumField::PayeeKind, &["person", "company", "unknown"]),
    ("level", EnumField::Level, &["none", "low", "medium", "high", "critical"]),
];

/// Text fields that are normalized and scanned for phrases.
pub(crate) const TEXT_FIELDS: [&str; 5] = ["purpose", "remark", "interview.purpose", "payee.name", "payee.bank"];

/// `text` stands for the three free texts: purpose, remark and interview.purpose.
const FREE_TEXT_MASK: u8 = 0b111;

/// `payee.name` and `payee.bank`: short, rarely telling, and scanned only
/// when a rule about to be evaluated reads them.
pub(crate) const PAYEE_TEXT_MASK: u8 = 0b11000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub(crate) fn holds<T: Ord>(self, left: T, right: T) -> bool {
        match self {
            CmpOp::Eq => left == right,
            CmpOp::Ne => left != right,
            CmpOp::Lt => left < right,
            CmpOp::Le => left <= right,
            CmpOp::Gt => left > right,
            CmpOp::Ge => left >= right,
        }
    }
}

/// One test on the operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Atom {
    /// A number compared with a constant, as a range test: the atom holds
    /// when the value lies in `lo..=hi` (or, with `inside` false, outside
    /// it; that is `!=`). Values are scaled by 10^4.
    Num {
        field: NumField,
        lo: i64,
        hi: i64,
        inside: bool,
    },
    Enum {
        field: EnumField,
        mask: u8,
    },
    Currency {
        equal: bool,
        code: [u8; 3],
    },
    Flag {
        field: FlagField,
        want: bool,
    },
    /// `flag != value`: true unless the flag is known to equal `value`.
    FlagIsNot {
        field: FlagField,
        value: bool,
    },
    /// `known(field)`: the field has a value.
    Known(Known),
    Observed(Observation),
    Text {
        fields: u8,
        set: u32,
    },
    Const(bool),
}

/// A field whose presence `known(...)` tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Known {
    Num(NumField),
    Flag(FlagField),
}

/// A parsed condition. `span` is the byte range of the atom in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not { inner: Box<Expr>, span: (usize, usize) },
    Atom { atom: Atom, span: (usize, usize) },
}

/// Where a condition is used: rule conditions cannot see the outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Rule,
    Procedure,
}

/// A parse error: a byte offset into the condition and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ParseError {
    pub(crate) offset: usize,
    pub(crate) message: String,
    pub(crate) unknown: bool,
}

/// `field op value` as a range test.
///
/// `value` lies strictly inside the range [`clamp_scaled`] maps to, so a fact
/// clamped to that range compares with it exactly as the unclamped one would.
pub(crate) fn num_range(field: NumField, op: CmpOp, value: i64) -> Atom {
    let (lo, hi, inside) = match op {
        CmpOp::Eq => (value, value, true),
        CmpOp::Ne => (value, value, false),
        CmpOp::Lt => (i64::MIN, value.saturating_sub(1), true),
        CmpOp::Le => (i64::MIN, value, true),
        CmpOp::Gt => (value.saturating_add(1), i64::MAX, true),
        CmpOp::Ge => (value, i64::MAX, true),
    };
    Atom::Num { field, lo, hi, inside }
}

/// Scale a decimal by 10^4 to compare as an integer (truncating finer digits).
pub(crate) fn scaled(value: Decimal) -> i128 {
    let mantissa = value.mantissa();
    let scale = value.scale();
    if scale <= 4 {
        mantissa.saturating_mul(pow10(4 - scale))
    } else {
        mantissa / pow10(scale - 4)
    }
}

/// Numbers are compared scaled by 10^4 (four decimals): the scaled 1.
pub(crate) const SCALE: i64 = 10_000;

/// The value of a number fact that is not known.
pub(crate) const UNKNOWN_NUMBER: i64 = i64::MIN;

/// The largest magnitude a scaled constant in a condition may have: about
/// 9.2 × 10^14 (yuan, days, transfers...), beyond any real operation.
pub(crate) const MAX_SCALED: i64 = i64::MAX - 1;

/// A scaled value as the `i64` that facts are compared in: values beyond
/// ±[`MAX_SCALED`] are clamped to it, which keeps them on the same side of
/// every constant a condition may hold (`i64::MIN` is left free to mean
/// "unknown").
pub(crate) fn clamp_scaled(value: i128) -> i64 {
    value.clamp(-i128::from(MAX_SCALED), i128::from(MAX_SCALED)) as i64
}

/// 10^n for the exponents a `Decimal` scale allows (at most 28), from a table.
fn pow10(n: u32) -> i128 {
    // Built at compile time: an out-of-range index would fail the build.
    #[allow(clippy::indexing_slicing)]
    const TABLE: [i128; 29] = {
        let mut table = [1i128; 29];
        let mut i = 1;
        while i < 29 {
            table[i] = table[i - 1] * 10;
            i += 1;
        }
        table
    };
    TABLE.get(n as usize).copied().unwrap_or(i128::MAX)
}

#[derive(Clone, Debug, PartialEq)]
enum Tok<'a> {
    Ident(&'a str),
    Number(&'a str),
    Str(&'a str),
    Op(&'static str),
}

fn lex(src: &str) -> Result<Vec<(Tok<'_>, usize)>, ParseError> {
    let mut out = Vec::new();
    let bytes = src.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let start = i;
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                while bytes.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.') {
                    i += 1;
                }
                out.push((Tok::Ident(src.get(start..i).unwrap_or("")), start));
            }
            b'0'..=b'9' => {
                while bytes.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'.' || *c == b'_') {
                    i += 1;
                }
                out.push((Tok::Number(src.get(start..i).unwrap_or("")), start));
            }
            b'\'' | b'"' => {
                let end = src.get(i + 1..).and_then(|rest| rest.find(b as char)).ok_or_else(|| ParseError {
                    offset: start,
                    message: "unterminated string".into(),
                    unknown: false,
                })?;
                out.push((Tok::Str(src.get(i + 1..i + 1 + end).unwrap_or("")), start));
                i += end + 2;
            }
            _ => {
                let two = src.get(i..i + 2).unwrap_or("");
                let op = ["==", "!=", "<=", ">="].into_iter().find(|op| *op == two);
                let op = match op {
                    Some(op) => op,
                    None => match b {
                        b'<' => "<",
                        b'>' => ">",
                        b'~' => "~",
                        b'(' => "(",
                        b')' => ")",
                        b'[' => "[",
                        b']' => "]",
                        b',' => ",",
                        b'|' => "|",
                        _ => {
                            let c = src.get(i..).and_then(|s| s.chars().next()).unwrap_or('?');
                            return Err(ParseError {
                                offset: i,
                                message: format!("unexpected character `{c}`"),
                                unknown: false,
                            });
                        }
                    },
                };
                i += op.len();
                out.push((Tok::Op(op), start));
            }
        }
    }
    Ok(out)
}

/// Parse `src`; `resolve_set` maps a phrase-set name to its id.
pub(crate) fn parse(src: &str, phase: Phase, resolve_set: &dyn Fn(&str) -> Option<u32>) -> Result<Expr, ParseError> {
    let toks = lex(src)?;
    let mut p = Parser { toks, pos: 0, end: src.len(), src, phase, resolve_set };
    let expr = p.expr()?;
    match p.toks.get(p.pos) {
        None => Ok(expr),
        Some((tok, at)) => Err(p.err(*at, format!("unexpected {} after a complete condition", describe(tok)))),
    }
}

fn describe(tok: &Tok<'_>) -> String {
    match tok {
        Tok::Ident(s) | Tok::Number(s) => format!("`{s}`"),
        Tok::Str(s) => format!("string `{s}`"),
        Tok::Op(s) => format!("`{s}`"),
    }
}

struct Parser<'a, 'r> {
    toks: Vec<(Tok<'a>, usize)>,
    pos: usize,
    end: usize,
    src: &'a str,
    phase: Phase,
    resolve_set: &'r dyn Fn(&str) -> Option<u32>,
}

impl<'a> Parser<'a, '_> {
    fn err(&self, offset: usize, message: String) -> ParseError {
        ParseError { offset, message, unknown: false }
    }

    fn unknown(&self, offset: usize, message: String) -> ParseError {
        ParseError { offset, message, unknown: true }
    }

    fn peek(&self) -> Option<&Tok<'a>> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }

    fn offset(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(_, at)| *at)
    }

    fn next(&mut self) -> Option<(Tok<'a>, usize)> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn eat_ident(&mut self, word: &str) -> bool {
        if self.peek() == Some(&Tok::Ident(word)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_op(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Op(o)) if *o == op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_op(&mut self, op: &str) -> Result<(), ParseError> {
        if self.eat_op(op) {
            Ok(())
        } else {
            let found = self.peek().map_or("the end".to_string(), describe);
            Err(self.err(self.offset(), format!("expected `{op}`, found {found}")))
        }
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        let mut parts = vec![self.and()?];
        while self.eat_ident("or") {
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Expr::Or(parts) })
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut parts = vec![self.unary()?];
        while self.eat_ident("and") {
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Expr::And(parts) })
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        let start = self.offset();
        if self.eat_ident("not") {
            let inner = Box::new(self.unary()?);
            return Ok(Expr::Not { inner, span: (start, self.prev_end()) });
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let start = self.offset();
        let Some((tok, at)) = self.next() else {
            return Err(self.err(self.end, "expected a condition, found the end".into()));
        };
        let atom = match tok {
            Tok::Op("(") => {
                let inner = self.expr()?;
                self.expect_op(")")?;
                return Ok(inner);
            }
            Tok::Ident("true") => Atom::Const(true),
            Tok::Ident("false") => Atom::Const(false),
            Tok::Ident("known") => {
                self.expect_op("(")?;
                let (name, at) = self.ident("a field")?;
                self.expect_op(")")?;
                let known = if let Some(&(_, f)) = NUM_NAMES.iter().find(|(n, _)| *n == name) {
                    Known::Num(f)
                } else if let Some(&(_, f)) = FLAG_NAMES.iter().find(|(n, _)| *n == name) {
                    Known::Flag(f)
                } else {
                    return Err(self.unknown(at, format!("`known` takes a number or yes/no field, not `{name}`")));
                };
                Atom::Known(known)
            }
            Tok::Ident("any") => {
                self.expect_op("(")?;
                let mut fields = 0u8;
                loop {
                    let (name, at) = self.ident("a text field")?;
                    fields |= text_mask(name).ok_or_else(|| self.unknown(at, unknown_field_message(name)))?;
                    if self.eat_op(")") {
                        break;
                    }
                    self.expect_op(",")?;
                }
                return self.text_match(fields, start);
            }
            Tok::Ident(name) => {
                if let Some(fields) = text_mask(name) {
                    return self.text_match(fields, start);
                }
                self.field_atom(name, at)?
            }
            other => return Err(self.err(at, format!("expected a condition, found {}", describe(&other)))),
        };
        Ok(Expr::Atom { atom, span: (start, self.prev_end()) })
    }

    /// Where the last token read ends (before any space after it).
    fn prev_end(&self) -> usize {
        let next = self.toks.get(self.pos).map_or(self.end, |(_, at)| *at);
        self.src.get(..next).map_or(next, |before| before.trim_end().len())
    }

    fn ident(&mut self, what: &str) -> Result<(&'a str, usize), ParseError> {
        match self.next() {
            Some((Tok::Ident(name), at)) => Ok((name, at)),
            Some((tok, at)) => Err(self.err(at, format!("expected {what}, found {}", describe(&tok)))),
            None => Err(self.err(self.end, format!("expected {what}, found the end"))),
        }
    }

    fn text_match(&mut self, fields: u8, start: usize) -> Result<Expr, ParseError> {
        self.expect_op("~")?;
        let mut sets = Vec::new();
        loop {
            let (name, at) = self.ident("a phrase set name")?;
            let set =
                (self.resolve_set)(name).ok_or_else(|| self.unknown(at, format!("unknown phrase set `{name}`")))?;
            sets.push(set);
            if !self.eat_op("|") {
                break;
            }
        }
        let span = (start, self.prev_end());
        let mut atoms: Vec<Expr> =
            sets.into_iter().map(|set| Expr::Atom { atom: Atom::Text { fields, set }, span }).collect();
        Ok(if atoms.len() == 1 { atoms.remove(0) } else { Expr::Or(atoms) })
    }

    fn field_atom(&mut self, name: &str, at: usize) -> Result<Atom, ParseError> {
        if let Some(&(_, field)) = NUM_NAMES.iter().find(|(n, _)| *n == name) {
            if matches!(field, NumField::Score | NumField::Fired | NumField::TypologyScore) && self.phase == Phase::Rule
            {
                return Err(self.unknown(at, format!("`{name}` is only known to procedure tiers, not to rules")));
            }
            let op = self.cmp_op()?;
            let number_at = self.offset();
            let value = scaled(self.number()?);
            let value = i64::try_from(value).ok().filter(|v| v.unsigned_abs() < MAX_SCALED.unsigned_abs()).ok_or_else(
                || self.err(number_at, "the number is out of range (at most ±922,337,203,685,477)".into()),
            )?;
            return Ok(num_range(field, op, value));
        }
        if let Some(&(_, field)) = FLAG_NAMES.iter().find(|(n, _)| *n == name) {
            if self.eat_op("==") {
                return Ok(Atom::Flag { field, want: self.boolean()? });
            }
            if self.eat_op("!=") {
                return Ok(Atom::FlagIsNot { field, value: self.boolean()? });
            }
            return Ok(Atom::Flag { field, want: true });
        }
        if let Some(obs) = name.strip_prefix("observations.") {
            let observation = Observation::ALL
                .into_iter()
                .find(|o| o.as_str() == obs)
                .ok_or_else(|| self.unknown(at, format!("unknown observation `{obs}`")))?;
            return Ok(Atom::Observed(observation));
        }
        if name == "currency" {
            let equal = if self.eat_op("==") {
                true
            } else if self.eat_op("!=") {
                false
            } else {
                return Err(self.err(self.offset(), "expected `==` or `!=` after `currency`".into()));
            };
            let (code, code_at) = match self.next() {
                Some((Tok::Str(s) | Tok::Ident(s), at)) => (s, at),
                _ => return Err(self.err(self.offset(), "expected a currency code such as 'USD'".into())),
            };
            let bytes: [u8; 3] = code
                .as_bytes()
                .try_into()
                .ok()
                .filter(|b: &[u8; 3]| b.iter().all(u8::is_ascii_uppercase))
                .ok_or_else(|| self.err(code_at, format!("`{code}` is not a three-letter currency code")))?;
            return Ok(Atom::Currency { equal, code: bytes });
        }
        if let Some(&(_, field, values)) = ENUM_VALUES.iter().find(|(n, _, _)| *n == name) {
            if field == EnumField::Level && self.phase == Phase::Rule {
                return Err(self.unknown(at, "`level` is only known to procedure tiers, not to rules".into()));
            }
            return self.enum_atom(name, field, values);
        }
        Err(self.unknown(at, unknown_field_message(name)))
    }

    fn enum_atom(&mut self, name: &str, field: EnumField, values: &[&str]) -> Result<Atom, ParseError> {
        let all: u8 = ((1u16 << values.len()) - 1) as u8;
        if self.eat_ident("in") {
            self.expect_op("[")?;
            let mut mask = 0u8;
            loop {
                mask |= self.enum_value(name, values)?;
                if self.eat_op("]") {
                    break;
                }
                self.expect_op(",")?;
            }
            return Ok(Atom::Enum { field, mask });
        }
        let op_at = self.offset();
        let op = self.cmp_op()?;
        let bit = self.enum_value(name, values)?;
        let index = bit.trailing_zeros();
        let ordered = field == EnumField::Level;
        let mask = match op {
            CmpOp::Eq => bit,
            CmpOp::Ne => all & !bit,
            _ if !ordered => {
                return Err(self.err(op_at, format!("`{name}` can only be compared with `==`, `!=` or `in`")));
            }
            _ => (0..values.len() as u32).filter(|&i| op.holds(i, index)).fold(0u8, |m, i| m | (1 << i)),
        };
        Ok(Atom::Enum { field, mask })
    }

    fn enum_value(&mut self, name: &str, values: &[&str]) -> Result<u8, ParseError> {
        match self.next() {
            Some((Tok::Ident(v) | Tok::Str(v), at)) => match values.iter().position(|x| *x == v) {
                Some(i) => Ok(1 << i),
                None => {
                    Err(self.unknown(at, format!("`{v}` is not a value of `{name}` (one of: {})", values.join(", "))))
                }
            },
            Some((tok, at)) => Err(self.err(at, format!("expected a value of `{name}`, found {}", describe(&tok)))),
            None => Err(self.err(self.end, format!("expected a value of `{name}`, found the end"))),
        }
    }

    fn cmp_op(&mut self) -> Result<CmpOp, ParseError> {
        let op = match self.peek() {
            Some(Tok::Op("==")) => CmpOp::Eq,
            Some(Tok::Op("!=")) => CmpOp::Ne,
            Some(Tok::Op("<")) => CmpOp::Lt,
            Some(Tok::Op("<=")) => CmpOp::Le,
            Some(Tok::Op(">")) => CmpOp::Gt,
            Some(Tok::Op(">=")) => CmpOp::Ge,
            other => {
                let found = other.map_or("the end".to_string(), describe);
                return Err(
                    self.err(self.offset(), format!("expected a comparison (==, !=, <, <=, >, >=), found {found}"))
                );
            }
        };
        self.pos += 1;
        Ok(op)
    }

    fn number(&mut self) -> Result<Decimal, ParseError> {
        match self.next() {
            Some((Tok::Number(text), at)) => {
                let clean: String = text.chars().filter(|c| *c != '_').collect();
                clean.parse::<Decimal>().map_err(|_| self.err(at, format!("`{text}` is not a number")))
            }
            Some((tok, at)) => Err(self.err(at, format!("expected a number, found {}", describe(&tok)))),
            None => Err(self.err(self.end, "expected a number, found the end".into())),
        }
    }

    fn boolean(&mut self) -> Result<bool, ParseError> {
        match self.next() {
            Some((Tok::Ident("true"), _)) => Ok(true),
            Some((Tok::Ident("false"), _)) => Ok(false),
            Some((tok, at)) => Err(self.err(at, format!("expected `true` or `false`, found {}", describe(&tok)))),
            None => Err(self.err(self.end, "expected `true` or `false`, found the end".into())),
        }
    }
}

fn text_mask(name: &str) -> Option<u8> {
    if name == "text" {
        return Some(FREE_TEXT_MASK);
    }
    TEXT_FIELDS.iter().position(|f| *f == name).map(|i| 1u8 << i)
}

fn unknown_field_message(name: &str) -> String {
    let mut known: Vec<&str> = NUM_NAMES.iter().map(|(n, _)| *n).collect();
    known.extend(FLAG_NAMES.iter().map(|(n, _)| *n));
    known.extend(ENUM_VALUES.iter().map(|(n, _, _)| *n));
    known.extend(TEXT_FIELDS);
    known.extend(["text", "currency"]);
    let close = known.iter().find(|k| edit_distance(k, name) <= 2);
    match close {
        Some(k) => format!("unknown field `{name}` (did you mean `{k}`?)"),
        None => format!("unknown field `{name}`"),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let cur = row.get(j + 1).copied().unwrap_or(0);
            let left = row.get(j).copied().unwrap_or(0);
            let best = if ca == *cb { prev } else { 1 + prev.min(cur).min(left) };
            if let Some(slot) = row.get_mut(j + 1) {
                *slot = best;
            }
            prev = cur;
        }
    }
    row.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets(name: &str) -> Option<u32> {
        ["safe_terms", "fees"].iter().position(|s| *s == name).map(|i| i as u32)
    }

    fn p(src: &str) -> Result<Expr, ParseError> {
        parse(src, Phase::Rule, &sets)
    }

    #[test]
    fn parses_the_documented_forms() {
        let e = p("amount >= 50_000 and customer.age >= 60 and any(purpose, remark) ~ safe_terms | fees").unwrap();
        let Expr::And(parts) = e else { panic!("expected and") };
        assert_eq!(parts.len(), 3);
        assert!(matches!(
            parts[0],
            Expr::Atom { atom: Atom::Num { field: NumField::Amount, lo: 500_000_000, hi: i64::MAX, inside: true }, .. }
        ));
        assert!(matches!(&parts[2], Expr::Or(alts) if alts.len() == 2));
        assert!(p("not interview.knows_payee and observations.on_phone").is_ok());
        assert!(p("kind in [transfer, remittance] and payee.kind == person and currency != 'CNY'").is_ok());
        assert!(p("(payee.first_time == false or payee.own_account) and text ~ fees").is_ok());
    }

    #[test]
    fn level_comparisons_are_ordered() {
        let e = parse("level >= high", Phase::Procedure, &sets).unwrap();
        assert!(matches!(e, Expr::Atom { atom: Atom::Enum { field: EnumField::Level, mask: 0b11000 }, .. }));
        assert!(p("level >= high").unwrap_err().unknown);
    }

    #[test]
    fn unknown_names_are_reported_with_their_offset() {
        let err = p("amount > 1 and interview.knows_paye").unwrap_err();
        assert!(err.unknown);
        assert_eq!(err.offset, 15);
        assert!(err.message.contains("did you mean `interview.knows_payee`"), "{}", err.message);
        let err = p("purpose ~ safe_termz").unwrap_err();
        assert_eq!((err.offset, err.message.as_str()), (10, "unknown phrase set `safe_termz`"));
        assert!(p("observations.on_fone").unwrap_err().message.contains("unknown observation"));
        assert!(p("kind == wire").unwrap_err().message.contains("not a value of `kind`"));
    }

    #[test]
    fn syntax_errors_are_reported() {
        assert!(!p("amount >> 3").unwrap_err().unknown);
        assert!(p("amount >= ").is_err());
        assert!(p("(amount > 1").is_err());
        assert!(p("amount > 1 amount").is_err());
        assert!(p("kind > transfer").is_err());
    }

    /// Constants beyond what facts are compared in are refused, so that
    /// clamping a fact never moves it across a constant.
    #[test]
    fn numbers_out_of_range_are_refused() {
        let err = p("amount >= 1000000000000000").unwrap_err();
        assert_eq!(err.offset, 10);
        assert!(err.message.contains("out of range"), "{}", err.message);
        assert!(p("amount < -1000000000000000").is_err());
        let Ok(Expr::Atom { atom: Atom::Num { lo, .. }, .. }) = p("amount > 922337203685476") else {
            panic!("the largest accepted constant")
        };
        assert_eq!(lo, 9_223_372_036_854_760_001);
        // A clamped fact stays above every accepted constant.
        assert!(clamp_scaled(i128::MAX) > 9_223_372_036_854_760_000);
        assert!(clamp_scaled(i128::MIN) > i64::MIN);
    }
}
