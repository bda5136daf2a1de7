//! A workspace's pipelines and stages kept in memory: read on almost every screen (a deal's
//! `stage { name }`, a board's columns), changed rarely. Filled on first use with two
//! statements, forgotten when a pipeline or stage event of the workspace reaches this
//! server (its own writes too: the listener sees every committed event, one NOTIFY round
//! trip later), and refilled after `ttl` whatever happens, so a missed notification cannot
//! serve stale names for longer than that. Requests that must see their own writes at once
//! (mutations) read the tables instead.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::model::{Pipeline, Stage};
use crate::db::schema::{pipelines, stages};
use crate::db::DbPool;
use crate::error::AppError;
use crate::events::hub::EventHub;

/// Workspaces with more stages than this are not kept (their rows are read per request).
const MAX_STAGES: usize = 2_000;

/// One workspace's pipelines and stages, as read at one moment.
#[derive(Debug)]
pub struct WorkspaceReference {
    pipelines: HashMap<Uuid, Pipeline>,
    stages: HashMap<Uuid, Stage>,
    /// Each pipeline's stages in position order.
    stages_of: HashMap<Uuid, Vec<Stage>>,
    read_at: Instant,
}

impl WorkspaceReference {
    pub fn pipeline(&self, id: Uuid) -> Option<&Pipeline> {
        self.pipelines.get(&id)
    }

    /// The workspace's pipelines as `Pipeline::list` orders them: the default first, then
    /// oldest first.
    pub fn pipelines(&self, include_archived: bool) -> Vec<Pipeline> {
        let mut listed: Vec<Pipeline> = self
            .pipelines
            .values()
            .filter(|p| include_archived || p.archived_at.is_none())
            .cloned()
            .collect();
        listed.sort_by(|a, b| {
            (!a.is_default, a.created_at, a.id).cmp(&(!b.is_default, b.created_at, b.id))
        });
        listed
    }

    pub fn stage(&self, id: Uuid) -> Option<&Stage> {
        self.stages.get(&id)
    }

    /// The pipeline's stages in order; empty for an unknown pipeline.
    pub fn stages_of(&self, pipeline_id: Uuid) -> &[Stage] {
        self.stages_of
            .get(&pipeline_id)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// The process's copy of every active workspace's pipelines and stages.
#[derive(Clone)]
pub struct ReferenceData(Arc<Inner>);

struct Inner {
    ttl: Duration,
    workspaces: Mutex<HashMap<Uuid, Arc<WorkspaceReference>>>,
    /// Bumped (under the `workspaces` lock) by every invalidation: a fill that read before
    /// one must not store what it read.
    generation: AtomicU64,
}

impl Default for ReferenceData {
    fn default() -> Self {
        Self::new(Duration::from_secs(60))
    }
}

impl ReferenceData {
    pub fn new(ttl: Duration) -> Self {
        ReferenceData(Arc::new(Inner {
            ttl,
            workspaces: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
        }))
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Uuid, Arc<WorkspaceReference>>> {
        self.0
            .workspaces
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The workspace's pipelines and stages: from memory, or read now (two statements).
    /// `None` for a workspace too large to keep.
    pub async fn of(
        &self,
        pool: &DbPool,
        workspace_id: Uuid,
    ) -> Result<Option<Arc<WorkspaceReference>>, AppError> {
        if let Some(kept) = self.lock().get(&workspace_id) {
            if kept.read_at.elapsed() < self.0.ttl {
                return Ok(Some(kept.clone()));
            }
        }
        let generation = AtomicU64::load(&self.0.generation, Ordering::Acquire);
        let mut conn = crate::db::conn(pool).await?;
        let stage_rows: Vec<Stage> = stages::table
            .filter(stages::workspace_id.eq(workspace_id))
            .select(Stage::as_select())
            .order((stages::pipeline_id, stages::position))
            .limit(MAX_STAGES as i64 + 1)
            .load(&mut conn)
            .await?;
        if stage_rows.len() > MAX_STAGES {
            return Ok(None);
        }
        let pipeline_rows: Vec<Pipeline> = pipelines::table
            .filter(pipelines::workspace_id.eq(workspace_id))
            .select(Pipeline::as_select())
            .load(&mut conn)
            .await?;
        drop(conn);
        let mut stages_of: HashMap<Uuid, Vec<Stage>> = HashMap::new();
        for stage in &stage_rows {
            stages_of
                .entry(stage.pipeline_id)
                .or_default()
                .push(stage.clone());
        }
        let reference = Arc::new(WorkspaceReference {
            pipelines: pipeline_rows.into_iter().map(|p| (p.id, p)).collect(),
            stages: stage_rows.into_iter().map(|s| (s.id, s)).collect(),
            stages_of,
            read_at: Instant::now(),
        });
        let mut workspaces = self.lock();
        if AtomicU64::load(&self.0.generation, Ordering::Acquire) == generation {
            workspaces.insert(workspace_id, reference.clone());
        }
        Ok(Some(reference))
    }

    /// Forgets a workspace's rows: the next read asks the database.
    pub fn forget(&self, workspace_id: Uuid) {
        let mut workspaces = self.lock();
        self.0.generation.fetch_add(1, Ordering::AcqRel);
        workspaces.remove(&workspace_id);
    }

    fn forget_all(&self) {
        let mut workspaces = self.lock();
        self.0.generation.fetch_add(1, Ordering::AcqRel);
        workspaces.clear();
    }

    /// Follows `hub`: a pipeline or stage event forgets its workspace; events missed (a
    /// lagging receiver) forget everything.
    pub fn follow(&self, hub: &EventHub, shutdown: CancellationToken) {
        let reference = self.clone();
        let mut events = hub.subscribe();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    event = events.recv() => match event {
                        Ok(event) => {
                            if super::events::changes_reference_data(&event.entity_type) {
                                reference.forget(event.workspace_id);
                            }
                        }
                        Err(RecvError::Lagged(_)) => reference.forget_all(),
                        Err(RecvError::Closed) => return,
                    },
                    () = shutdown.cancelled() => return,
                }
            }
        });
    }
}
