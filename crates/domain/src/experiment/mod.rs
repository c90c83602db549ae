//! Experiments: variants of a factor Stint controls, each person assigned to one by a hash
//! of the experiment and the person (the same answer on every node, every time), and the
//! statistics that say whether a variant did better (`stats.rs`).
//!
//! One experiment per factor runs at a time; the first variant is the control the others are
//! compared with.

pub mod stats;

#[cfg(test)]
mod simulation_tests;

use crate::FieldErrors;
use crate::catalog::{FOLLOWUP_DELAY_DAYS_MAX, FOLLOWUP_DELAY_DAYS_MIN};
use crate::ids::UserId;
use crate::validate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The fewest and most variants of an experiment (the control included).
pub const VARIANTS_MIN: usize = 2;
pub const VARIANTS_MAX: usize = 4;

/// A factor Stint controls and an experiment may vary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    /// Days from a session's closing until its follow-up check-in opens (the SKU's own
    /// delay is replaced by the variant's).
    FollowUpDelay,
}

impl Factor {
    pub const ALL: [Factor; 1] = [Factor::FollowUpDelay];

    pub fn as_str(self) -> &'static str {
        match self {
            Factor::FollowUpDelay => "followup_delay",
        }
    }

    pub fn parse(raw: &str) -> Option<Factor> {
        Factor::ALL.into_iter().find(|f| f.as_str() == raw.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Factor::FollowUpDelay => "Follow-up delay",
        }
    }

    /// What a variant's value counts.
    pub fn unit(self) -> &'static str {
        match self {
            Factor::FollowUpDelay => "days",
        }
    }

    /// A variant's value, read from what an operator typed.
    pub fn value(self, raw: &str) -> Result<i64, String> {
        match self {
            Factor::FollowUpDelay => raw
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|d| (FOLLOWUP_DELAY_DAYS_MIN..=FOLLOWUP_DELAY_DAYS_MAX).contains(d))
                .ok_or_else(|| {
                    format!(
                        "must be a whole number of days from {FOLLOWUP_DELAY_DAYS_MIN} to {FOLLOWUP_DELAY_DAYS_MAX}"
                    )
                }),
        }
    }
}

/// One variant: a name people read and the factor's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    pub name: String,
    pub value: i64,
}

/// A variant as an operator typed it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VariantInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub value: String,
}

/// An experiment as an operator fills it in.
#[derive(Debug, Clone, Default)]
pub struct ExperimentInput {
    pub name: String,
    pub factor: String,
    pub hypothesis: String,
    /// The control first. Rows with neither a name nor a value are left out.
    pub variants: Vec<VariantInput>,
}

/// A checked experiment, ready to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExperimentDraft {
    pub name: String,
    pub factor: Factor,
    pub hypothesis: String,
    pub variants: Vec<Variant>,
}

impl ExperimentInput {
    /// Every problem at once, keyed `name`, `factor`, `hypothesis`, `variants` and
    /// `variants.N.name` / `variants.N.value` (N counted from 0 over the rows filled in).
    pub fn validate(&self) -> Result<ExperimentDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", validate::line(&self.name, 1, 80));
        let hypothesis = errors.check("hypothesis", validate::text(&self.hypothesis, 0, 1000));
        let factor = Factor::parse(&self.factor);
        if factor.is_none() {
            let known: Vec<&str> = Factor::ALL.iter().map(|f| f.as_str()).collect();
            errors.add("factor", format!("must be one of {}", known.join(", ")));
        }
        let rows: Vec<&VariantInput> = self
            .variants
            .iter()
            .filter(|v| !v.name.trim().is_empty() || !v.value.trim().is_empty())
            .collect();
        if !(VARIANTS_MIN..=VARIANTS_MAX).contains(&rows.len()) {
            errors.add(
                "variants",
                format!("give from {VARIANTS_MIN} to {VARIANTS_MAX} variants, the control first"),
            );
        }
        let (mut names, mut values, mut variants) = (Vec::new(), Vec::new(), Vec::new());
        for (i, row) in rows.iter().enumerate() {
            let name = errors.check(
                &format!("variants.{i}.name"),
                validate::line(&row.name, 1, 40),
            );
            let value = factor
                .and_then(|f| errors.check(&format!("variants.{i}.value"), f.value(&row.value)));
            if let Some(name) = &name {
                if names.iter().any(|n: &String| n.eq_ignore_ascii_case(name)) {
                    errors.add(
                        &format!("variants.{i}.name"),
                        "another variant has this name",
                    );
                }
                names.push(name.clone());
            }
            if let Some(value) = value {
                if values.contains(&value) {
                    errors.add(
                        &format!("variants.{i}.value"),
                        "another variant has this value",
                    );
                }
                values.push(value);
            }
            if let (Some(name), Some(value)) = (name, value) {
                variants.push(Variant { name, value });
            }
        }
        errors.finish(|| ExperimentDraft {
            name: name.unwrap_or_default(),
            factor: factor.unwrap_or(Factor::FollowUpDelay),
            hypothesis: hypothesis.unwrap_or_default(),
            variants,
        })
    }
}

/// The variant (an index into the experiment's variants) `user` is in: the first eight bytes
/// of SHA-256 over the experiment and the person, modulo the number of variants, so every
/// node and every later request gives the same answer, and two experiments split people
/// independently.
pub fn assign(experiment: i64, user: UserId, variants: usize) -> usize {
    if variants == 0 {
        return 0;
    }
    let digest = Sha256::digest(format!("stint-experiment:{experiment}:{}", user.0));
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % variants as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(rows: &[(&str, &str)]) -> ExperimentInput {
        ExperimentInput {
            name: "Shorter follow-up".into(),
            factor: "followup_delay".into(),
            hypothesis: "A check-in after 3 days is answered more often.".into(),
            variants: rows
                .iter()
                .map(|(n, v)| VariantInput {
                    name: n.to_string(),
                    value: v.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_good_experiment_is_accepted_with_the_control_first() {
        let draft = input(&[("A week", "7"), ("", ""), ("Three days", "3")])
            .validate()
            .unwrap();
        assert_eq!(draft.factor, Factor::FollowUpDelay);
        assert_eq!(draft.variants.len(), 2);
        assert_eq!(draft.variants[0].value, 7);
        assert_eq!(draft.variants[1].name, "Three days");
    }

    #[test]
    fn every_problem_is_reported_by_field() {
        let mut bad = input(&[("A week", "7"), ("a week", "0"), ("Two", "7")]);
        bad.name = " ".into();
        let errors = bad.validate().unwrap_err();
        assert!(errors.get("name").is_some());
        assert!(errors.get("variants.1.name").unwrap().contains("another"));
        assert!(
            errors
                .get("variants.1.value")
                .unwrap()
                .contains("from 1 to 60")
        );
        assert!(errors.get("variants.2.value").unwrap().contains("another"));

        let errors = input(&[("Only", "7")]).validate().unwrap_err();
        assert!(errors.get("variants").is_some());
        let mut unknown = input(&[("A", "7"), ("B", "3")]);
        unknown.factor = "price".into();
        assert!(unknown.validate().unwrap_err().get("factor").is_some());
    }

    #[test]
    fn assignment_is_stable_balanced_and_independent_between_experiments() {
        let people: Vec<UserId> = (1..=4000).map(UserId).collect();
        let first: Vec<usize> = people.iter().map(|&u| assign(1, u, 2)).collect();
        let again: Vec<usize> = people.iter().map(|&u| assign(1, u, 2)).collect();
        assert_eq!(first, again);
        let in_b = first.iter().filter(|&&v| v == 1).count();
        assert!((1900..=2100).contains(&in_b), "{in_b} of 4000 in B");
        // Another experiment splits the same people afresh: about half keep their side.
        let same = people
            .iter()
            .zip(&first)
            .filter(|(u, v)| assign(2, **u, 2) == **v)
            .count();
        assert!((1850..=2150).contains(&same), "{same} kept their side");
        let three: Vec<usize> = people.iter().map(|&u| assign(7, u, 3)).collect();
        for arm in 0..3 {
            let n = three.iter().filter(|&&v| v == arm).count();
            assert!((1200..=1467).contains(&n), "arm {arm}: {n}");
        }
    }
}
