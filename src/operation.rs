//! The input of the contract: a pending operation, strictly parsed.
//!
//! Parsing is strict on purpose: an unknown field or enum value is an error
//! that names the JSON path (`interview.knows_paye`), because a misspelt
//! answer silently ignored would let a scam through. Amounts are decimals,
//! read from the JSON text itself and never through a floating-point number.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::amount;

/// The longest accepted free text (purpose, remark, names), in characters.
pub const MAX_TEXT_CHARS: usize = 500;
/// The longest accepted operation id, in characters.
pub const MAX_ID_CHARS: usize = 64;
/// The most decimal places an amount may have.
pub const MAX_AMOUNT_SCALE: u32 = 4;

/// A pending operation, as teller software sends it just before executing it.
///
/// Build one with [`Operation::new`] and set the public fields, or parse the
/// contract's JSON with [`Operation::from_json`] (which also validates it).
///
/// ```
/// use tellerguard::{Operation, Observation};
///
/// let mut op = Operation::new("T-1", "3000".parse().unwrap());
/// op.purpose = Some("生活费".to_string());
/// op.observations.push(Observation::OnPhone);
/// assert!(op.validate().is_ok());
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    /// The teller software's reference, echoed in the assessment (1..=64 characters).
    pub id: String,
    /// The amount, greater than zero, at most four decimal places.
    #[serde(with = "amount::required")]
    pub amount: Decimal,
    /// ISO 4217 code, three uppercase letters (default `CNY`).
    #[serde(default = "default_currency")]
    pub currency: String,
    /// What kind of operation this is.
    #[serde(default)]
    pub kind: Kind,
    /// Where the operation is being made.
    #[serde(default)]
    pub channel: Channel,
    /// RFC 3339 timestamp with offset; its local hour is available to rules as `hour`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_at: Option<String>,
    /// What is known about the paying customer.
    #[serde(default, skip_serializing_if = "Customer::is_empty")]
    pub customer: Customer,
    /// What is known about the receiving account.
    #[serde(default, skip_serializing_if = "Payee::is_empty")]
    pub payee: Payee,
    /// The purpose written on the slip or entered by the teller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// The memo that travels with the transfer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    /// What the teller or lobby staff saw.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observations: Vec<Observation>,
    /// The customer's answers to the counter questions.
    #[serde(default, skip_serializing_if = "Interview::is_empty")]
    pub interview: Interview,
    /// The risk warning and signed confirmation step.
    #[serde(default, skip_serializing_if = "Confirmation::is_empty")]
    pub confirmation: Confirmation,
}

fn default_currency() -> String {
    "CNY".to_string()
}

/// The kind of operation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Account to account.
    #[default]
    Transfer,
    /// Cash handed over to be sent to another's account.
    Remittance,
    /// Cash taken out.
    CashWithdrawal,
}

/// Where the operation is made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// At a teller's counter.
    #[default]
    Counter,
    /// A machine in the branch (ATM, kiosk).
    SelfService,
    /// The mobile banking app.
    Mobile,
    /// Online banking.
    Online,
}

/// What kind of party receives the money.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayeeKind {
    /// A natural person.
    Person,
    /// A company, institution or other organisation.
    Company,
    /// Not known.
    #[default]
    Unknown,
}

/// What is known about the paying customer.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    /// Age in years, 0..=130.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<u8>,
    /// Age of the paying account in days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_age_days: Option<u32>,
    /// The customer's typical single outgoing amount over the past year.
    #[serde(default, with = "amount::optional", skip_serializing_if = "Option::is_none")]
    pub usual_amount: Option<Decimal>,
    /// Outgoing operations in the 24 hours before this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfers_last_24h: Option<u32>,
    /// Their total.
    #[serde(default, with = "amount::optional", skip_serializing_if = "Option::is_none")]
    pub amount_last_24h: Option<Decimal>,
}

impl Customer {
    fn is_empty(&self) -> bool {
        *self == Customer::default()
    }
}

/// What is known about the receiving account.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payee {
    /// Account holder's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Account number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The receiving bank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank: Option<String>,
    /// Person, company or unknown.
    #[serde(default)]
    pub kind: PayeeKind,
    /// The customer has never paid this account before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_time: Option<bool>,
    /// The receiving account belongs to the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_account: Option<bool>,
    /// The account is on the bank's list of suspected fraud or mule accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flagged: Option<bool>,
}

impl Payee {
    fn is_empty(&self) -> bool {
        *self == Payee::default()
    }
}

/// What the teller or lobby staff observed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Observation {
    /// On a phone or video call during the transaction.
    OnPhone,
    /// Reading from notes or messages, or being coached remotely.
    FollowingInstructions,
    /// Insists on haste, cannot wait.
    Urgent,
    /// Frightened, nervous, crying.
    Anxious,
    /// Will not say why, or says they were told to keep it secret.
    Secretive,
    /// Someone who is not a known relative accompanies them and speaks for them.
    AccompaniedByStranger,
    /// Dismisses the staff's warnings.
    RefusesAdvice,
    /// A screen-sharing or remote-control app is running on their phone.
    RemoteControlApp,
    /// The stated purpose does not fit what staff see.
    StoryInconsistent,
    /// Closing term deposits, certificates or policies early.
    BreakingDeposits,
    /// Opened a new account, raised limits or enabled online banking just for this.
    NewAccessForTransfer,
}

impl Observation {
    /// Every observation, in contract order.
    pub const ALL: [Observation; 11] = [
        Observation::OnPhone,
        Observation::FollowingInstructions,
        Observation::Urgent,
        Observation::Anxious,
        Observation::Secretive,
        Observation::AccompaniedByStranger,
        Observation::RefusesAdvice,
        Observation::RemoteControlApp,
        Observation::StoryInconsistent,
        Observation::BreakingDeposits,
        Observation::NewAccessForTransfer,
    ];

    /// The contract's name for this observation.
    pub fn as_str(self) -> &'static str {
        match self {
            Observation::OnPhone => "on_phone",
            Observation::FollowingInstructions => "following_instructions",
            Observation::Urgent => "urgent",
            Observation::Anxious => "anxious",
            Observation::Secretive => "secretive",
            Observation::AccompaniedByStranger => "accompanied_by_stranger",
            Observation::RefusesAdvice => "refuses_advice",
            Observation::RemoteControlApp => "remote_control_app",
            Observation::StoryInconsistent => "story_inconsistent",
            Observation::BreakingDeposits => "breaking_deposits",
            Observation::NewAccessForTransfer => "new_access_for_transfer",
        }
    }
}

/// The customer's answers to the counter questions; `None` means not asked yet.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interview {
    /// Do you know the payee personally?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knows_payee: Option<bool>,
    /// What is the money for? (the customer's own words)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// Did someone you do not know ask for or advise this transfer?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacted_by_stranger: Option<bool>,
    /// Did someone claiming to be police, court, tax, a bank or customer service contact you?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacted_by_official: Option<bool>,
    /// Were you told to keep this transfer secret?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub told_to_keep_secret: Option<bool>,
    /// Were you promised a profit, refund, rebate, prize or loan in return?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promised_return: Option<bool>,
    /// Have you met the payee (or the person asking) in person?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub met_in_person: Option<bool>,
    /// Is there a contract, invoice, quote or bill?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_documents: Option<bool>,
    /// Does your family know about this payment?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_aware: Option<bool>,
}

impl Interview {
    fn is_empty(&self) -> bool {
        *self == Interview::default()
    }

    /// Whether the customer has answered `question`.
    pub fn is_answered(&self, question: Question) -> bool {
        match question {
            Question::KnowsPayee => self.knows_payee.is_some(),
            Question::Purpose => self.purpose.as_deref().is_some_and(|p| !p.trim().is_empty()),
            Question::ContactedByStranger => self.contacted_by_stranger.is_some(),
            Question::ContactedByOfficial => self.contacted_by_official.is_some(),
            Question::ToldToKeepSecret => self.told_to_keep_secret.is_some(),
            Question::PromisedReturn => self.promised_return.is_some(),
            Question::MetInPerson => self.met_in_person.is_some(),
            Question::HasDocuments => self.has_documents.is_some(),
            Question::FamilyAware => self.family_aware.is_some(),
        }
    }
}

/// A counter question, named by its `interview` field.
///
/// The order of the variants is the order in which questions are listed in
/// an assessment: the core of "three questions, one confirmation" first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Question {
    /// Do you know the payee personally, have you met them?
    KnowsPayee,
    /// What is the money for?
    Purpose,
    /// Did someone you do not know contact you and ask for this transfer?
    ContactedByStranger,
    /// Did someone claiming to be an official or customer service contact you?
    ContactedByOfficial,
    /// Were you told to keep this secret?
    ToldToKeepSecret,
    /// Were you promised something in return?
    PromisedReturn,
    /// Have you met the payee in person?
    MetInPerson,
    /// Is there a contract, invoice or bill?
    HasDocuments,
    /// Does your family know?
    FamilyAware,
}

impl Question {
    /// Every question, in listing order.
    pub const ALL: [Question; 9] = [
        Question::KnowsPayee,
        Question::Purpose,
        Question::ContactedByStranger,
        Question::ContactedByOfficial,
        Question::ToldToKeepSecret,
        Question::PromisedReturn,
        Question::MetInPerson,
        Question::HasDocuments,
        Question::FamilyAware,
    ];

    /// The contract's id of this question (its `interview` field name).
    pub fn as_str(self) -> &'static str {
        match self {
            Question::KnowsPayee => "knows_payee",
            Question::Purpose => "purpose",
            Question::ContactedByStranger => "contacted_by_stranger",
            Question::ContactedByOfficial => "contacted_by_official",
            Question::ToldToKeepSecret => "told_to_keep_secret",
            Question::PromisedReturn => "promised_return",
            Question::MetInPerson => "met_in_person",
            Question::HasDocuments => "has_documents",
            Question::FamilyAware => "family_aware",
        }
    }

    /// Look a question up by its id.
    pub fn from_id(id: &str) -> Option<Question> {
        Question::ALL.into_iter().find(|q| q.as_str() == id)
    }
}

/// The "one confirmation" step.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Confirmation {
    /// Staff read the risk warning to the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning_read: Option<bool>,
    /// The customer signed the risk confirmation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed: Option<bool>,
}

impl Confirmation {
    fn is_empty(&self) -> bool {
        *self == Confirmation::default()
    }

    /// Whether the warning was read and the confirmation signed.
    pub fn is_complete(&self) -> bool {
        self.warning_read == Some(true) && self.signed == Some(true)
    }
}

/// Why an operation could not be accepted: the JSON path of the offending
/// field (when there is one) and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    path: Option<String>,
    message: String,
}

impl InputError {
    pub(crate) fn new(path: Option<String>, message: impl Into<String>) -> InputError {
        InputError { path, message: message.into() }
    }

    fn field(path: &str, message: impl Into<String>) -> InputError {
        InputError::new(Some(path.to_string()), message)
    }

    /// The JSON path of the offending field, such as `interview.knows_paye`.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// What is wrong, without the path.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "`{path}`: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for InputError {}

impl Operation {
    /// The `id` of a record that could not be parsed, for error reports: read
    /// from the JSON when it parses, else from the first `"id": "..."` in the
    /// text of a truncated or malformed record. `None` when no plausible id
    /// (1 to [`MAX_ID_CHARS`] characters, no escapes) is found.
    ///
    /// ```
    /// use tellerguard::Operation;
    /// assert_eq!(Operation::id_hint(r#"{"id": "T-7", "amount": 12}"#).as_deref(), Some("T-7"));
    /// assert_eq!(Operation::id_hint(r#"{"id": "T-8", "amount": "1"#).as_deref(), Some("T-8"));
    /// assert_eq!(Operation::id_hint("not json"), None);
    /// ```
    pub fn id_hint(json: &str) -> Option<String> {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(json) {
            return value.get("id")?.as_str().map(str::to_string);
        }
        let after_key = json.split_once("\"id\"")?.1.trim_start().strip_prefix(':')?.trim_start();
        let body = after_key.strip_prefix('"')?;
        let end = body.find('"')?;
        let id = body.get(..end)?;
        (!id.is_empty() && !id.contains('\\') && id.chars().count() <= MAX_ID_CHARS).then(|| id.to_string())
    }

    /// A transfer of `amount` CNY at the counter, with nothing else known.
    pub fn new(id: impl Into<String>, amount: Decimal) -> Operation {
        Operation {
            id: id.into(),
            amount,
            currency: default_currency(),
            kind: Kind::default(),
            channel: Channel::default(),
            requested_at: None,
            customer: Customer::default(),
            payee: Payee::default(),
            purpose: None,
            remark: None,
            observations: Vec::new(),
            interview: Interview::default(),
            confirmation: Confirmation::default(),
        }
    }

    /// Parse and validate one operation from the contract's JSON.
    ///
    /// ```
    /// let err = tellerguard::Operation::from_json(
    ///     r#"{"id": "T-1", "amount": "100", "interview": {"knows_paye": true}}"#,
    /// ).unwrap_err();
    /// assert_eq!(err.path(), Some("interview.knows_paye"));
    /// ```
    pub fn from_json(json: &str) -> Result<Operation, InputError> {
        let mut de = serde_json::Deserializer::from_str(json);
        let op: Operation = serde_path_to_error::deserialize(&mut de).map_err(json_error)?;
        de.end().map_err(|e| InputError::new(None, format!("malformed JSON: {e}")))?;
        op.validate()?;
        Ok(op)
    }

    /// Parse and validate an operation from an already parsed JSON value.
    pub fn from_value(value: serde_json::Value) -> Result<Operation, InputError> {
        let op: Operation = serde_path_to_error::deserialize(value).map_err(json_error)?;
        op.validate()?;
        Ok(op)
    }

    /// Check the contract's limits: id length, amount sign and scale,
    /// currency code, customer age, text lengths.
    pub fn validate(&self) -> Result<(), InputError> {
        let id_chars = self.id.chars().count();
        if id_chars == 0 || id_chars > MAX_ID_CHARS {
            return Err(InputError::field("id", format!("must be 1 to {MAX_ID_CHARS} characters, got {id_chars}")));
        }
        amount::check_positive("amount", self.amount)?;
        if self.currency.len() != 3 || !self.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(InputError::field(
                "currency",
                format!("must be three uppercase letters, got `{}`", self.currency),
            ));
        }
        if let Some(ts) = &self.requested_at {
            if crate::timestamp::local_hour(ts).is_none() {
                return Err(InputError::field(
                    "requested_at",
                    format!("`{ts}` is not an RFC 3339 timestamp with offset"),
                ));
            }
        }
        if let Some(age) = self.customer.age {
            if age > 130 {
                return Err(InputError::field("customer.age", format!("must be 0 to 130, got {age}")));
            }
        }
        if let Some(v) = self.customer.usual_amount {
            amount::check_non_negative("customer.usual_amount", v)?;
        }
        if let Some(v) = self.customer.amount_last_24h {
            amount::check_non_negative("customer.amount_last_24h", v)?;
        }
        let texts = [
            ("purpose", &self.purpose),
            ("remark", &self.remark),
            ("payee.name", &self.payee.name),
            ("payee.account", &self.payee.account),
            ("payee.bank", &self.payee.bank),
            ("interview.purpose", &self.interview.purpose),
        ];
        for (path, text) in texts {
            if let Some(text) = text {
                let n = text.chars().count();
                if n > MAX_TEXT_CHARS {
                    return Err(InputError::field(
                        path,
                        format!("is {n} characters, more than the {MAX_TEXT_CHARS} allowed"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Whether `observation` was recorded.
    pub fn observed(&self, observation: Observation) -> bool {
        self.observations.contains(&observation)
    }
}

fn json_error(err: serde_path_to_error::Error<serde_json::Error>) -> InputError {
    let path = err.path().to_string();
    let inner = err.into_inner();
    let message = inner.to_string();
    // serde_json appends " at line L column C"; for one-line records the
    // column is the useful part, keep the message as serde wrote it.
    let path = if path == "." || path.is_empty() { None } else { Some(path) };
    match inner.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            InputError::new(None, format!("malformed JSON: {message}"))
        }
        _ => InputError::new(path, message),
    }
}
