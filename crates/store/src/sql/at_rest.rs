//! `AtRestStore` in SQL: key ids read with `substr` from the values' `sealed:v1:<id>:` prefix,
//! keyset pages over notes and preps, and compare-and-set updates.

use super::SqlStore;
use crate::at_rest::{AtRestStore, StoredNote};
use crate::interfaces::Result;
use async_trait::async_trait;
use sqlx::Row;
use stint_domain::booking::BookingId;
use stint_domain::outcome::notes::NoteKind;

#[async_trait]
impl AtRestStore for SqlStore {
    async fn sealed_key_ids(&self) -> Result<Vec<String>> {
        // A prep's answers are a JSON list: its first sealed answer names the key.
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT substr(body, 11, 8) FROM booking_notes WHERE body LIKE 'sealed:v1:%' \
             UNION SELECT DISTINCT substr(intake_answers, 13, 8) FROM booking_preps \
             WHERE intake_answers LIKE '[\"sealed:v1:%'",
        )
        .fetch_all(self.reader())
        .await?;
        Ok(ids)
    }

    async fn notes_after(
        &self,
        after: Option<(BookingId, NoteKind)>,
        limit: u32,
    ) -> Result<Vec<StoredNote>> {
        let (booking, kind) = after.map_or((-1, String::new()), |(b, k)| (b.0, k.as_str().into()));
        sqlx::query(
            "SELECT booking_id, kind, body, body_html FROM booking_notes \
             WHERE booking_id > $1 OR (booking_id = $1 AND kind > $2) \
             ORDER BY booking_id, kind LIMIT $3",
        )
        .bind(booking)
        .bind(kind)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            Ok(StoredNote {
                booking: BookingId(r.try_get("booking_id")?),
                kind: NoteKind::parse(&kind).ok_or_else(|| super::unknown("note kind", &kind))?,
                body: r.try_get("body")?,
                html: r.try_get("body_html")?,
            })
        })
        .collect()
    }

    async fn reseal_note(&self, old: &StoredNote, body: &str, html: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE booking_notes SET body = $3, body_html = $4 \
             WHERE booking_id = $1 AND kind = $2 AND body = $5 AND body_html = $6",
        )
        .bind(old.booking.0)
        .bind(old.kind.as_str())
        .bind(body.to_string())
        .bind(html.to_string())
        .bind(old.body.clone())
        .bind(old.html.clone())
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn preps_after(
        &self,
        after: Option<BookingId>,
        limit: u32,
    ) -> Result<Vec<(BookingId, Vec<String>)>> {
        sqlx::query(
            "SELECT booking_id, intake_answers FROM booking_preps WHERE booking_id > $1 \
             ORDER BY booking_id LIMIT $2",
        )
        .bind(after.map_or(-1, |b| b.0))
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            let answers: String = r.try_get("intake_answers")?;
            Ok((
                BookingId(r.try_get("booking_id")?),
                serde_json::from_str(&answers)?,
            ))
        })
        .collect()
    }

    async fn reseal_prep(
        &self,
        booking: BookingId,
        old: &[String],
        new: &[String],
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE booking_preps SET intake_answers = $2 \
             WHERE booking_id = $1 AND intake_answers = $3",
        )
        .bind(booking.0)
        .bind(serde_json::to_string(new)?)
        .bind(serde_json::to_string(old)?)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
