//! Webhook subscriptions and deliveries as the administrators' page shows them, and the events.

use serde::{Deserialize, Serialize};

crate::string_enum!(
    /// What a subscription may be sent. `Ping` is only ever sent by "Send a test event".
    Event {
        UserCreated = "user.created" / "Account created",
        UserUpdated = "user.updated" / "Account changed",
        UserDeactivated = "user.deactivated" / "Account suspended or deleted",
        EnrolmentCreated = "enrolment.created" / "Enrolled in a course",
        CourseCompleted = "course.completed" / "Course completed",
        GradeReleased = "grade.released" / "Grades released to learners",
        CertificateIssued = "certificate.issued" / "Certificate issued",
        Ping = "ping" / "Test event",
    }
);

impl Event {
    /// The events a subscription can choose.
    pub fn subscribable() -> impl Iterator<Item = Event> {
        Event::ALL.iter().copied().filter(|e| *e != Event::Ping)
    }
}

crate::string_enum!(
    DeliveryState {
        Queued = "queued" / "Waiting",
        Delivered = "delivered" / "Delivered",
        Retrying = "retrying" / "Failed, to be tried again",
        Failed = "failed" / "Failed",
        Cancelled = "cancelled" / "Not sent",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    pub id: i64,
    pub url: String,
    pub description: String,
    pub events: Vec<Event>,
    pub allow_private: bool,
    pub enabled: bool,
    pub created_at: i64,
}

/// What the subscription form sends; `id` 0 adds one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SubscriptionForm {
    pub id: i64,
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
    pub allow_private: bool,
    pub enabled: bool,
}

impl SubscriptionForm {
    pub fn of(s: &Subscription) -> SubscriptionForm {
        SubscriptionForm {
            id: s.id,
            url: s.url.clone(),
            description: s.description.clone(),
            events: s.events.iter().map(|e| e.as_str().to_string()).collect(),
            allow_private: s.allow_private,
            enabled: s.enabled,
        }
    }
}

/// A saved subscription, with its signing secret when it was just made (or rolled): shown once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub subscription: Subscription,
    pub secret: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: i64,
    pub subscription_id: i64,
    pub url: String,
    pub event: String,
    pub event_id: String,
    pub state: DeliveryState,
    pub attempts: i32,
    pub response_status: Option<i32>,
    /// The start of the response body (at most 2,000 characters).
    pub response_body: Option<String>,
    pub error: Option<String>,
    pub duration_ms: Option<i64>,
    pub created_at: i64,
    pub last_attempt_at: Option<i64>,
    pub payload: String,
}
