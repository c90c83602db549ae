//! Joining by e-mail domain: an admin names a domain and an address there; the
//! `org.domain_mail` job mails that address a single-use link (made at send time, only its
//! digest stored); whoever opens it and confirms verifies the domain, and then every account
//! at it joins as a member, now and when one is made later (`join_by_domain`, after a
//! sign-up). A member who left is never joined again by their domain.

use super::{administered, queue_link_mail, unsent_digest, within_hourly_limit};
use crate::App;
use crate::auth::secret;
use crate::error::{AppError, ErrorKind};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::ids::OrgId;
use stint_domain::sponsor::domains::{address_at, domain_of, parse_domain};
use stint_store::StoreError;
use stint_store::sponsor::{DomainRecord, NewDomain};

/// The job that mails a domain's verification link.
pub const DOMAIN_MAIL: &str = "org.domain_mail";
/// How long a verification link works.
pub const DOMAIN_LINK_DAYS: i64 = 7;
/// The most verification mails an organisation sends in an hour.
pub const DOMAIN_MAILS_PER_HOUR: usize = 10;

/// The `org.domain_mail` job's payload.
#[derive(Debug, Serialize, Deserialize)]
pub struct DomainMailJob {
    pub domain: i64,
}

/// `org`'s domains, verified or waiting for their link (its admins).
pub async fn list(app: &App, admin: &Account, org: OrgId) -> Result<Vec<DomainRecord>, AppError> {
    administered(app, admin, org).await?;
    Ok(app.store.domains(org).await?)
}

/// Asks to verify `domain` for `org` by a link mailed to `address` at it (its admins). A
/// domain some organisation verified already is a conflict; nothing is written on an error.
#[tracing::instrument(level = "debug", skip_all, fields(org = %org))]
pub async fn add(
    app: &App,
    admin: &Account,
    org: OrgId,
    domain: &str,
    address: &str,
) -> Result<DomainRecord, AppError> {
    administered(app, admin, org).await?;
    let mut e = FieldErrors::new();
    let domain = e.check("domain", parse_domain(domain));
    let address = match &domain {
        Some(d) => e.check("address", address_at(address, d)),
        None => None,
    };
    let (Some(domain), Some(address)) = (domain, address) else {
        return Err(AppError::validation(e));
    };
    if let Some(holder) = app.store.verified_domain(&domain).await? {
        let message = if holder == org {
            "is verified already"
        } else {
            "another organisation has verified this domain"
        };
        return Err(AppError::conflict("domain", message));
    }
    let now = app.now();
    let asked = app.store.domains(org).await?;
    within_hourly_limit(
        app,
        asked.iter().map(|d| d.created_at),
        DOMAIN_MAILS_PER_HOUR,
        "verification mails",
    )?;
    let unsent = unsent_digest()?;
    let record = app
        .store
        .request_domain(
            &NewDomain {
                org,
                domain: &domain,
                address: address.as_str(),
                digest: &unsent,
                requested_by: admin.id,
                expires_at: now
                    .saturating_add(SignedDuration::from_hours(24 * DOMAIN_LINK_DAYS))
                    .unwrap_or(now),
            },
            now,
        )
        .await?;
    queue_link_mail(
        app,
        DOMAIN_MAIL,
        &DomainMailJob { domain: record.id },
        record.id,
    )
    .await?;
    Ok(record)
}

/// A mailable verification link and what it is for.
pub struct DomainLink {
    pub token: String,
    pub address: String,
    pub domain: String,
    pub org_name: String,
    pub expires_at: Timestamp,
}

/// A new link for domain request `id` while it is open; earlier links of it stop working.
pub async fn new_domain_link(app: &App, id: i64) -> Result<Option<DomainLink>, AppError> {
    let token = secret::new_secret()?;
    let Some((record, org_name)) = app
        .store
        .reissue_domain_link(id, &secret::digest(&token), app.now())
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(DomainLink {
        token,
        address: record.address,
        domain: record.domain,
        org_name,
        expires_at: record.expires_at,
    }))
}

/// The domain and the organisation an open link names (`None` for an unknown, used or
/// expired one): what its page asks the reader to confirm.
pub async fn named_by(app: &App, token: &str) -> Result<Option<(String, String)>, AppError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 200 {
        return Ok(None);
    }
    Ok(app
        .store
        .domain_request(&secret::digest(token), app.now())
        .await?
        .map(|(d, org)| (d.domain, org)))
}

/// What verifying did: the domain and how many people joined by it.
#[derive(Debug, Clone)]
pub struct Verified {
    pub domain: DomainRecord,
    pub org_name: String,
    pub joined: u64,
}

/// Verifies the domain a link names (whoever holds the link: it reached an address at the
/// domain). An unknown, used or expired link is refused by field and nothing changes.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn verify(app: &App, token: &str) -> Result<Verified, AppError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 200 {
        return Err(link_refused());
    }
    match app
        .store
        .verify_domain(&secret::digest(token), app.now())
        .await
    {
        Ok((domain, joined)) => {
            tracing::info!(org = %domain.org, joined, "e-mail domain verified");
            let org_name = app
                .store
                .org(domain.org)
                .await?
                .map(|o| o.name)
                .unwrap_or_default();
            Ok(Verified {
                domain,
                org_name,
                joined,
            })
        }
        Err(StoreError::NotFound) => Err(link_refused()),
        Err(e) => Err(e.into()),
    }
}

fn link_refused() -> AppError {
    AppError::field(
        ErrorKind::Invalid,
        "link_invalid",
        "token",
        "This link has expired or was already used. Ask the organisation's admin to send a new one.",
    )
}

/// Stops `org` joining people by domain `id` (its admins); who joined stays a member.
pub async fn remove(app: &App, admin: &Account, org: OrgId, id: i64) -> Result<(), AppError> {
    administered(app, admin, org).await?;
    if app.store.remove_domain(org, id, app.now()).await? {
        Ok(())
    } else {
        Err(AppError::not_found("domain"))
    }
}

/// Joins a new account to the organisation that verified its address's domain, if any.
pub async fn join_by_domain(app: &App, account: &Account) -> Result<Option<OrgId>, AppError> {
    let domain = domain_of(&account.email);
    Ok(app
        .store
        .join_by_domain(account.id, domain, app.now())
        .await?)
}
