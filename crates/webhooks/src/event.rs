//! The events an endpoint can subscribe to, and the JSON envelope every delivery carries:
//! `{"type": "booking.created", "timestamp": RFC 3339, "data": {...}}`.

use jiff::Timestamp;

/// What happened. The names are the contract with receivers: never renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    BookingCreated,
    BookingRescheduled,
    BookingCancelled,
    BookingCompleted,
    AssessmentSubmitted,
    TaskDone,
    PurchasePaid,
    PurchaseRefunded,
    CreditsSettled,
    /// An organisation's budget fell below a fifth of its last funding.
    BudgetLow,
    /// A member's booking waits for an organisation admin's approval.
    ApprovalRequested,
    /// An organisation's monthly statement can be read.
    StatementReady,
}

impl EventType {
    /// Every type an endpoint may subscribe to, in the order forms list them.
    pub const ALL: [EventType; 12] = [
        EventType::BookingCreated,
        EventType::BookingRescheduled,
        EventType::BookingCancelled,
        EventType::BookingCompleted,
        EventType::AssessmentSubmitted,
        EventType::TaskDone,
        EventType::PurchasePaid,
        EventType::PurchaseRefunded,
        EventType::CreditsSettled,
        EventType::BudgetLow,
        EventType::ApprovalRequested,
        EventType::StatementReady,
    ];

    /// The events about one organisation: the only ones its admins' endpoints may receive.
    pub const ORG: [EventType; 3] = [
        EventType::BudgetLow,
        EventType::ApprovalRequested,
        EventType::StatementReady,
    ];

    /// Whether the event is about one organisation (sent to its endpoints and operators').
    pub fn is_org_event(self) -> bool {
        EventType::ORG.contains(&self)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::BookingCreated => "booking.created",
            EventType::BookingRescheduled => "booking.rescheduled",
            EventType::BookingCancelled => "booking.cancelled",
            EventType::BookingCompleted => "booking.completed",
            EventType::AssessmentSubmitted => "assessment.submitted",
            EventType::TaskDone => "task.done",
            EventType::PurchasePaid => "purchase.paid",
            EventType::PurchaseRefunded => "purchase.refunded",
            EventType::CreditsSettled => "credits.settled",
            EventType::BudgetLow => "budget.low",
            EventType::ApprovalRequested => "approval.requested",
            EventType::StatementReady => "statement.ready",
        }
    }

    pub fn parse(s: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// A sentence for the form.
    pub fn describe(self) -> &'static str {
        match self {
            EventType::BookingCreated => "A session was booked",
            EventType::BookingRescheduled => "A session moved to another time",
            EventType::BookingCancelled => "A session was cancelled",
            EventType::BookingCompleted => "A session was closed as completed",
            EventType::AssessmentSubmitted => "A mentee submitted a micro-assessment",
            EventType::TaskDone => "A task from a session was marked done",
            EventType::PurchasePaid => "Credits were bought and paid",
            EventType::PurchaseRefunded => "Credits of a purchase were refunded",
            EventType::CreditsSettled => {
                "A session's credits were paid to the mentor, given back or forfeited"
            }
            EventType::BudgetLow => "A sponsor's budget fell below a fifth of its last funding",
            EventType::ApprovalRequested => "A member's booking waits for its sponsor's approval",
            EventType::StatementReady => "A sponsor's statement of the month is ready",
        }
    }
}

/// The type of the event "send test event" sends: to one endpoint, whatever it subscribes to.
pub const TEST_EVENT: &str = "webhook.test";

/// The body of a delivery: the event's type, when it happened, and its data.
pub fn envelope(event_type: &str, data: &serde_json::Value, at: Timestamp) -> String {
    serde_json::json!({
        "type": event_type,
        "timestamp": at.to_string(),
        "data": data,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
        }
        assert_eq!(EventType::parse("booking.deleted"), None);
        assert_eq!(EventType::parse(TEST_EVENT), None, "not subscribable");
    }

    #[test]
    fn the_envelope_names_type_time_and_data() {
        let at = Timestamp::from_second(1_800_000_000).unwrap();
        let body = envelope("booking.created", &serde_json::json!({"booking_id": 7}), at);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["type"], "booking.created");
        assert_eq!(v["timestamp"], "2027-01-15T08:00:00Z");
        assert_eq!(v["data"]["booking_id"], 7);
    }
}
