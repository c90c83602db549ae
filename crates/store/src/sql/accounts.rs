//! Accounts, roles, sessions, tokens and login attempts in SQL.

use super::SqlStore;
use super::who::Secret;
use crate::StoreError;
use crate::error::is_unique_violation;
use crate::interfaces::{AccountStore, Result};
use crate::logins::{LoginCounts, LoginOutcome, LoginWindows};
use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};
use stint_domain::account::{Account, NewAccount};
use stint_domain::ids::UserId;
use stint_domain::role::Role;

fn account_from(row: &AnyRow, roles: Vec<Role>) -> Result<Account> {
    Ok(Account {
        id: UserId(row.try_get("id")?),
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        timezone: row.try_get("timezone")?,
        roles,
    })
}

async fn roles_of<'e, E: Executor<'e, Database = Any>>(ex: E, id: UserId) -> Result<Vec<Role>> {
    let rows = sqlx::query("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role")
        .bind(id.0)
        .fetch_all(ex)
        .await?;
    let mut roles: Vec<Role> = rows
        .iter()
        .filter_map(|r| r.try_get::<String, _>("role").ok())
        .filter_map(|s| Role::parse(&s))
        .collect();
    roles.sort();
    Ok(roles)
}

/// One account from rows of `id, email, display_name, timezone, role` where `role` comes
/// from a `LEFT JOIN user_roles`: an account and its roles in one round trip.
pub(super) fn account_from_rows(rows: &[AnyRow]) -> Result<Option<Account>> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let mut roles = Vec::new();
    for r in rows {
        if let Some(role) = r
            .try_get::<Option<String>, _>("role")?
            .as_deref()
            .and_then(Role::parse)
        {
            roles.push(role);
        }
    }
    roles.sort();
    roles.dedup();
    Ok(Some(account_from(first, roles)?))
}

/// The account columns with their roles; `$from` and `$where` call users `u`.
macro_rules! account_select {
    ($from:literal, $where:literal) => {
        concat!(
            "SELECT u.id, u.email, u.display_name, u.timezone, r.role ",
            $from,
            " LEFT JOIN user_roles r ON r.user_id = u.id ",
            $where
        )
    };
}

impl SqlStore {
    async fn account_where(
        &self,
        sql: &'static str,
        key: &str,
        now: Option<i64>,
    ) -> Result<Option<Account>> {
        let mut q = sqlx::query(sql).bind(key.to_string());
        if let Some(now) = now {
            q = q.bind(now);
        }
        account_from_rows(&q.fetch_all(self.reader()).await?)
    }
}

/// Inserts a user and their roles in `tx`; a taken e-mail is a conflict on `email`.
pub(super) async fn insert_account(
    tx: &mut sqlx::Transaction<'static, Any>,
    new: &NewAccount,
    password_hash: &str,
    now: Timestamp,
) -> Result<Account> {
    let inserted = sqlx::query(
        "INSERT INTO users (email, display_name, timezone, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(new.email.as_str().to_string())
    .bind(new.display_name.clone())
    .bind(new.timezone.as_str().to_string())
    .bind(password_hash.to_string())
    .bind(now.as_second())
    .fetch_one(&mut **tx)
    .await;
    let row = match inserted {
        Ok(row) => row,
        Err(e) if is_unique_violation(&e) => {
            return Err(StoreError::conflict(
                "email",
                "an account with this e-mail already exists",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let id = UserId(row.try_get("id")?);
    let mut roles = new.roles.clone();
    roles.sort();
    roles.dedup();
    for role in &roles {
        sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
            .bind(id.0)
            .bind(role.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(Account {
        id,
        email: new.email.as_str().to_string(),
        display_name: new.display_name.clone(),
        timezone: new.timezone.as_str().to_string(),
        roles,
    })
}

#[async_trait]
impl AccountStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_account(
        &self,
        new: &NewAccount,
        password_hash: &str,
        now: Timestamp,
    ) -> Result<Account> {
        let mut tx = self.begin_write().await?;
        let account = insert_account(&mut tx, new, password_hash, now).await?;
        tx.commit().await?;
        Ok(account)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn account(&self, id: UserId) -> Result<Option<Account>> {
        let rows = sqlx::query(account_select!("FROM users u", "WHERE u.id = $1"))
            .bind(id.0)
            .fetch_all(self.reader())
            .await?;
        account_from_rows(&rows)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn account_by_email(&self, email: &str) -> Result<Option<Account>> {
        self.account_where(
            account_select!("FROM users u", "WHERE u.email = $1"),
            &email.trim().to_lowercase(),
            None,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn credentials(&self, email: &str) -> Result<Option<(Account, String)>> {
        let row = sqlx::query(
            "SELECT id, email, display_name, timezone, password_hash FROM users WHERE email = $1",
        )
        .bind(email.trim().to_lowercase())
        .fetch_optional(self.reader())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let id = UserId(row.try_get("id")?);
        let hash: String = row.try_get("password_hash")?;
        Ok(Some((
            account_from(&row, roles_of(self.reader(), id).await?)?,
            hash,
        )))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn accounts_page(&self, after: Option<UserId>, limit: u32) -> Result<Vec<Account>> {
        let rows = sqlx::query(
            "SELECT u.id, u.email, u.display_name, u.timezone, \
               (SELECT string_agg(r.role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles \
             FROM users u WHERE u.id > $1 ORDER BY u.id LIMIT $2",
        )
        .bind(after.map_or(0, |u| u.0))
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|row| {
                let listed: Option<String> = row.try_get("roles")?;
                account_from(row, super::rows::roles_listed(listed.as_deref()))
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn account_count(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(self.reader())
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_profile(
        &self,
        id: UserId,
        display_name: &str,
        timezone: &str,
    ) -> Result<Account> {
        let done = sqlx::query("UPDATE users SET display_name = $1, timezone = $2 WHERE id = $3")
            .bind(display_name.to_string())
            .bind(timezone.to_string())
            .bind(id.0)
            .execute(self.writer())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        self.forget_people_and_catalog();
        self.account(id).await?.ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn grant_role(&self, id: UserId, role: Role) -> Result<()> {
        let done = sqlx::query(
            "INSERT INTO user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(id.0)
        .bind(role.as_str())
        .execute(self.writer())
        .await;
        self.forget_people_and_catalog();
        match done {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => {
                Err(StoreError::NotFound)
            }
            Err(e) => Err(e.into()),
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn revoke_role(&self, id: UserId, role: Role) -> Result<()> {
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1 AND role = $2")
            .bind(id.0)
            .bind(role.as_str())
            .execute(self.writer())
            .await?;
        self.forget_people_and_catalog();
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_web_session(
        &self,
        token_hash: &str,
        user: UserId,
        now: Timestamp,
        expires: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO web_sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash.to_string())
        .bind(user.0)
        .bind(now.as_second())
        .bind(expires.as_second())
        .execute(self.writer())
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn web_session_account(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<Account>> {
        if let Some(who) = self.who() {
            return who
                .account(Secret::WebSession, token_hash, now.as_second())
                .await;
        }
        self.account_where(
            account_select!(
                "FROM web_sessions s JOIN users u ON u.id = s.user_id",
                "WHERE s.token_hash = $1 AND s.expires_at > $2"
            ),
            token_hash,
            Some(now.as_second()),
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_web_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
            .bind(token_hash.to_string())
            .execute(self.writer())
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_api_token(
        &self,
        token_hash: &str,
        user: UserId,
        label: &str,
        now: Timestamp,
        expires: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO api_tokens (user_id, token_hash, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(user.0)
        .bind(token_hash.to_string())
        .bind(label.to_string())
        .bind(now.as_second())
        .bind(expires.as_second())
        .execute(self.writer())
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn api_token_account(&self, token_hash: &str, now: Timestamp) -> Result<Option<Account>> {
        // Read on every request, never cached: a token deleted or a role revoked on any node
        // is refused on the next request everywhere.
        if let Some(who) = self.who() {
            return who
                .account(Secret::ApiToken, token_hash, now.as_second())
                .await;
        }
        let rows = sqlx::query(account_select!(
            "FROM api_tokens t JOIN users u ON u.id = t.user_id",
            "WHERE t.token_hash = $1 AND t.expires_at > $2"
        ))
        .bind(token_hash.to_string())
        .bind(now.as_second())
        .fetch_all(self.reader())
        .await?;
        account_from_rows(&rows)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_api_token(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM api_tokens WHERE token_hash = $1")
            .bind(token_hash.to_string())
            .execute(self.writer())
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn login_counts(
        &self,
        email: &str,
        address: &str,
        windows: &LoginWindows,
    ) -> Result<LoginCounts> {
        super::logins::counts(self, email, address, windows).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn begin_login_attempt(
        &self,
        email: &str,
        address: &str,
        now: Timestamp,
        windows: &LoginWindows,
    ) -> Result<(i64, LoginCounts)> {
        super::logins::begin(self, email, address, now, windows).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn finish_login_attempt(&self, id: i64, outcome: LoginOutcome) -> Result<()> {
        super::logins::finish(self, id, outcome).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn prune_expired(&self, now: Timestamp, attempts_before: Timestamp) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let mut removed = 0;
        for (sql, at) in [
            ("DELETE FROM web_sessions WHERE expires_at <= $1", now),
            ("DELETE FROM api_tokens WHERE expires_at <= $1", now),
            (
                "DELETE FROM login_attempts WHERE at < $1 AND succeeded = 0",
                attempts_before,
            ),
            (
                "DELETE FROM login_attempts WHERE at < $1",
                now.saturating_sub(SignedDuration::from_hours(24 * 30))
                    .unwrap_or(now),
            ),
        ] {
            removed += sqlx::query(sql)
                .bind(at.as_second())
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        tx.commit().await?;
        Ok(removed)
    }
}
