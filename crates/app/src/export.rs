//! Export: everything Stint holds about a person, as a zip with one JSON document (for
//! machines) and Markdown (for people): the account, their sessions with the notes they may
//! read, their own prep and assessments, tasks, the nudges sent to them and their nudge
//! settings, credit movements, inbox, the access log and their privacy choices, their pilot
//! check-ins, the experiment variants they were placed in and their skill credentials. What they may
//! read is decided as everywhere else (`stint_domain::access`): a mentor's export has the
//! shared notes and their own private ones, never a mentee's private notes; a mentee's prep
//! and assessments are in the mentee's export only. Reading one's own data is not logged.

use crate::App;
use crate::error::AppError;
use serde_json::{Value, json};
use std::io::Write;
use stint_domain::access::may_read_note;
use stint_domain::account::Account;
use stint_domain::ledger::Account as LedgerAccount;

/// The most bookings, entries or messages of each kind one export carries.
const MOST: u32 = 10_000;

/// Where an export's progress is told as it is made.
pub enum Progress<'a> {
    /// Nobody is watching (a small export answered at once).
    Silent,
    /// An export request's row (`privacy.export`), for its owner's page.
    Request(i64),
    /// A function given (done, of): the command line's progress bar.
    Report(&'a (dyn Fn(u64, u64) + Sync)),
}

impl Progress<'_> {
    async fn tell(&self, app: &App, done: u64, of: u64) -> Result<(), AppError> {
        match self {
            Progress::Silent => {}
            Progress::Request(id) => {
                let percent = u8::try_from(done * 100 / of.max(1)).unwrap_or(100);
                app.store.set_export_progress(*id, percent).await?;
            }
            Progress::Report(f) => f(done, of),
        }
        Ok(())
    }
}

/// The export of `me` now: the zip's file name and bytes.
#[tracing::instrument(skip_all)]
pub async fn export(app: &App, me: &Account) -> Result<(String, Vec<u8>), AppError> {
    export_with(app, me, &Progress::Silent).await
}

/// As [`export`], telling `progress` how far it is.
#[tracing::instrument(skip_all)]
pub async fn export_with(
    app: &App,
    me: &Account,
    progress: &Progress<'_>,
) -> Result<(String, Vec<u8>), AppError> {
    let doc = document(app, me, progress).await?;
    let markdown = markdown(&doc);
    let json = serde_json::to_vec_pretty(&doc).map_err(|_| AppError::internal())?;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in [
        ("stint-export.json", json),
        ("stint-export.md", markdown.into_bytes()),
    ] {
        zip.start_file(name, options).map_err(zip_failed)?;
        zip.write_all(&bytes).map_err(|e| zip_failed(e.into()))?;
    }
    let bytes = zip.finish().map_err(zip_failed)?.into_inner();
    let day = app.now().strftime("%Y-%m-%d").to_string();
    Ok((format!("stint-export-{day}.zip"), bytes))
}

fn zip_failed(e: zip::result::ZipError) -> AppError {
    tracing::error!(error = %e, "an export could not be written");
    AppError::internal()
}

/// Everything about `me`, as the JSON document says it.
pub async fn document(app: &App, me: &Account, progress: &Progress<'_>) -> Result<Value, AppError> {
    let store = &app.store;
    let mut sessions = Vec::new();
    let contexts = store.booking_contexts_of(me.id).await?;
    // Each session is a step, and the rest (credits, inbox, log, profile) one more.
    let steps = contexts.len() as u64 + 1;
    let every = (steps / 20).max(1);
    progress.tell(app, 0, steps).await?;
    for (done, ctx) in contexts.into_iter().enumerate() {
        let done = done as u64;
        if done > 0 && done.is_multiple_of(every) {
            progress.tell(app, done, steps).await?;
        }
        let b = &ctx.booking;
        let is_mentor = b.mentor_id == me.id;
        let is_mentee = b.mentee_id == me.id;
        let mut notes: Vec<Value> = Vec::new();
        for n in store.notes(b.id).await? {
            if may_read_note(n.kind, is_mentor, is_mentee) {
                notes.push(json!({"kind": n.kind.as_str(), "body": app.open(&n.body)?}));
            }
        }
        let (prep, assessments) = if is_mentee {
            let prep = match store.prep(b.id).await? {
                Some(p) => Some(json!({"intake_answers": app.open_all(&p.prep.intake_answers)?})),
                None => None,
            };
            let assessments: Vec<Value> = store
                .assessments(b.id)
                .await?
                .into_iter()
                .map(|a| {
                    json!({"kind": a.kind.as_str(), "level": a.level.to_string(),
                           "answers": a.answers, "at": a.submitted_at.to_string()})
                })
                .collect();
            (prep, assessments)
        } else {
            (None, Vec::new())
        };
        let tasks: Vec<Value> = store
            .tasks(b.id)
            .await?
            .into_iter()
            .map(|t| {
                json!({"title": t.title, "due": t.due.to_string(),
                       "done_at": t.done_at.map(|d| d.to_string())})
            })
            .collect();
        let nudges: Vec<Value> = store
            .deliveries(b.id)
            .await?
            .into_iter()
            .filter(|d| d.recipient == me.id)
            .map(|d| {
                json!({"kind": d.kind.as_str(), "channel": d.channel.as_str(),
                       "sent": d.status == stint_store::DeliveryStatus::Sent,
                       "at": d.at.to_string()})
            })
            .collect();
        let closing = store.closing(b.id).await?.map(|c| {
            json!({"checkpoint": c.checkpoint.as_str(), "evidence": c.evidence,
                   "followup": c.followup, "closed_at": c.closed_at.to_string()})
        });
        let review = store.review_of_booking(b.id.0).await?.map(|r| {
            json!({"rating": r.rating, "text": r.text, "at": r.created_at.to_string(),
                   "answer": r.reply})
        });
        sessions.push(json!({
            "id": b.id.0,
            "session_type": ctx.sku.content.title,
            "you_were": if is_mentor { "mentor" } else { "mentee" },
            "with": ctx.other(me).display_name,
            "start": b.start.to_string(),
            "end": b.end.to_string(),
            "status": b.status.as_str(),
            "notes": notes,
            "prep": prep,
            "assessments": assessments,
            "tasks": tasks,
            "closing": closing,
            "nudges": nudges,
            "review": review,
        }));
    }
    let mut ledger = Vec::new();
    for account in [LedgerAccount::Wallet(me.id), LedgerAccount::Earnings(me.id)] {
        for e in store.ledger_entries(account, None, MOST).await? {
            ledger.push(json!({
                "account": account.to_string(),
                "at": e.at.to_string(),
                "kind": e.kind.as_str(),
                "credits": e.amount,
                "balance": e.balance,
                "reference": e.reference,
            }));
        }
    }
    let inbox: Vec<Value> = store
        .inbox(me.id, None, MOST)
        .await?
        .into_iter()
        .map(|i| json!({"title": i.title, "body": i.body, "at": i.created_at.to_string()}))
        .collect();
    let reads: Vec<Value> = store
        .access_log(me.id, None, MOST)
        .await?
        .into_iter()
        .map(|e| json!({"reader": e.reader_name, "what": e.what, "at": e.at.to_string()}))
        .collect();
    let retention: Vec<Value> = crate::privacy::choices(app, me)
        .await?
        .into_iter()
        .map(|c| json!({"class": c.key, "days": c.days}))
        .collect();
    let memberships: Vec<Value> = store
        .memberships_of(me.id)
        .await?
        .into_iter()
        .map(|m| {
            json!({"organisation": m.org_name, "role": m.role.as_str(),
                   "shares": crate::sponsor::sharing::name_of(&m.sharing)})
        })
        .collect();
    let profile = store.mentor_profile(me.id).await?.map(|p| {
        json!({"headline": p.headline, "bio": p.bio, "experience": p.experience,
                   "languages": p.languages, "meeting_url": p.meeting_url})
    });
    let calendars: Vec<Value> = store
        .calendar_sources_of(me.id)
        .await?
        .into_iter()
        .map(|c| {
            json!({"kind": c.kind.as_str(), "url": c.url, "username": c.username,
                   "calendars": c.calendars.iter().map(|k| &k.name).collect::<Vec<_>>()})
        })
        .collect();
    // Their pilot check-ins, and the experiments they were placed in.
    let mut pilots: Vec<Value> = Vec::new();
    for p in store.pilots_of_member(me.id).await? {
        let ratings: Vec<Value> = store
            .check_ins(p.id)
            .await?
            .into_iter()
            .filter(|c| c.user == me.id)
            .map(|c| {
                json!({"day": c.day, "competency_id": c.competency.0, "level": c.level,
                       "at": c.answered_at.to_string()})
            })
            .collect();
        pilots.push(json!({"pilot": p.name, "start": p.start.to_string(), "check_ins": ratings}));
    }
    let experiments: Vec<Value> = store
        .exposures_of(me.id)
        .await?
        .into_iter()
        .map(|(name, variant, at)| json!({"experiment": name, "variant": variant, "since": at.to_string()}))
        .collect();
    // What they wrote in mentor circles, and their applications to mentor.
    let circle_posts: Vec<Value> = store
        .posts_by(me.id)
        .await?
        .into_iter()
        .map(|p| {
            json!({"circle_id": p.circle, "reply_to": p.parent, "markdown": p.body,
                        "at": p.created_at.to_string()})
        })
        .collect();
    let applications: Vec<Value> = store
        .applications_of(me.id)
        .await?
        .into_iter()
        .map(|a| {
            json!({"experience": a.experience, "competencies": a.competencies,
                   "sample": a.sample, "links": a.links, "status": a.status.as_str(),
                   "question": a.question, "answer": a.answer, "reason": a.reason,
                   "sent": a.created_at.to_string()})
        })
        .collect();
    // Their skill credentials, as signed and as read.
    let credentials: Vec<Value> = crate::skill_credentials::mine(app, me)
        .await?
        .into_iter()
        .map(|c| {
            json!({"name": c.name, "issued_at": c.issued_at.to_string(),
                   "revoked_at": c.revoked_at.map(|t| t.to_string()),
                   "share_url": c.share_url, "vc_jwt": c.jwt, "credential": c.credential})
        })
        .collect();
    // Their workspace chat: the service and host (the address itself is a secret of theirs,
    // kept sealed; it is not needed to take their data elsewhere).
    let chat = crate::chat::mine(app, me).await?.map(|c| {
        json!({"kind": c.kind.as_str(), "host": c.host, "connected_at": c.connected_at.to_string()})
    });
    progress.tell(app, steps, steps).await?;
    Ok(json!({
        "workspace_chat": chat,
        "skill_credentials": credentials,
        "circle_posts": circle_posts,
        "mentor_applications": applications,
        "pilots": pilots,
        "experiments": experiments,
        "exported_at": app.now().to_string(),
        "mentor_profile": profile,
        "nudge_settings": store.nudge_prefs(me.id).await?,
        "calendars": calendars,
        "account": {
            "email": me.email,
            "name": me.display_name,
            "time_zone": me.timezone,
            "roles": me.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        },
        "sessions": sessions,
        "credit_movements": ledger,
        "inbox": inbox,
        "organisations": memberships,
        "access_log": reads,
        "privacy": {
            "retention": retention,
            "prep_private_until_session": crate::privacy::prep_private(app, me).await?,
            "changes": crate::privacy::changes(app, me).await?.into_iter()
                .map(|(c, at)| json!({"change": c, "at": at.to_string()})).collect::<Vec<_>>(),
        },
    }))
}

/// The same document for people to read.
fn markdown(doc: &Value) -> String {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let mut out = format!(
        "# Your data at Stint\n\nExported {}.\n\n## Account\n\n- Name: {}\n- E-mail: {}\n- Time zone: {}\n",
        s(&doc["exported_at"]),
        s(&doc["account"]["name"]),
        s(&doc["account"]["email"]),
        s(&doc["account"]["time_zone"]),
    );
    if let Some(p) = doc["mentor_profile"].as_object() {
        out.push_str(&format!(
            "\n## Mentor profile\n\n- Headline: {}\n- Meeting link: {}\n\n{}\n",
            p.get("headline").map(s).unwrap_or_default(),
            p.get("meeting_url").map(s).unwrap_or_default(),
            p.get("bio").map(s).unwrap_or_default(),
        ));
    }
    for c in doc["calendars"].as_array().into_iter().flatten() {
        let names: Vec<String> = c["calendars"]
            .as_array()
            .into_iter()
            .flatten()
            .map(s)
            .collect();
        out.push_str(&format!(
            "\n- Calendar connection ({}) {} as {}: {}\n",
            s(&c["kind"]),
            s(&c["url"]),
            s(&c["username"]),
            names.join(", ")
        ));
    }
    out.push_str("\n## Sessions\n");
    for session in doc["sessions"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "\n### {} with {} — {}\n\nYou were the {}; {}.\n",
            s(&session["session_type"]),
            s(&session["with"]),
            s(&session["start"]),
            s(&session["you_were"]),
            s(&session["status"]),
        ));
        for note in session["notes"].as_array().into_iter().flatten() {
            out.push_str(&format!(
                "\n**Notes ({})**\n\n{}\n",
                s(&note["kind"]).replace('_', " "),
                s(&note["body"])
            ));
        }
        if let Some(answers) = session["prep"]["intake_answers"].as_array() {
            out.push_str("\n**Your intake answers**\n\n");
            for a in answers {
                out.push_str(&format!("- {}\n", s(a)));
            }
        }
        for a in session["assessments"].as_array().into_iter().flatten() {
            out.push_str(&format!(
                "\n**{} self-rating**: level {}\n",
                s(&a["kind"]),
                s(&a["level"])
            ));
        }
        if let Some(c) = session["closing"].as_object() {
            out.push_str(&format!(
                "\n**Checkpoint**: {}. {}\n\n**Follow-up**\n\n{}\n",
                c.get("checkpoint")
                    .map(s)
                    .unwrap_or_default()
                    .replace('_', " "),
                c.get("evidence").map(s).unwrap_or_default(),
                c.get("followup").map(s).unwrap_or_default(),
            ));
        }
        for t in session["tasks"].as_array().into_iter().flatten() {
            let done = if t["done_at"].is_null() { " " } else { "x" };
            out.push_str(&format!(
                "\n- [{done}] {} (due {})",
                s(&t["title"]),
                s(&t["due"])
            ));
        }
        out.push('\n');
    }
    out.push_str("\n## Credit movements\n\n");
    for e in doc["credit_movements"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "- {} {}: {} credits ({})\n",
            s(&e["at"]),
            s(&e["kind"]),
            e["credits"],
            s(&e["reference"])
        ));
    }
    out.push_str("\n## Who read your data\n\n");
    for r in doc["access_log"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "- {} read your {} ({})\n",
            s(&r["reader"]),
            s(&r["what"]).replace('_', " "),
            s(&r["at"])
        ));
    }
    let pilots = doc["pilots"].as_array().into_iter().flatten();
    for p in pilots {
        out.push_str(&format!(
            "\n## Pilot: {} (from {})\n\n",
            s(&p["pilot"]),
            s(&p["start"])
        ));
        for c in p["check_ins"].as_array().into_iter().flatten() {
            out.push_str(&format!(
                "- Day {}: level {} on competency {} ({})\n",
                c["day"],
                c["level"],
                c["competency_id"],
                s(&c["at"])
            ));
        }
    }
    if let Some(list) = doc["skill_credentials"]
        .as_array()
        .filter(|l| !l.is_empty())
    {
        out.push_str("\n## Your credentials\n\n");
        for c in list {
            let state = if c["revoked_at"].is_null() {
                "valid"
            } else {
                "revoked"
            };
            out.push_str(&format!(
                "- {} (issued {}, {state}); the signed file is in stint-export.json\n",
                s(&c["name"]),
                s(&c["issued_at"])
            ));
        }
    }
    if let Some(list) = doc["experiments"].as_array().filter(|l| !l.is_empty()) {
        out.push_str("\n## Experiments you were part of\n\n");
        for e in list {
            out.push_str(&format!(
                "- {}: variant {} (since {})\n",
                s(&e["experiment"]),
                s(&e["variant"]),
                s(&e["since"])
            ));
        }
    }
    out
}
