//! Skill credentials, the use cases: a mentee claims a signed credential for a checkpoint their
//! mentor attested as reached (`stint_domain::credential` says when and what goes in), keeps it,
//! shares a verification link or stops sharing it, and may revoke it (as may an operator);
//! anyone verifies one (valid, revoked or tampered), and the issuer's document and revocation
//! lists are public. One credential per session: claiming again answers the one issued.

pub mod signing;
pub mod status_list;

use crate::App;
use crate::error::{AppError, ErrorKind};
use crate::outcomes::{PartyBooking, Side, aim, party_to};
use jiff::Timestamp;
use serde_json::Value;
use stint_domain::account::Account;
use stint_domain::credential::{
    ClaimChoices, CredentialFacts, STATUS_LIST_BITS, may_claim, open_badge, status_place,
};
use stint_domain::outcome::assessment::AssessmentKind;
use stint_domain::role::Role;
use stint_store::SkillCredential;

/// The longest text [`verify`] looks at, in characters: a credential is a few thousand.
pub const MOST_CHARS: usize = 16_384;

/// The furthest revocation list anyone may ask for (a billion credentials).
const MOST_LISTS: i64 = 8_000;

/// A credential as its holder (or a verifier) sees it.
#[derive(Debug, Clone)]
pub struct CredentialView {
    pub id: i64,
    pub booking: i64,
    /// "Negotiation: Counter-offer ready".
    pub name: String,
    /// The holder's name, when they included it.
    pub holder: Option<String>,
    pub session_at: Option<Timestamp>,
    pub issued_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    /// The public verification link while it is shared.
    pub share_url: Option<String>,
    /// The signed credential (VC-JWT).
    pub jwt: String,
    /// The credential's JSON, as signed.
    pub credential: Value,
}

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Signed by this issuer, unchanged, and not revoked.
    Valid,
    /// Signed by this issuer and unchanged, but revoked.
    Revoked,
    /// Not a credential this issuer signed as it is now, and why.
    Tampered(&'static str),
}

impl Verdict {
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Revoked => "revoked",
            Verdict::Tampered(_) => "tampered",
        }
    }
}

/// Claims the credential of session `booking`: only its mentee, only for a checkpoint
/// reached. `(credential, issued now)`.
#[tracing::instrument(skip_all)]
pub async fn claim(
    app: &App,
    me: &Account,
    booking: i64,
    choices: ClaimChoices,
) -> Result<(CredentialView, bool), AppError> {
    let pb = party_to(app, me, booking).await?;
    if pb.side != Side::Mentee {
        return Err(AppError::field(
            ErrorKind::Forbidden,
            "forbidden",
            "booking",
            "only the session's mentee may claim its credential",
        ));
    }
    let closing = app.store.closing(pb.booking.id).await?;
    may_claim(closing.as_ref().map(|c| c.checkpoint)).map_err(|refusal| {
        AppError::field(
            ErrorKind::Conflict,
            "checkpoint_not_reached",
            "booking",
            refusal.message(),
        )
    })?;
    let issuer = signing::issuer(app).await?;
    let (competency, checkpoint_title) = aim(app, &pb.sku).await?;
    let competency = competency.ok_or_else(|| AppError::not_found("competency"))?;
    let checkpoint = competency
        .checkpoint(pb.sku.content.checkpoint_id)
        .cloned()
        .ok_or_else(|| AppError::not_found("checkpoint"))?;
    let level = if choices.level {
        app.store
            .assessments(pb.booking.id)
            .await?
            .into_iter()
            .find(|a| a.kind == AssessmentKind::Followup)
            .map(|a| a.level.get())
    } else {
        None
    };
    let facts = CredentialFacts {
        number: 0,
        base_url: issuer.base_url.clone(),
        issuer_did: issuer.did.clone(),
        issued_at: app.now(),
        session_at: pb.booking.start,
        session_type: pb.sku.content.title.clone(),
        competency_slug: competency.slug.clone(),
        competency: competency.name.clone(),
        checkpoint_slug: checkpoint.slug,
        checkpoint: checkpoint_title,
        checkpoint_description: checkpoint.description,
        rubric: competency.rubric.clone(),
        holder: choices.name.then(|| me.display_name.clone()),
        level,
        evidence: closing
            .filter(|_| choices.evidence)
            .map(|c| c.evidence)
            .filter(|e| !e.trim().is_empty()),
    };
    let sign = move |number: i64| {
        issuer.sign(&open_badge(&CredentialFacts {
            number,
            ..facts.clone()
        }))
    };
    let (credential, issued) = app
        .store
        .issue_credential(pb.booking.id, me.id, app.now(), &sign)
        .await?;
    Ok((view(app, credential), issued))
}

/// Where a session's credential stands for its mentee.
#[derive(Debug, Clone)]
pub enum SessionCredential {
    /// The checkpoint was reached and nothing is claimed yet.
    Claimable,
    Claimed(Box<CredentialView>),
}

/// The session's credential as its page shows it: `None` for the mentor, and while the
/// checkpoint is not reached.
#[tracing::instrument(skip_all)]
pub async fn for_session(
    app: &App,
    pb: &PartyBooking,
) -> Result<Option<SessionCredential>, AppError> {
    if pb.side != Side::Mentee {
        return Ok(None);
    }
    if let Some(c) = app.store.credential_of_booking(pb.booking.id).await? {
        return Ok(Some(SessionCredential::Claimed(Box::new(view(app, c)))));
    }
    let closing = app.store.closing(pb.booking.id).await?;
    Ok(may_claim(closing.map(|c| c.checkpoint))
        .ok()
        .map(|()| SessionCredential::Claimable))
}

/// The holder's credentials, newest first.
#[tracing::instrument(skip_all)]
pub async fn mine(app: &App, me: &Account) -> Result<Vec<CredentialView>, AppError> {
    let all = app.store.credentials_of(me.id).await?;
    Ok(all.into_iter().map(|c| view(app, c)).collect())
}

/// One of the holder's credentials (an operator may look at any).
#[tracing::instrument(skip_all)]
pub async fn one(app: &App, me: &Account, id: i64) -> Result<CredentialView, AppError> {
    Ok(view(app, owned(app, me, id, true).await?))
}

/// The credential if `me` holds it (or is an operator, where `operators` allows): 404 for
/// anyone else, as if it did not exist.
async fn owned(
    app: &App,
    me: &Account,
    id: i64,
    operators: bool,
) -> Result<SkillCredential, AppError> {
    app.store
        .skill_credential(id)
        .await?
        .filter(|c| !c.jwt.is_empty())
        .filter(|c| c.user == me.id || (operators && me.has(Role::Operator)))
        .ok_or_else(|| AppError::not_found("credential"))
}

/// Shares a verification link (the same one again if it is shared already).
#[tracing::instrument(skip_all)]
pub async fn share(app: &App, me: &Account, id: i64) -> Result<CredentialView, AppError> {
    let c = owned(app, me, id, false).await?;
    if c.revoked_at.is_some() {
        return Err(AppError::conflict(
            "credential",
            "a revoked credential cannot be shared",
        ));
    }
    if c.share_token.is_none() {
        let token = crate::auth::secret::new_secret()?;
        app.store
            .set_credential_share(id, Some(&token[..32]))
            .await?;
    }
    one(app, me, id).await
}

/// Stops sharing: the link answers "no longer shared" from now on.
#[tracing::instrument(skip_all)]
pub async fn stop_sharing(app: &App, me: &Account, id: i64) -> Result<CredentialView, AppError> {
    owned(app, me, id, false).await?;
    app.store.set_credential_share(id, None).await?;
    one(app, me, id).await
}

/// Revokes it for good, by its holder or an operator: every copy verifies as revoked from
/// now on, and its link stops working.
#[tracing::instrument(skip_all)]
pub async fn revoke(app: &App, me: &Account, id: i64) -> Result<CredentialView, AppError> {
    owned(app, me, id, true).await?;
    if !app.store.revoke_credential(id, app.now()).await? {
        return Err(AppError::conflict("credential", "it is revoked already"));
    }
    tracing::info!(credential = id, by = me.id.0, "credential revoked");
    one(app, me, id).await
}

/// Checks a credential someone pasted or sent: signed by this issuer, unchanged, and not on
/// the revocation list. Bounded: anything far longer than a credential is not decoded.
#[tracing::instrument(skip_all)]
pub async fn verify(app: &App, text: &str) -> Result<(Verdict, Option<Value>), AppError> {
    let text = text.trim();
    let refused = |message: &str| {
        let mut e = stint_domain::FieldErrors::new();
        e.add("credential", message);
        Err(AppError::validation(e))
    };
    if text.is_empty() {
        return refused("paste the credential to check (the text of its .jwt file)");
    }
    if text.chars().count() > MOST_CHARS {
        return refused("this is far longer than any credential Stint issues");
    }
    let issuer = signing::issuer(app).await?;
    let payload = match issuer.open(text) {
        Ok(p) => p,
        Err(why) => return Ok((Verdict::Tampered(why), None)),
    };
    let Some(number) = number_of(&payload) else {
        return Ok((
            Verdict::Tampered("It has no place on a revocation list"),
            None,
        ));
    };
    let revoked = app
        .store
        .skill_credential(number)
        .await?
        .is_none_or(|c| c.revoked_at.is_some());
    let verdict = if revoked {
        Verdict::Revoked
    } else {
        Verdict::Valid
    };
    Ok((verdict, Some(payload)))
}

/// The credential behind a shared link, with what verifying it finds; 404 once its holder
/// stopped sharing it.
#[tracing::instrument(skip_all)]
pub async fn shared(app: &App, token: &str) -> Result<(CredentialView, Verdict), AppError> {
    let c = app
        .store
        .credential_by_share(token)
        .await?
        .filter(|c| !c.jwt.is_empty())
        .ok_or_else(|| AppError::not_found("credential"))?;
    let (verdict, _) = verify(app, &c.jwt).await?;
    Ok((view(app, c), verdict))
}

/// Revocation list `list`, signed (a VC-JWT).
#[tracing::instrument(skip_all)]
pub async fn status_list(app: &App, list: i64) -> Result<String, AppError> {
    if !(1..=MOST_LISTS).contains(&list) {
        return Err(AppError::not_found("status list"));
    }
    let issuer = signing::issuer(app).await?;
    let first = (list - 1) * STATUS_LIST_BITS;
    let indexes: Vec<i64> = app
        .store
        .revoked_credentials(first + STATUS_LIST_BITS)
        .await?
        .into_iter()
        .filter(|n| *n >= first)
        .map(|n| status_place(n).1)
        .collect();
    Ok(issuer.sign(&status_list::list_credential(
        &issuer,
        list,
        &indexes,
        app.now(),
    )))
}

/// The issuer's `did:web` document.
#[tracing::instrument(skip_all)]
pub async fn did_document(app: &App) -> Result<Value, AppError> {
    Ok(signing::issuer(app).await?.did_document())
}

/// The credential number a payload's status entry names.
fn number_of(payload: &Value) -> Option<i64> {
    let status = &payload["credentialStatus"];
    let index: i64 = status["statusListIndex"].as_str()?.parse().ok()?;
    let list: i64 = status["statusListCredential"]
        .as_str()?
        .rsplit('/')
        .next()?
        .parse()
        .ok()?;
    Some((list - 1) * STATUS_LIST_BITS + index)
}

fn view(app: &App, c: SkillCredential) -> CredentialView {
    // The payload is read back without checking: it is the row's own, as signed.
    let credential: Value = c
        .jwt
        .split('.')
        .nth(1)
        .and_then(|p| {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .ok()
        })
        .and_then(|p| serde_json::from_slice(&p).ok())
        .unwrap_or_default();
    let subject = &credential["credentialSubject"];
    CredentialView {
        id: c.id,
        booking: c.booking.0,
        name: credential["name"].as_str().unwrap_or_default().to_string(),
        holder: subject["identifier"][0]["identityHash"]
            .as_str()
            .map(str::to_string),
        session_at: subject["activityStartDate"]
            .as_str()
            .and_then(|t| t.parse().ok()),
        issued_at: c.created_at,
        revoked_at: c.revoked_at,
        share_url: c.share_token.map(|t| {
            format!(
                "{}/credentials/shared/{t}",
                app.settings.public_url.trim_end_matches('/')
            )
        }),
        jwt: c.jwt,
        credential,
    }
}
