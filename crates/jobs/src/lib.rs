//! The job worker's use cases: what each durable job does (nudges planned and sent,
//! webhooks delivered, calendars synced, credits expired, housekeeping) and the worker that runs them all.
//! Nothing here depends on the web edge, so `stint worker` runs without it.

pub mod account_mail;
pub mod application_mail;
pub mod approval_lapse;
pub mod calendar_sync;
pub mod chat;
pub mod circles;
pub mod credit_expiry;
pub mod events;
pub mod insights;
pub mod mentors;
mod nudge_metrics;
pub mod pilots;
pub mod privacy_requests;
pub mod provider_refund;
pub mod retention;
pub mod sponsor_notice;

use events::OnBookingChanged;
use std::sync::Arc;
use std::time::Duration;
use stint_app::CalendarKey;
use stint_domain::clock::Clock;
use stint_notify::NudgeSettings;
use stint_store::Store;
use stint_worker::{Registry, Worker, WorkerSettings, housekeeping};

/// What the worker needs to know.
#[derive(Debug, Clone)]
pub struct JobSettings {
    /// How mail goes out (SMTP, or `.eml` files in an outbox folder).
    pub mail: stint_mail::MailSettings,
    /// The site's public address, for links in mail.
    pub public_url: String,
    /// Opens mentors' sealed CalDAV passwords; without it their calendars cannot sync.
    pub calendar_key: Option<CalendarKey>,
    /// Seals notes and intake answers at rest (`stint_app::at_rest`).
    pub data_keys: Option<Arc<stint_app::DataKeys>>,
    /// How long a job is leased to one worker (its heartbeat renews it every third).
    pub lease: Duration,
    /// How many jobs one worker runs at once.
    pub batch: u32,
    /// Which addresses webhook deliveries and calendar syncs may connect to.
    pub egress: Arc<stint_egress::EgressPolicy>,
    /// Stripe, for refunds of card payments.
    pub stripe: stint_stripe::StripeSettings,
}

/// A worker with every job kind Stint has. Fails only when the mail settings cannot work
/// (an outbox folder that cannot be made, say).
pub fn worker(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    settings: &JobSettings,
) -> Result<Worker, stint_mail::MailError> {
    let mailer = Arc::new(stint_mail::Mailer::new(&settings.mail)?);
    let prune = housekeeping::Prune::new(store.clone(), clock.clone());
    let nudges = NudgeSettings {
        public_url: settings.public_url.clone(),
    };
    // The use cases jobs run: mail in the same outbox the mailer writes (an erasure removes
    // what names the person), the same keys as the servers.
    let app = stint_app::App::new(
        store.clone(),
        clock.clone(),
        stint_app::Settings {
            mail_outbox: match &settings.mail.smtp {
                None => Some(settings.mail.outbox_dir.clone()),
                Some(_) => None,
            },
            calendar_key: settings.calendar_key.clone(),
            data_keys: settings.data_keys.clone(),
            egress: settings.egress.clone(),
            public_url: settings.public_url.clone(),
            ..stint_app::Settings::default()
        },
    );
    let send = stint_notify::Sender::new(
        store.clone(),
        clock.clone(),
        mailer.clone(),
        Arc::new(nudges),
    )
    .with_chat(Arc::new(chat::ChatPost::new(app.clone())));
    let reset_mail = account_mail::password_reset::PasswordResetMail::new(
        app.clone(),
        store.clone(),
        mailer.clone(),
        settings.public_url.clone(),
    );
    let signup_mail = account_mail::signup::SignupMail::new(
        app.clone(),
        mailer.clone(),
        settings.public_url.clone(),
    );
    let invite_mail = account_mail::org_invite::InviteMail::new(
        app.clone(),
        mailer.clone(),
        settings.public_url.clone(),
    );
    let domain_mail = account_mail::org_domain::DomainMail::new(
        app.clone(),
        mailer.clone(),
        settings.public_url.clone(),
    );
    let sponsor_notice = sponsor_notice::SponsorNotice::new(
        app.clone(),
        mailer.clone(),
        settings.public_url.clone(),
    );
    let receipt_mail = account_mail::receipt::ReceiptMailer::new(
        store.clone(),
        mailer.clone(),
        settings.public_url.clone(),
    );
    let expiry_warning = account_mail::expiry_warning::ExpiryWarningMailer::new(
        store.clone(),
        mailer.clone(),
        settings.public_url.clone(),
    );
    let lapse_approval = approval_lapse::LapseApproval::new(app.clone());
    let apply_retention = retention::ApplyRetention::new(app.clone());
    let erase_due = privacy_requests::EraseDue::new(app.clone());
    let make_export = privacy_requests::MakeExport::new(app.clone());
    let keep_hours = insights::KeepHours::new(app.clone());
    let make_forecasts = insights::MakeForecasts::new(app.clone());
    let train_risk = insights::TrainRisk::new(app.clone());
    let count_reports = insights::CountReports::new(app.clone());
    let resume_paused = mentors::ResumePaused::new(app.clone());
    let sweep_inactive = mentors::SweepInactive::new(app.clone());
    let inactive_mail =
        mentors::InactiveMailer::new(app.clone(), mailer.clone(), settings.public_url.clone());
    let application_mail = application_mail::ApplicationMailer::new(
        app.clone(),
        mailer.clone(),
        settings.public_url.clone(),
    );
    let send_alert =
        insights::SendAlert::new(app.clone(), mailer.clone(), settings.public_url.clone());
    let send_check_in =
        pilots::SendCheckIn::new(app.clone(), mailer.clone(), settings.public_url.clone());
    let sweep_digests = circles::SweepDigests::new(app.clone());
    let send_digest =
        circles::SendDigest::new(app.clone(), mailer.clone(), settings.public_url.clone());
    let expire_credits = credit_expiry::ExpireCredits::new(app);
    let refunds = provider_refund::ProviderRefunds::new(stint_stripe::Stripe::new(
        settings.stripe.clone(),
        settings.egress.clone(),
    ));
    let registry = Registry::new()
        .with(
            stint_app::auth::credentials::RESET_MAIL,
            Arc::new(reset_mail),
        )
        .with(stint_app::auth::signup::SIGNUP_MAIL, Arc::new(signup_mail))
        .with(
            stint_app::sponsor::members::INVITE_MAIL,
            Arc::new(invite_mail),
        )
        .with(
            stint_app::sponsor::domains::DOMAIN_MAIL,
            Arc::new(domain_mail),
        )
        .with(
            stint_app::sponsor::notices::NOTICE_JOB,
            Arc::new(sponsor_notice),
        )
        .with(stint_store::outbox::RECEIPT_MAIL, Arc::new(receipt_mail))
        .with(stint_store::outbox::PROVIDER_REFUND, Arc::new(refunds))
        .with(
            stint_store::money::EXPIRY_WARNING_MAIL,
            Arc::new(expiry_warning),
        )
        .with(stint_app::money::expiry::EXPIRE, Arc::new(expire_credits))
        .with(stint_app::insights::hours::HOURS, Arc::new(keep_hours))
        .with(
            stint_app::insights::forecast::FORECAST,
            Arc::new(make_forecasts),
        )
        .with(stint_app::insights::risk::RISK, Arc::new(train_risk))
        .with(stint_app::insights::kept::REPORTS, Arc::new(count_reports))
        .with(stint_app::standing::RESUME, Arc::new(resume_paused))
        .with(stint_app::inactivity::INACTIVITY, Arc::new(sweep_inactive))
        .with(
            stint_app::inactivity::INACTIVE_MAIL,
            Arc::new(inactive_mail),
        )
        .with(
            stint_app::applications::APPLICATION_MAIL,
            Arc::new(application_mail),
        )
        .with(stint_app::insights::alerts::ALERT, Arc::new(send_alert))
        .with(stint_app::pilots::CHECK_IN, Arc::new(send_check_in))
        .with(stint_app::circles::DIGEST, Arc::new(sweep_digests))
        .with(stint_app::circles::DIGEST_MAIL, Arc::new(send_digest))
        .with(stint_app::privacy::RETENTION, Arc::new(apply_retention))
        .with(stint_app::erasure::ERASE, Arc::new(erase_due))
        .with(stint_app::export_requests::EXPORT, Arc::new(make_export))
        .with(
            stint_app::sponsor::approvals::APPROVAL_LAPSE,
            Arc::new(lapse_approval),
        )
        .with(housekeeping::PRUNE, Arc::new(prune))
        .with(
            stint_webhooks::KIND,
            Arc::new(stint_webhooks::Deliver::new(
                store.clone(),
                clock.clone(),
                settings.egress.clone(),
            )),
        )
        .with(
            stint_notify::SEND,
            Arc::new(nudge_metrics::Counted::new(Arc::new(send))),
        )
        .with(
            stint_notify::PLAN,
            Arc::new(stint_notify::LaterPlanner::new(
                store.clone(),
                clock.clone(),
            )),
        )
        // Nudge planning and webhooks, in one handler for the outbox's job.
        .with(
            stint_store::outbox::BOOKING_CHANGED,
            Arc::new(OnBookingChanged::new(store.clone(), clock.clone())),
        )
        .with(
            stint_store::calendars::SYNC,
            Arc::new(calendar_sync::SyncCalendar::new(
                store.clone(),
                clock.clone(),
                settings.calendar_key.clone(),
                settings.egress.clone(),
            )),
        )
        .with(
            stint_store::calendars::SYNC_ALL,
            Arc::new(calendar_sync::SyncAll::new(store.clone(), clock.clone())),
        );
    let worker_settings = WorkerSettings {
        lease: settings.lease,
        heartbeat_every: settings.lease / 3,
        batch: settings.batch.max(1),
        ..WorkerSettings::default()
    };
    Ok(Worker::new(store, clock, registry, worker_settings)
        .with_periodic(housekeeping::periodic())
        .with_periodic(calendar_sync::periodic())
        .with_periodic(credit_expiry::periodic())
        .with_periodic(insights::periodic())
        .with_periodic(insights::forecast_periodic())
        .with_periodic(insights::risk_periodic())
        .with_periodic(insights::reports_periodic())
        .with_periodic(mentors::periodic())
        .with_periodic(mentors::inactivity_periodic())
        .with_periodic(circles::periodic())
        .with_periodic(retention::periodic())
        .with_periodic(privacy_requests::periodic()))
}
