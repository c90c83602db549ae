//! `SignupStore` on SQLite and PostgreSQL.

use super::SqlStore;
use super::accounts::insert_account;
use super::bookings::ts;
use crate::StoreError;
use crate::interfaces::Result;
use crate::signups::{PendingSignup, SignupStore};
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use stint_domain::account::{Account, Email, NewAccount, TimeZoneName};
use stint_domain::role::Role;

/// A stored field that no longer parses (it was checked when the sign-up was made).
fn stored(field: &str, message: String) -> StoreError {
    StoreError::Backend(format!("signups.{field}: {message}").into())
}

#[async_trait]
impl SignupStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_signup(
        &self,
        new: &NewAccount,
        password_hash: &str,
        now: Timestamp,
        expires: Timestamp,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO signups (email, display_name, timezone, password_hash, created_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(new.email.as_str().to_string())
        .bind(new.display_name.clone())
        .bind(new.timezone.as_str().to_string())
        .bind(password_hash.to_string())
        .bind(now.as_second())
        .bind(expires.as_second())
        .fetch_one(self.writer())
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn signup(&self, id: i64) -> Result<Option<PendingSignup>> {
        let row = sqlx::query(
            "SELECT id, email, display_name, expires_at, used_at FROM signups WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.writer())
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(PendingSignup {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            display_name: row.try_get("display_name")?,
            expires_at: ts(row.try_get("expires_at")?)?,
            used: row.try_get::<Option<i64>, _>("used_at")?.is_some(),
        }))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_signup_token(&self, id: i64, token_hash: &str) -> Result<()> {
        sqlx::query("UPDATE signups SET token_hash = $1 WHERE id = $2")
            .bind(token_hash.to_string())
            .bind(id)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn signup_open(&self, token_hash: &str, now: Timestamp) -> Result<bool> {
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM signups \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash.to_string())
        .bind(now.as_second())
        .fetch_one(self.reader())
        .await?;
        Ok(open > 0)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn confirm_signup(&self, token_hash: &str, now: Timestamp) -> Result<Option<Account>> {
        let mut tx = self.begin_write().await?;
        // One statement marks it used only if it was open: of two uses at once, one wins.
        let row = sqlx::query(
            "UPDATE signups SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 \
             RETURNING email, display_name, timezone, password_hash",
        )
        .bind(now.as_second())
        .bind(token_hash.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let email: String = row.try_get("email")?;
        let timezone: String = row.try_get("timezone")?;
        let hash: String = row.try_get("password_hash")?;
        let new = NewAccount {
            email: Email::parse(&email).map_err(|m| stored("email", m))?,
            display_name: row.try_get("display_name")?,
            timezone: TimeZoneName::parse(&timezone).map_err(|m| stored("timezone", m))?,
            roles: vec![Role::Mentee],
        };
        // A conflict returns before the commit: the link stays open, nothing is written.
        let account = insert_account(&mut tx, &new, &hash, now).await?;
        // The account is made: every other open sign-up of the address is done with.
        sqlx::query("UPDATE signups SET used_at = $1 WHERE email = $2 AND used_at IS NULL")
            .bind(now.as_second())
            .bind(email)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(account))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn signups_since(&self, email: &str, since: Timestamp) -> Result<i64> {
        Ok(
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM signups WHERE email = $1 AND created_at >= $2",
            )
            .bind(email.to_string())
            .bind(since.as_second())
            .fetch_one(self.writer())
            .await?,
        )
    }
}
