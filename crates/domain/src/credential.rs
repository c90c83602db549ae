//! Skill credentials: a mentee's portable proof of a checkpoint reached, as an Open Badges 3.0
//! `OpenBadgeCredential` in the W3C Verifiable Credentials 2.0 data model. This module holds
//! the rules (who may claim what, what the holder chooses to include), the issuer's `did:web`
//! identifier and the credential's JSON; signing and the revocation list are the application
//! layer's (`stint_app::skill_credentials`).

use crate::outcome::closing::CheckpointResult;
use jiff::Timestamp;
use serde_json::{Value, json};

/// Bits on one revocation list: the minimum the Bitstring Status List recommends, so a list
/// says little about how many credentials exist.
pub const STATUS_LIST_BITS: i64 = 131_072;

/// Why a claim is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimRefusal {
    /// The session is not closed yet.
    NotClosed,
    /// Closed, but the mentor did not attest the checkpoint as reached.
    NotReached,
}

impl ClaimRefusal {
    pub fn message(self) -> &'static str {
        match self {
            ClaimRefusal::NotClosed => {
                "a credential can be claimed once your mentor has closed the session"
            }
            ClaimRefusal::NotReached => {
                "a credential is for a checkpoint reached; your mentor recorded this one as not \
                 reached yet"
            }
        }
    }
}

/// Whether the mentee may claim a credential for a session closed with `result`.
pub fn may_claim(result: Option<CheckpointResult>) -> Result<(), ClaimRefusal> {
    match result {
        None => Err(ClaimRefusal::NotClosed),
        Some(CheckpointResult::Reached) => Ok(()),
        Some(_) => Err(ClaimRefusal::NotReached),
    }
}

/// What the holder chooses to put in the credential besides the checkpoint itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClaimChoices {
    /// The mentor's evidence, as written at closing.
    pub evidence: bool,
    /// Their follow-up self-rating on the competency's rubric, when they took it.
    pub level: bool,
    /// Their name (otherwise the credential names nobody, and proves only to whoever holds it).
    pub name: bool,
}

/// The issuer's `did:web` identifier for the site at `public_url`: the host (a port written
/// `%3A`), then each path segment after a colon. `None` for an address that is not http(s).
pub fn did_web(public_url: &str) -> Option<String> {
    let rest = public_url
        .strip_prefix("https://")
        .or_else(|| public_url.strip_prefix("http://"))?;
    let mut parts = rest.trim_end_matches('/').split('/');
    let host = parts.next().filter(|h| !h.is_empty())?;
    let mut did = format!("did:web:{}", host.to_ascii_lowercase().replace(':', "%3A"));
    for segment in parts.filter(|s| !s.is_empty()) {
        did.push(':');
        did.push_str(segment);
    }
    Some(did)
}

/// Where a revocation list and the place on it are for credential number `id`: (list, index).
pub fn status_place(id: i64) -> (i64, i64) {
    (id / STATUS_LIST_BITS + 1, id % STATUS_LIST_BITS)
}

/// Everything one credential says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialFacts {
    pub number: i64,
    /// The site's address, without a trailing slash.
    pub base_url: String,
    pub issuer_did: String,
    pub issued_at: Timestamp,
    /// When the session took place.
    pub session_at: Timestamp,
    pub session_type: String,
    pub competency_slug: String,
    pub competency: String,
    pub checkpoint_slug: String,
    pub checkpoint: String,
    pub checkpoint_description: String,
    /// The competency's five rubric levels.
    pub rubric: Vec<String>,
    /// The holder's name, when they chose to include it.
    pub holder: Option<String>,
    /// Their rubric level (1–5), when they chose to include it.
    pub level: Option<i64>,
    /// The mentor's evidence, when they chose to include it.
    pub evidence: Option<String>,
}

/// The credential as Open Badges 3.0 JSON, unsigned.
pub fn open_badge(f: &CredentialFacts) -> Value {
    let (list, index) = status_place(f.number);
    let achievement_id = format!(
        "{}/competencies/{}#checkpoint-{}",
        f.base_url, f.competency_slug, f.checkpoint_slug
    );
    let rubric_id = format!("{achievement_id}-rubric");
    let levels: Vec<Value> = f
        .rubric
        .iter()
        .enumerate()
        .map(|(i, words)| {
            json!({"id": format!("{rubric_id}-level-{}", i + 1), "type": ["RubricCriterionLevel"],
                   "name": format!("Level {}", i + 1), "description": words})
        })
        .collect();
    let mut subject = json!({
        "type": ["AchievementSubject"],
        "activityStartDate": f.session_at.to_string(),
        "achievement": {
            "id": achievement_id,
            "type": ["Achievement"],
            "achievementType": "Competency",
            "name": f.checkpoint,
            "description": if f.checkpoint_description.is_empty() {
                format!("A checkpoint of {}", f.competency)
            } else {
                f.checkpoint_description.clone()
            },
            "criteria": {"narrative": format!(
                "Reached in a mentored {} session, as attested by the mentor when closing it.",
                f.session_type
            )},
            "tag": [f.competency],
            "resultDescription": [{
                "id": rubric_id,
                "type": ["ResultDescription"],
                "name": format!("{} rubric (self-rated at the follow-up)", f.competency),
                "resultType": "RubricCriterionLevel",
                "rubricCriterionLevel": levels,
            }],
        },
    });
    if let Some(name) = &f.holder {
        subject["identifier"] = json!([{"type": "IdentityObject", "identityHash": name,
                                         "identityType": "name", "hashed": false}]);
    }
    if let Some(level) = f.level {
        subject["result"] = json!([{"type": ["Result"], "resultDescription": rubric_id,
            "achievedLevel": format!("{rubric_id}-level-{level}")}]);
    }
    let mut credential = json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": format!("{}/credentials/{}", f.base_url, f.number),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": format!("{}: {}", f.competency, f.checkpoint),
        "issuer": {"id": f.issuer_did, "type": ["Profile"], "name": "Stint", "url": f.base_url},
        "validFrom": f.issued_at.to_string(),
        "credentialSubject": subject,
        "credentialStatus": {
            "id": format!("{}/credentials/status/{list}#{index}", f.base_url),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": index.to_string(),
            "statusListCredential": format!("{}/credentials/status/{list}", f.base_url),
        },
    });
    if let Some(evidence) = f.evidence.as_ref().filter(|e| !e.trim().is_empty()) {
        credential["evidence"] = json!([{"type": ["Evidence"], "name": "Mentor's evidence",
                                          "narrative": evidence}]);
    }
    credential
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_reached_checkpoint_is_claimed() {
        assert_eq!(may_claim(Some(CheckpointResult::Reached)), Ok(()));
        assert_eq!(
            may_claim(Some(CheckpointResult::Partly)),
            Err(ClaimRefusal::NotReached)
        );
        assert_eq!(
            may_claim(Some(CheckpointResult::NotReached)),
            Err(ClaimRefusal::NotReached)
        );
        assert_eq!(may_claim(None), Err(ClaimRefusal::NotClosed));
    }

    #[test]
    fn did_web_follows_the_method() {
        assert_eq!(
            did_web("https://stint.example").unwrap(),
            "did:web:stint.example"
        );
        assert_eq!(
            did_web("http://127.0.0.1:8080/").unwrap(),
            "did:web:127.0.0.1%3A8080"
        );
        assert_eq!(
            did_web("https://Example.org/mentoring/stint").unwrap(),
            "did:web:example.org:mentoring:stint"
        );
        assert_eq!(did_web("ftp://x"), None);
        assert_eq!(did_web("https://"), None);
    }

    #[test]
    fn status_places_fill_one_list_then_the_next() {
        assert_eq!(status_place(1), (1, 1));
        assert_eq!(
            status_place(STATUS_LIST_BITS - 1),
            (1, STATUS_LIST_BITS - 1)
        );
        assert_eq!(status_place(STATUS_LIST_BITS), (2, 0));
    }

    #[test]
    fn the_holder_chooses_what_is_included() {
        let mut f = CredentialFacts {
            number: 3,
            base_url: "https://stint.example".into(),
            issuer_did: "did:web:stint.example".into(),
            issued_at: "2026-06-05T10:00:00Z".parse().unwrap(),
            session_at: "2026-06-03T14:00:00Z".parse().unwrap(),
            session_type: "Negotiation clinic".into(),
            competency_slug: "negotiation".into(),
            competency: "Negotiation".into(),
            checkpoint_slug: "counter".into(),
            checkpoint: "Counter-offer ready".into(),
            checkpoint_description: String::new(),
            rubric: (1..=5).map(|i| format!("level {i}")).collect(),
            holder: None,
            level: None,
            evidence: None,
        };
        let bare = open_badge(&f);
        assert!(bare["credentialSubject"].get("identifier").is_none());
        assert!(bare["credentialSubject"].get("result").is_none());
        assert!(bare.get("evidence").is_none());
        assert_eq!(bare["credentialStatus"]["statusListIndex"], "3");
        assert_eq!(
            bare["credentialStatus"]["statusListCredential"],
            "https://stint.example/credentials/status/1"
        );
        f.holder = Some("Sam Rivera".into());
        f.level = Some(4);
        f.evidence = Some("Wrote the script".into());
        let full = open_badge(&f);
        assert_eq!(
            full["credentialSubject"]["identifier"][0]["identityHash"],
            "Sam Rivera"
        );
        assert!(
            full["credentialSubject"]["result"][0]["achievedLevel"]
                .as_str()
                .unwrap()
                .ends_with("-level-4")
        );
        assert_eq!(full["evidence"][0]["narrative"], "Wrote the script");
    }
}
