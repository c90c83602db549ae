//! `ReviewStore` in SQL: a review per booking (a unique column), the session type's title
//! joined from the version booked, the answer written once (`reply IS NULL` in its update).

use super::SqlStore;
use super::bookings::ts;
use crate::StoreError;
use crate::interfaces::Result;
use crate::reviews::ReviewStore;
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use stint_domain::booking::Booking;
use stint_domain::ids::UserId;
use stint_domain::review::{Review, ReviewInput, ReviewSummary};

const SELECT: &str = "SELECT r.id, r.booking_id, r.mentor_id, v.title, r.rating, r.body, \
     r.created_at, r.reply, r.replied_at FROM mentor_reviews r \
     JOIN bookings b ON b.id = r.booking_id \
     JOIN sku_versions v ON v.sku_id = b.sku_id AND v.version = b.sku_version";

fn review_from(row: &AnyRow) -> Result<Review> {
    Ok(Review {
        id: row.try_get("id")?,
        booking_id: row.try_get("booking_id")?,
        mentor_id: row.try_get("mentor_id")?,
        sku_title: row.try_get("title")?,
        rating: row.try_get("rating")?,
        text: row.try_get("body")?,
        created_at: ts(row.try_get("created_at")?)?,
        reply: row.try_get("reply")?,
        replied_at: row
            .try_get::<Option<i64>, _>("replied_at")?
            .map(ts)
            .transpose()?,
    })
}

impl SqlStore {
    async fn one_review(&self, condition: &str, value: i64) -> Result<Option<Review>> {
        let sql = format!("{SELECT} WHERE {condition}");
        sqlx::query(AssertSqlSafe(sql))
            .bind(value)
            .fetch_optional(self.reader())
            .await?
            .as_ref()
            .map(review_from)
            .transpose()
    }
}

#[async_trait]
impl ReviewStore for SqlStore {
    async fn add_review(
        &self,
        booking: &Booking,
        input: &ReviewInput,
        now: Timestamp,
    ) -> Result<Review> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO mentor_reviews (booking_id, mentor_id, mentee_id, rating, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(booking.id.0)
        .bind(booking.mentor_id.0)
        .bind(booking.mentee_id.0)
        .bind(input.rating)
        .bind(input.text.clone())
        .bind(now.as_second())
        .fetch_one(self.writer())
        .await
        .map_err(|e| {
            if crate::error::is_unique_violation(&e) {
                StoreError::conflict("review", "this session has already been reviewed")
            } else {
                e.into()
            }
        })?;
        self.review(id).await?.ok_or(StoreError::NotFound)
    }

    async fn review(&self, id: i64) -> Result<Option<Review>> {
        self.one_review("r.id = $1", id).await
    }

    async fn review_of_booking(&self, booking: i64) -> Result<Option<Review>> {
        self.one_review("r.booking_id = $1", booking).await
    }

    async fn reply_to_review(&self, id: i64, text: &str, now: Timestamp) -> Result<Review> {
        let done = sqlx::query(
            "UPDATE mentor_reviews SET reply = $2, replied_at = $3 WHERE id = $1 AND reply IS NULL",
        )
        .bind(id)
        .bind(text.to_string())
        .bind(now.as_second())
        .execute(self.writer())
        .await?;
        let review = self.review(id).await?.ok_or(StoreError::NotFound)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::conflict(
                "reply",
                "this review has already been answered",
            ));
        }
        Ok(review)
    }

    async fn reviews_of_mentor(
        &self,
        mentor: UserId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Review>> {
        let sql =
            format!("{SELECT} WHERE r.mentor_id = $1 AND r.id < $2 ORDER BY r.id DESC LIMIT $3");
        sqlx::query(AssertSqlSafe(sql))
            .bind(mentor.0)
            .bind(before.unwrap_or(i64::MAX))
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(review_from)
            .collect()
    }

    async fn review_summary(&self, mentor: UserId) -> Result<ReviewSummary> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(rating), 0) AS BIGINT) AS total \
             FROM mentor_reviews \
             WHERE mentor_id = $1",
        )
        .bind(mentor.0)
        .fetch_one(self.reader())
        .await?;
        let n: i64 = row.try_get("n")?;
        let total: i64 = row.try_get("total")?;
        Ok(ReviewSummary::of(
            u64::try_from(n).unwrap_or(0),
            u64::try_from(total).unwrap_or(0),
        ))
    }
}
