//! The job queue on SQLite and PostgreSQL: due jobs run once, also with two workers competing;
//! a failed job waits its back-off (a fake clock, not sleeps) and is dead after its last try; a
//! claim whose lease ran out is taken up again; administrators retry and cancel, nobody else
//! sees the queue; mail goes out through the queue to a real SMTP conversation, and a failed
//! delivery is kept and tried again.

use lyceum::db::now;
use lyceum::db_test;
use lyceum::error::AppError;
use lyceum::jobs::model::JobState;
use lyceum::jobs::{queue, service as jobs, worker};
use lyceum::mail::mailer::Mailer;
use lyceum::state::AppState;
use lyceum::testing::user_with_roles;
use lyceum::users::model::Role;
use std::collections::BTreeSet;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

async fn enqueue(state: &AppState, kind: &str, at: i64) -> i64 {
    let mut tx = state.db.begin().await.unwrap();
    let id = queue::enqueue(&mut tx, kind, "", at, at).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn job_state(state: &AppState, id: i64) -> (JobState, i32, i64) {
    let job = queue::find(&state.db, id).await.unwrap().unwrap();
    (job.state, job.attempts, job.run_at)
}

db_test!(
    a_failing_job_backs_off_then_dies_and_an_administrator_retries_it,
    |state| {
        let t0 = 1_800_000_000;
        let id = enqueue(&state, "no.such.kind", t0).await;
        assert!(!queue::any_due(&state.db, t0 - 1).await.unwrap());
        assert!(queue::any_due(&state.db, t0).await.unwrap());
        // Not due yet: nothing runs.
        assert_eq!(worker::run_due(&state, t0 - 1).await.unwrap(), 0);
        assert_eq!(worker::run_due(&state, t0).await.unwrap(), 1);
        assert_eq!(job_state(&state, id).await, (JobState::Queued, 1, t0 + 30));
        // The back-off doubles: 30 s, 60 s, 120 s, …; nothing runs before it is over.
        let mut at = t0 + 30;
        for attempt in 2..queue::MAX_ATTEMPTS {
            assert_eq!(worker::run_due(&state, at - 1).await.unwrap(), 0);
            assert_eq!(worker::run_due(&state, at).await.unwrap(), 1);
            let wait = queue::backoff(attempt);
            assert_eq!(wait, 30 << (attempt - 1));
            assert_eq!(
                job_state(&state, id).await,
                (JobState::Queued, attempt, at + wait)
            );
            at += wait;
        }
        // The last try: dead, with its error kept.
        assert_eq!(worker::run_due(&state, at).await.unwrap(), 1);
        let dead = queue::find(&state.db, id).await.unwrap().unwrap();
        assert_eq!(
            (dead.state, dead.attempts),
            (JobState::Dead, queue::MAX_ATTEMPTS)
        );
        assert!(dead.last_error.unwrap().contains("no.such.kind"));
        assert_eq!(worker::run_due(&state, at + 86_400).await.unwrap(), 0);

        // Only administrators see and change the queue.
        let learner = user_with_roles(&state, "ada@example.com", &[Role::Learner]).await;
        let manager = user_with_roles(&state, "mo@example.com", &[Role::Manager]).await;
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        for who in [&learner, &manager] {
            assert_eq!(
                jobs::list(&state, who, "dead", 1).await.unwrap_err(),
                AppError::Forbidden
            );
            assert_eq!(
                jobs::retry(&state, who, id).await.unwrap_err(),
                AppError::Forbidden
            );
        }
        let (counts, page) = jobs::list(&state, &admin, "dead", 1).await.unwrap();
        assert_eq!(counts.dead, 1);
        assert_eq!(
            page.items.iter().map(|j| j.id).collect::<Vec<_>>(),
            vec![id]
        );
        assert!(
            jobs::list(&state, &admin, "sideways", 1)
                .await
                .unwrap_err()
                .field("state")
                .is_some()
        );
        // A dead job is retried (tries counted afresh); a queued one cannot be retried, only cancelled.
        jobs::retry(&state, &admin, id).await.unwrap();
        let (s, attempts, _) = job_state(&state, id).await;
        assert_eq!((s, attempts), (JobState::Queued, 0));
        assert!(matches!(
            jobs::retry(&state, &admin, id).await.unwrap_err(),
            AppError::Conflict(_)
        ));
        jobs::cancel(&state, &admin, id).await.unwrap();
        assert_eq!(job_state(&state, id).await.0, JobState::Cancelled);
        assert_eq!(worker::run_due(&state, now() + 86_400).await.unwrap(), 0);
        assert_eq!(
            jobs::cancel(&state, &admin, 999_999).await.unwrap_err(),
            AppError::NotFound
        );
    }
);

db_test!(two_workers_run_each_job_once, |state| {
    let at = now();
    let mut all = BTreeSet::new();
    for _ in 0..60 {
        all.insert(enqueue(&state, "test.noop", at).await);
    }
    let worker = |state: AppState| async move {
        let mut mine = Vec::new();
        while let Some(job) = queue::claim(&state.db, at).await.unwrap() {
            mine.push(job.id);
            queue::finish(&state.db, job.id, at).await.unwrap();
        }
        mine
    };
    let (a, b) = tokio::join!(
        tokio::spawn(worker(state.clone())),
        tokio::spawn(worker(state.clone()))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let ran: Vec<i64> = a.iter().chain(&b).copied().collect();
    let once: BTreeSet<i64> = ran.iter().copied().collect();
    assert_eq!(ran.len(), once.len(), "a job ran twice: {a:?} {b:?}");
    assert_eq!(once, all);
});

db_test!(a_claim_whose_lease_ran_out_is_taken_up_again, |state| {
    let at = 1_800_000_000;
    let id = enqueue(&state, "test.noop", at).await;
    let first = queue::claim(&state.db, at).await.unwrap().unwrap();
    assert_eq!((first.id, first.attempts), (id, 1));
    // Held: nobody else gets it while the lease lasts.
    assert!(
        queue::claim(&state.db, at + queue::LEASE_SECS)
            .await
            .unwrap()
            .is_none()
    );
    // The worker died: after the lease another takes it up, as its second try.
    let again = queue::claim(&state.db, at + queue::LEASE_SECS + 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.id, again.attempts), (id, 2));
});

/// A small SMTP server on loopback that accepts every message and hands back what it got.
async fn smtp_sink() -> (u16, tokio::task::JoinHandle<Vec<String>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        let mut got = Vec::new();
        write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
        let mut in_data = false;
        while let Ok(Some(line)) = lines.next_line().await {
            got.push(line.clone());
            let reply: &[u8] = if in_data {
                if line == "." {
                    // One message is all a test sends (the client may keep the connection).
                    write.write_all(b"250 OK\r\n").await.unwrap();
                    break;
                } else {
                    continue;
                }
            } else if line.starts_with("EHLO") {
                b"250 sink\r\n"
            } else if line == "DATA" {
                in_data = true;
                b"354 go on\r\n"
            } else if line == "QUIT" {
                write.write_all(b"221 bye\r\n").await.unwrap();
                break;
            } else {
                b"250 OK\r\n"
            };
            write.write_all(reply).await.unwrap();
        }
        got
    });
    (port, task)
}

db_test!(
    mail_goes_out_through_the_queue_and_a_failed_delivery_is_tried_again,
    |state| {
        // A port nobody listens on: the first delivery fails and is kept.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let dead_port = closed.local_addr().unwrap().port();
        drop(closed);
        let mut state = state;
        state.mailer = Mailer::new(
            Some(&format!("smtp://127.0.0.1:{dead_port}")),
            "Lyceum <noreply@example.com>",
        );
        let at = now();
        state
            .mailer
            .send(&state.db, "ada@example.com", "Welcome", "Hello, Ada.")
            .await
            .unwrap();
        // Sending is only queued: the message is in the outbox, not yet sent.
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let outbox = lyceum::mail::list_outbox(&state.db, &admin, 1)
            .await
            .unwrap();
        assert_eq!(outbox.items[0].sent_at, None);
        assert_eq!(worker::run_due(&state, at).await.unwrap(), 1);
        let outbox = lyceum::mail::list_outbox(&state.db, &admin, 1)
            .await
            .unwrap();
        assert_eq!(outbox.items[0].sent_at, None);
        assert!(outbox.items[0].last_error.is_some());

        // The server is back: the retry after the back-off sends it, once.
        let (port, sink) = smtp_sink().await;
        state.mailer = Mailer::new(
            Some(&format!("smtp://127.0.0.1:{port}")),
            "Lyceum <noreply@example.com>",
        );
        assert_eq!(worker::run_due(&state, at + 29).await.unwrap(), 0);
        assert_eq!(worker::run_due(&state, at + 30).await.unwrap(), 1);
        let outbox = lyceum::mail::list_outbox(&state.db, &admin, 1)
            .await
            .unwrap();
        assert!(outbox.items[0].sent_at.is_some());
        assert_eq!(outbox.items[0].last_error, None);
        let conversation = sink.await.unwrap();
        assert!(
            conversation
                .iter()
                .any(|l| l.contains("RCPT TO:<ada@example.com>")),
            "{conversation:?}"
        );
        assert!(
            conversation.iter().any(|l| l == "Hello, Ada."),
            "{conversation:?}"
        );
        assert_eq!(worker::run_due(&state, at + 86_400).await.unwrap(), 0);
    }
);
