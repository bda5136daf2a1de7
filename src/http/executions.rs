//! How many GraphQL operations over HTTP execute at once.
//!
//! A board request builds its whole response in memory (about 10,000 fields, 220 KB of
//! JSON) and spends most of its time on the CPU. Two cores gain nothing from executing 32 of
//! them side by side, but memory grows with each one in flight: so operations take a slot,
//! and the rest wait in line for one (first come, first served). A request still in line after
//! the queue timeout is answered 503 with `Retry-After`, so an overloaded server sheds load
//! instead of holding every client until its own timeout. WebSocket operations and MCP tool
//! calls are not counted: they are few, and a subscription lives for hours.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// `--max-executions` and `--execution-queue-timeout-ms`.
#[derive(Debug, Clone, Copy)]
pub struct ExecutionSettings {
    /// Operations executing at once.
    pub max_concurrent: usize,
    /// How long a request may wait for a slot.
    pub queue_timeout: Duration,
}

impl Default for ExecutionSettings {
    fn default() -> Self {
        Self {
            // Enough to keep the cores busy while some operations wait on PostgreSQL (the
            // pool has 16 connections by default), few enough to bound the memory in flight.
            max_concurrent: 8,
            queue_timeout: Duration::from_secs(10),
        }
    }
}

/// The slots, shared by every request of one server.
#[derive(Clone)]
pub struct ExecutionSlots {
    slots: Arc<Semaphore>,
    queue_timeout: Duration,
}

/// No slot came free within the queue timeout.
#[derive(Debug)]
pub struct Overloaded;

impl ExecutionSlots {
    pub fn new(settings: ExecutionSettings) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(settings.max_concurrent.max(1))),
            queue_timeout: settings.queue_timeout,
        }
    }

    /// A slot, held until the permit is dropped (after the response body is written out).
    /// Tokio's semaphore is fair: requests get slots in the order they asked.
    /// A free slot is taken at once: the timeout polls the acquisition before its clock.
    pub async fn enter(&self) -> Result<OwnedSemaphorePermit, Overloaded> {
        match tokio::time::timeout(self.queue_timeout, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            // The semaphore is never closed; a timeout is the only way to fail.
            _ => Err(Overloaded),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_busy_slot_turns_the_next_request_away_until_it_is_freed() {
        let slots = ExecutionSlots::new(ExecutionSettings {
            max_concurrent: 1,
            queue_timeout: Duration::ZERO,
        });
        let first = slots.enter().await.expect("a free slot");
        assert!(slots.enter().await.is_err(), "two executions in one slot");
        drop(first);
        assert!(
            slots.enter().await.is_ok(),
            "a freed slot was not given out"
        );
    }
}
