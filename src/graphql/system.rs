//! Small system fields: a trivial subscription that proves the WebSocket transport works.

use std::time::Duration;

use async_graphql::{Context, Subscription};
use chrono::{DateTime, Utc};
use futures_util::Stream;

use super::actor;
use crate::error::AppError;

#[derive(Default)]
pub struct SystemSubscription;

#[Subscription]
impl SystemSubscription {
    /// The server's clock, every `intervalMs` milliseconds (100–60000, default 1000).
    async fn server_time(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 1000)] interval_ms: i32,
    ) -> async_graphql::Result<impl Stream<Item = DateTime<Utc>>> {
        actor(ctx)?;
        if !(100..=60_000).contains(&interval_ms) {
            return Err(AppError::bad_input("intervalMs", "must be between 100 and 60000").into());
        }
        let period = Duration::from_millis(u64::try_from(interval_ms).unwrap_or(1000));
        let ticks = tokio_stream_interval(period);
        Ok(futures_util::StreamExt::map(ticks, |_| Utc::now()))
    }
}

fn tokio_stream_interval(period: Duration) -> impl Stream<Item = ()> {
    futures_util::stream::unfold(tokio::time::interval(period), |mut interval| async move {
        interval.tick().await;
        Some(((), interval))
    })
}
