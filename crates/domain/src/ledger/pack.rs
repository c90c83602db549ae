//! Credit packs: what an operator sells (credits for a price, valid for some months), and
//! the money a price is written in.

use super::Credits;
use crate::FieldErrors;
use crate::validate;

/// Currencies Stint takes, ISO 4217, with their minor-unit digits (JPY has none).
pub const CURRENCIES: [(&str, u32); 14] = [
    ("AUD", 2),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("DKK", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("INR", 2),
    ("JPY", 0),
    ("NOK", 2),
    ("PLN", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("USD", 2),
];

/// The most credits one pack holds.
pub const PACK_CREDITS_MAX: Credits = 10_000;
/// The highest price of a pack, in minor units.
pub const PRICE_MINOR_MAX: i64 = 100_000_000;
/// The longest validity, in months.
pub const MONTHS_MAX: u32 = 36;

/// A currency code Stint takes, upper case.
pub fn currency(raw: &str) -> Result<String, String> {
    let code = raw.trim().to_ascii_uppercase();
    if CURRENCIES.iter().any(|(c, _)| *c == code) {
        Ok(code)
    } else {
        let known: Vec<&str> = CURRENCIES.iter().map(|(c, _)| *c).collect();
        Err(format!("must be one of {}", known.join(", ")))
    }
}

/// `minor` units of `currency` as people write them: `EUR 45.00`, `JPY 4500`.
pub fn format_money(minor: i64, currency: &str) -> String {
    let digits = CURRENCIES
        .iter()
        .find(|(c, _)| *c == currency)
        .map_or(2, |(_, d)| *d);
    if digits == 0 {
        return format!("{currency} {minor}");
    }
    let unit = 10_i64.pow(digits);
    let sign = if minor < 0 { "-" } else { "" };
    let m = minor.unsigned_abs();
    let unit = unit.unsigned_abs();
    format!(
        "{currency} {sign}{}.{:0width$}",
        m / unit,
        m % unit,
        width = digits as usize
    )
}

/// When credits bought at `paid_at` with `months_valid` months of validity expire (the same
/// day of the month, in UTC, `months` later; the month's last day when it is shorter).
pub fn lot_expiry(paid_at: jiff::Timestamp, months_valid: Option<u32>) -> Option<jiff::Timestamp> {
    let months = months_valid?;
    let zoned = paid_at.to_zoned_datetime(jiff::tz::TimeZone::UTC);
    zoned
        .checked_add(jiff::Span::new().months(i64::from(months)))
        .ok()
        .map(|z| z.timestamp())
}

/// A pack as an operator fills it in.
#[derive(Debug, Clone, Default)]
pub struct PackInput {
    pub name: String,
    pub credits: i64,
    pub price_minor: i64,
    pub currency: String,
    /// Months until bought credits expire; `None`: they never do.
    pub months_valid: Option<i64>,
    pub active: bool,
}

/// A valid pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pack {
    pub name: String,
    pub credits: Credits,
    pub price_minor: i64,
    pub currency: String,
    pub months_valid: Option<u32>,
    pub active: bool,
}

impl PackInput {
    pub fn validate(&self) -> Result<Pack, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", validate::line(&self.name, 1, 80));
        if !(1..=PACK_CREDITS_MAX).contains(&self.credits) {
            e.add(
                "credits",
                format!("must be a whole number from 1 to {PACK_CREDITS_MAX}"),
            );
        }
        if !(0..=PRICE_MINOR_MAX).contains(&self.price_minor) {
            e.add(
                "price_minor",
                format!(
                    "must be from 0 to {PRICE_MINOR_MAX} (in cents or the currency's minor unit)"
                ),
            );
        }
        let currency = e.check("currency", currency(&self.currency));
        let months_valid = match self.months_valid {
            None => None,
            Some(m) => match u32::try_from(m) {
                Ok(m) if (1..=MONTHS_MAX).contains(&m) => Some(m),
                _ => {
                    e.add(
                        "months_valid",
                        format!("must be from 1 to {MONTHS_MAX}, or left out for credits that never expire"),
                    );
                    None
                }
            },
        };
        match (name, currency) {
            (Some(name), Some(currency)) if e.is_empty() => Ok(Pack {
                name,
                credits: self.credits,
                price_minor: self.price_minor,
                currency,
                months_valid,
                active: self.active,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> PackInput {
        PackInput {
            name: "Starter · 3 sessions".into(),
            credits: 90,
            price_minor: 13_500,
            currency: "eur".into(),
            months_valid: Some(12),
            active: true,
        }
    }

    #[test]
    fn a_pack_needs_credits_a_price_a_known_currency_and_a_sane_validity() {
        let p = good().validate().unwrap();
        assert_eq!((p.currency.as_str(), p.months_valid), ("EUR", Some(12)));
        let e = PackInput {
            name: " ".into(),
            credits: 0,
            price_minor: -1,
            currency: "XYZ".into(),
            months_valid: Some(0),
            active: true,
        }
        .validate()
        .unwrap_err();
        for f in ["name", "credits", "price_minor", "currency", "months_valid"] {
            assert!(e.get(f).is_some(), "no message for {f}");
        }
        let never = PackInput {
            months_valid: None,
            ..good()
        };
        assert_eq!(never.validate().unwrap().months_valid, None);
    }

    #[test]
    fn credits_expire_the_same_day_months_later_or_never() {
        let paid: jiff::Timestamp = "2026-01-31T10:00:00Z".parse().unwrap();
        assert_eq!(
            lot_expiry(paid, Some(1)).unwrap().to_string(),
            "2026-02-28T10:00:00Z"
        );
        assert_eq!(
            lot_expiry(paid, Some(12)).unwrap().to_string(),
            "2027-01-31T10:00:00Z"
        );
        assert_eq!(lot_expiry(paid, None), None);
    }

    #[test]
    fn money_is_written_with_the_currencys_own_digits() {
        assert_eq!(format_money(13_500, "EUR"), "EUR 135.00");
        assert_eq!(format_money(5, "USD"), "USD 0.05");
        assert_eq!(format_money(4_500, "JPY"), "JPY 4500");
        assert_eq!(format_money(-250, "GBP"), "GBP -2.50");
    }
}
