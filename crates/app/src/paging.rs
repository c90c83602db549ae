//! Lists a page at a time: the one check of an asked page size, and the one way a page tells
//! whether there is another (one row more than the page is read; its cursor is the last
//! row's key).

use crate::error::AppError;
use jiff::Timestamp;
use stint_domain::FieldErrors;

/// How many rows a page holds: `asked`, or `default`, refused outside 1 to `max`.
pub fn limit(asked: Option<u32>, default: u32, max: u32) -> Result<u32, AppError> {
    let limit = asked.unwrap_or(default);
    if !(1..=max).contains(&limit) {
        return Err(AppError::validation(FieldErrors::single(
            "limit",
            format!("must be 1 to {max}"),
        )));
    }
    Ok(limit)
}

/// `found` (read with `limit + 1` rows) cut to `limit`, and the cursor of the next page (the
/// key of the last row kept) when the extra row says there is one.
pub fn split<T, K>(mut found: Vec<T>, limit: u32, key: impl Fn(&T) -> K) -> (Vec<T>, Option<K>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if found.len() <= limit {
        return (found, None);
    }
    found.truncate(limit);
    let next = found.last().map(key);
    (found, next)
}

/// A whole number typed into `field` (a query parameter read as text): absent is `default`;
/// otherwise digits only (`+5`, ` 5` or empty are not the integers the API documents), 1 to
/// `max`.
pub fn whole_number(
    raw: Option<&str>,
    field: &str,
    default: u32,
    max: u32,
) -> Result<u32, FieldErrors> {
    let Some(raw) = raw else {
        return Ok(default);
    };
    let digits = !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit());
    match raw.parse::<u32>() {
        Ok(n) if digits && (1..=max).contains(&n) => Ok(n),
        _ => Err(FieldErrors::single(
            field,
            format!("must be a whole number from 1 to {max}"),
        )),
    }
}

/// The cursor of a list ordered by a time, then an id: `<unix seconds>.<id>`.
pub fn time_and_id(at: Timestamp, id: i64) -> String {
    format!("{}.{id}", at.as_second())
}

/// A cursor [`time_and_id`] gave, read back; anything else is refused on `field`.
pub fn parse_time_and_id(raw: &str, field: &str) -> Result<(Timestamp, i64), AppError> {
    raw.split_once('.')
        .and_then(|(t, id)| {
            let at = Timestamp::from_second(t.parse().ok()?).ok()?;
            Some((at, id.parse().ok()?))
        })
        .ok_or_else(|| {
            AppError::validation(FieldErrors::single(field, "is not a cursor this list gave"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_says_whether_there_is_another() {
        assert_eq!(split(vec![1, 2, 3], 2, |n| *n), (vec![1, 2], Some(2)));
        assert_eq!(split(vec![1, 2], 2, |n| *n), (vec![1, 2], None));
        assert_eq!(split(Vec::<i32>::new(), 2, |n| *n), (vec![], None));
    }

    #[test]
    fn a_cursor_reads_back() {
        let at = Timestamp::from_second(1_800_000_000).unwrap();
        let raw = time_and_id(at, 42);
        assert_eq!(parse_time_and_id(&raw, "after").ok(), Some((at, 42)));
        for bad in ["", "42", "x.1", "1.x", "99999999999999.1"] {
            let e = parse_time_and_id(bad, "after").err().map(|e| e.fields);
            assert!(e.is_some_and(|f| f.contains_key("after")), "{bad}");
        }
    }

    #[test]
    fn a_page_size_is_checked() {
        assert_eq!(limit(None, 100, 500).ok(), Some(100));
        assert_eq!(limit(Some(500), 100, 500).ok(), Some(500));
        for bad in [0, 501] {
            let e = limit(Some(bad), 100, 500).err().map(|e| e.fields);
            assert!(e.is_some_and(|f| f.contains_key("limit")), "{bad}");
        }
    }
}
