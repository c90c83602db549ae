//! Whole numbers as JSON may write them: `3` or `3.0`. JSON Schema's `integer` allows both,
//! so a client following the OpenAPI document may send either; serde's integers take only
//! the first. A fraction is still refused (a 422 naming the field).

use serde::de::{Deserialize, Deserializer, Error};

/// A whole number.
fn whole(n: serde_json::Number) -> Option<i64> {
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            // Checked whole and in range just above: the cast is exact.
            .map(|f| f as i64)
    })
}

pub fn i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    whole(n).ok_or_else(|| D::Error::custom("must be a whole number"))
}

/// A whole number, or nothing (`null` or left out, with `#[serde(default)]`).
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<serde_json::Number>::deserialize(d)? {
        None => Ok(None),
        Some(n) => whole(n)
            .map(Some)
            .ok_or_else(|| D::Error::custom("must be a whole number")),
    }
}

/// A list of non-negative whole numbers.
pub fn indexes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<usize>, D::Error> {
    Vec::<serde_json::Number>::deserialize(d)?
        .into_iter()
        .map(|n| {
            whole(n)
                .and_then(|i| usize::try_from(i).ok())
                .ok_or_else(|| D::Error::custom("must be whole numbers from 0"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct Level {
        #[serde(deserialize_with = "super::i64")]
        level: i64,
        #[serde(default, deserialize_with = "super::indexes")]
        read: Vec<usize>,
    }

    fn level(json: &str) -> Result<(i64, Vec<usize>), String> {
        serde_json::from_str::<Level>(json)
            .map(|l| (l.level, l.read))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn whole_numbers_in_either_spelling_and_nothing_else() {
        assert_eq!(level(r#"{"level": 3}"#).unwrap(), (3, vec![]));
        assert_eq!(
            level(r#"{"level": 3.0, "read": [0, 2.0]}"#).unwrap(),
            (3, vec![0, 2])
        );
        assert!(level(r#"{"level": 3.5}"#).is_err());
        assert!(level(r#"{"level": "3"}"#).is_err());
        assert!(level(r#"{"level": 1, "read": [-1]}"#).is_err());
    }
}
