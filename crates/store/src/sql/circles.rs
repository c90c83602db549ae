//! `CircleStore` in SQL (migration 48).

use super::SqlStore;
use super::bookings::ts;
use crate::StoreError;
use crate::circles::{CircleStore, DigestDue};
use crate::interfaces::Result;
use crate::jobs::NewJob;
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use stint_domain::circle::{Call, Circle, Member, Post};
use stint_domain::ids::UserId;

const POST_COLUMNS: &str = "p.id, p.circle_id, p.author_id, u.display_name, p.parent_id, \
     p.body, p.html, p.created_at";

fn row_to_post(r: &AnyRow) -> Result<Post> {
    Ok(Post {
        id: r.try_get("id")?,
        circle: r.try_get("circle_id")?,
        author: UserId(r.try_get("author_id")?),
        author_name: r.try_get("display_name")?,
        parent: r.try_get("parent_id")?,
        body: r.try_get("body")?,
        html: r.try_get("html")?,
        created_at: ts(r.try_get("created_at")?)?,
    })
}

const CALL_COLUMNS: &str = "k.id, k.circle_id, c.name, k.start_at, k.end_at, k.location";

fn row_to_call(r: &AnyRow) -> Result<Call> {
    Ok(Call {
        id: r.try_get("id")?,
        circle: r.try_get("circle_id")?,
        circle_name: r.try_get("name")?,
        start: ts(r.try_get("start_at")?)?,
        end: ts(r.try_get("end_at")?)?,
        location: r.try_get("location")?,
    })
}

impl SqlStore {
    /// The circles `condition` picks (on `c`, with `$1`), with their members.
    async fn circles_where(&self, condition: &str, arg: i64) -> Result<Vec<Circle>> {
        let sql = format!(
            "SELECT c.id, c.name, c.created_at, m.user_id, u.display_name \
             FROM mentor_circles c JOIN circle_members m ON m.circle_id = c.id \
             JOIN users u ON u.id = m.user_id WHERE {condition} \
             ORDER BY c.id DESC, u.display_name, m.user_id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(arg)
            .fetch_all(self.reader())
            .await?;
        let mut out: Vec<Circle> = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let member = Member {
                user: UserId(r.try_get("user_id")?),
                name: r.try_get("display_name")?,
            };
            match out.last_mut() {
                Some(c) if c.id == id => c.members.push(member),
                _ => out.push(Circle {
                    id,
                    name: r.try_get("name")?,
                    members: vec![member],
                    created_at: ts(r.try_get("created_at")?)?,
                }),
            }
        }
        Ok(out)
    }

    async fn calls_where(&self, condition: &str, arg: i64, after: Timestamp) -> Result<Vec<Call>> {
        let sql = format!(
            "SELECT {CALL_COLUMNS} FROM circle_calls k JOIN mentor_circles c ON c.id = k.circle_id \
             WHERE {condition} AND k.end_at > $2 ORDER BY k.start_at, k.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(arg)
            .bind(after.as_second())
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(row_to_call).collect()
    }
}

#[async_trait]
impl CircleStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_circle(
        &self,
        name: &str,
        members: &[UserId],
        by: UserId,
        now: Timestamp,
    ) -> Result<Circle> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO mentor_circles (name, created_by, created_at) VALUES ($1, $2, $3) \
             RETURNING id",
        )
        .bind(name.to_string())
        .bind(by.0)
        .bind(now.as_second())
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        for m in members {
            sqlx::query(
                "INSERT INTO circle_members (circle_id, user_id, told_upto, joined_at) \
                 VALUES ($1, $2, 0, $3)",
            )
            .bind(id)
            .bind(m.0)
            .bind(now.as_second())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.circle(id).await?.ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn circle(&self, id: i64) -> Result<Option<Circle>> {
        Ok(self.circles_where("c.id = $1", id).await?.pop())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn circles(&self) -> Result<Vec<Circle>> {
        self.circles_where("c.id > $1", 0).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn circles_of(&self, user: UserId) -> Result<Vec<Circle>> {
        self.circles_where(
            "c.id IN (SELECT circle_id FROM circle_members WHERE user_id = $1)",
            user.0,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn add_post(
        &self,
        circle: i64,
        author: UserId,
        parent: Option<i64>,
        body: &str,
        html: &str,
        now: Timestamp,
    ) -> Result<Post> {
        let id: i64 = sqlx::query(
            "INSERT INTO circle_posts (circle_id, author_id, parent_id, body, html, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(circle)
        .bind(author.0)
        .bind(parent)
        .bind(body.to_string())
        .bind(html.to_string())
        .bind(now.as_second())
        .fetch_one(self.writer())
        .await?
        .try_get("id")?;
        self.circle_post(id).await?.ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn circle_post(&self, id: i64) -> Result<Option<Post>> {
        let sql = format!(
            "SELECT {POST_COLUMNS} FROM circle_posts p JOIN users u ON u.id = p.author_id \
             WHERE p.id = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(row_to_post).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn posts_by(&self, author: UserId) -> Result<Vec<Post>> {
        let sql = format!(
            "SELECT {POST_COLUMNS} FROM circle_posts p JOIN users u ON u.id = p.author_id \
             WHERE p.author_id = $1 ORDER BY p.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(author.0)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(row_to_post).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn circle_posts(&self, circle: i64, limit: i64) -> Result<Vec<Post>> {
        let sql = format!(
            "SELECT {POST_COLUMNS} FROM circle_posts p JOIN users u ON u.id = p.author_id \
             WHERE p.circle_id = $1 ORDER BY p.id DESC LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(circle)
            .bind(limit)
            .fetch_all(self.reader())
            .await?;
        let mut posts = rows.iter().map(row_to_post).collect::<Result<Vec<_>>>()?;
        posts.reverse();
        Ok(posts)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn add_call(
        &self,
        circle: i64,
        start: Timestamp,
        end: Timestamp,
        location: &str,
        by: UserId,
        now: Timestamp,
    ) -> Result<Call> {
        let id: i64 = sqlx::query(
            "INSERT INTO circle_calls (circle_id, start_at, end_at, location, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(circle)
        .bind(start.as_second())
        .bind(end.as_second())
        .bind(location.to_string())
        .bind(by.0)
        .bind(now.as_second())
        .fetch_one(self.writer())
        .await?
        .try_get("id")?;
        self.calls_where("k.id = $1", id, Timestamp::UNIX_EPOCH)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn calls_of(&self, user: UserId, after: Timestamp) -> Result<Vec<Call>> {
        self.calls_where(
            "k.circle_id IN (SELECT circle_id FROM circle_members WHERE user_id = $1)",
            user.0,
            after,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn circle_calls(&self, circle: i64, after: Timestamp) -> Result<Vec<Call>> {
        self.calls_where("k.circle_id = $1", circle, after).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mentor_choices(&self, limit: i64) -> Result<Vec<(UserId, String)>> {
        let rows = sqlx::query(
            "SELECT u.id, u.display_name FROM users u \
             JOIN user_roles r ON r.user_id = u.id AND r.role = 'mentor' \
             ORDER BY u.display_name, u.id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| Ok((UserId(r.try_get("id")?), r.try_get("display_name")?)))
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn digests_due(&self) -> Result<Vec<DigestDue>> {
        let rows = sqlx::query(
            "SELECT m.user_id, m.circle_id, MAX(p.id) AS upto, COUNT(*) AS posts \
             FROM circle_members m JOIN circle_posts p ON p.circle_id = m.circle_id \
             WHERE p.id > m.told_upto AND p.author_id <> m.user_id \
             GROUP BY m.user_id, m.circle_id ORDER BY m.user_id, m.circle_id",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DigestDue {
                    member: UserId(r.try_get("user_id")?),
                    circle: r.try_get("circle_id")?,
                    upto: r.try_get("upto")?,
                    posts: r.try_get("posts")?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_digest(&self, due: &DigestDue, job: &NewJob, now: Timestamp) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE circle_members SET told_upto = $3 \
             WHERE circle_id = $1 AND user_id = $2 AND told_upto < $3",
        )
        .bind(due.circle)
        .bind(due.member.0)
        .bind(due.upto)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        super::jobs::queue_in(&mut tx, job, now).await?;
        tx.commit().await?;
        Ok(true)
    }
}
