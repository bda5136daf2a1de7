import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { idempotencyKey } from '../api.js';
import { columnsQuery, EVENT_CURSOR, MORE, MOVE, LIVE, SUMMARY, TAGS } from '../queries.js';
import { dealFilter, findDeal, matches, placeDeal, removeDeal } from './state.js';
import { Column } from './column.jsx';
import { ConfirmDialog, askUser } from '../dialog.jsx';
import { Filters } from './filters.jsx';
import { Forecast } from './forecast.jsx';
import { DealPanel } from '../deal/panel.jsx';
import { percent } from '../format.js';

const PAGE = 20;
const NO_FILTERS = { search: '', ownerId: '', tagId: '', status: '' };

export function Board({ api, pipelines, canWrite }) {
  const [pipelineId, setPipelineId] = useState(pipelines.length ? pipelines[0].id : null);
  const [filters, setFilters] = useState(NO_FILTERS);
  const [columns, setColumns] = useState({});
  const [summary, setSummary] = useState(null);
  const [tags, setTags] = useState([]);
  const [message, setMessage] = useState(null);
  const [announce, setAnnounce] = useState('');
  const [ask, setAsk] = useState(null);
  const [pending, setPending] = useState(new Set());
  const [openId, setOpenId] = useState(null);
  const [showForecast, setShowForecast] = useState(false);
  // Bumped to load the board again from scratch (a resync).
  const [loads, setLoads] = useState(0);
  const columnsRef = useRef(columns);
  columnsRef.current = columns;
  const filtersRef = useRef(filters);
  filtersRef.current = filters;

  const pipeline = pipelines.find((p) => p.id === pipelineId);
  const stages = pipeline ? pipeline.stages : [];

  const refreshSummary = useCallback(() => {
    if (!pipelineId) return;
    const to = new Date();
    const from = new Date(to.getTime() - 90 * 86400000);
    api.gql(SUMMARY, { pipelineId, from: from.toISOString(), to: to.toISOString() })
      .then(setSummary, (e) => setMessage(e.message));
  }, [api, pipelineId]);

  // Summary refreshes after live events are coalesced: one request per burst.
  const summaryTimer = useRef(null);
  const refreshSoon = useCallback(() => {
    clearTimeout(summaryTimer.current);
    summaryTimer.current = setTimeout(refreshSummary, 150);
  }, [refreshSummary]);

  useEffect(() => { api.gql(TAGS).then((d) => setTags(d.dealTags), () => {}); }, [api]);

  // A move seen live, wherever it was made.
  const onMove = useCallback((data) => {
    const event = data.dealStageChanged;
    const deal = event.deal;
    if (!deal) return;
    const known = findDeal(columnsRef.current, deal.id);
    if (known && known.version >= deal.version && known.stage.id === deal.stage.id) {
      refreshSoon();
      return;
    }
    setColumns((cols) => {
      if (deal.pipeline.id !== pipelineId || !matches(deal, filtersRef.current)) return removeDeal(cols, deal.id);
      return placeDeal(cols, deal);
    });
    refreshSoon();
  }, [pipelineId, refreshSoon]);

  // Load the columns, then go live from where the load started: the feed's end is read
  // first, so a move committed while the columns load is replayed by the subscription (a
  // replayed move already shown is a no-op) and none falls in between. Again when the
  // pipeline or the filters change, or to resync.
  useEffect(() => {
    if (!pipelineId) return undefined;
    let live = true;
    let dispose = null;
    const started = performance.now();
    const vars = { first: PAGE };
    stages.forEach((s, i) => { vars[`f${i}`] = dealFilter(pipelineId, s.id, filters); });
    refreshSummary();
    (async () => {
      const { eventCursor } = await api.gql(EVENT_CURSOR);
      const data = await api.gql(columnsQuery(stages.length), vars);
      if (!live) return;
      const next = {};
      stages.forEach((s, i) => {
        const c = data[`s${i}`];
        next[s.id] = { deals: c.nodes, total: c.totalCount, hasNext: c.pageInfo.hasNextPage, cursor: c.pageInfo.endCursor };
      });
      setColumns(next);
      requestAnimationFrame(() => {
        window.__boardRenderedMs = performance.now() - started;
        document.body.dataset.boardReady = '1';
      });
      dispose = api.subscribe(LIVE, { pipelineId, after: eventCursor }, onMove, (d) => d.dealStageChanged.cursor, (e) => {
        // Offline for longer than the server keeps events: what was missed cannot be
        // replayed, so load the board afresh (and go live from there).
        if (e.field === 'after') setLoads((n) => n + 1);
        else setMessage(`Live updates stopped: ${e.message}`);
      });
    })().catch((e) => live && setMessage(e.message));
    return () => {
      live = false;
      if (dispose) dispose();
    };
  }, [api, pipelineId, filters, loads]);

  const loadMore = useCallback((stageId) => {
    const col = columnsRef.current[stageId];
    if (!col || !col.hasNext || col.loading) return;
    setColumns((cols) => ({ ...cols, [stageId]: { ...cols[stageId], loading: true } }));
    api.gql(MORE, { filter: dealFilter(pipelineId, stageId, filtersRef.current), first: PAGE, after: col.cursor })
      .then((data) => {
        const page = data.deals;
        setColumns((cols) => {
          const current = cols[stageId];
          const seen = new Set(current.deals.map((d) => d.id));
          return {
            ...cols,
            [stageId]: {
              deals: [...current.deals, ...page.nodes.filter((d) => !seen.has(d.id))],
              total: page.totalCount, hasNext: page.pageInfo.hasNextPage, cursor: page.pageInfo.endCursor, loading: false,
            },
          };
        });
      }, (e) => {
        setMessage(e.message);
        setColumns((cols) => ({ ...cols, [stageId]: { ...cols[stageId], loading: false } }));
      });
  }, [api, pipelineId]);

  const move = useCallback(async (dealId, stage) => {
    if (!canWrite) return;
    const deal = findDeal(columnsRef.current, dealId);
    if (!deal || deal.stage.id === stage.id) return;
    // Won and lost are asked first; a loss needs its reason (the API refuses one without).
    let extra = {};
    if (stage.kind === 'WON' || stage.kind === 'LOST') {
      const lost = stage.kind === 'LOST';
      const answer = await askUser(setAsk, {
        title: lost ? 'Mark as lost' : 'Mark as won',
        text: <>Move “{deal.title}” to <strong>{stage.name}</strong>?</>,
        reasonLabel: lost ? 'Why was it lost?' : null,
        confirm: lost ? 'Mark lost' : 'Mark won',
      });
      if (!answer) return;
      if (lost) extra = { lostReason: answer.reason };
    }
    setMessage(null);
    setColumns((cols) => placeDeal(cols, { ...deal, stage: { id: stage.id }, timeInStage: 0 }));
    setPending((p) => new Set(p).add(deal.id));
    try {
      const data = await api.gql(MOVE, {
        input: { dealId: deal.id, stageId: stage.id, expectedVersion: deal.version, idempotencyKey: idempotencyKey(), ...extra },
      });
      setColumns((cols) => placeDeal(cols, data.moveDeal.deal));
      setAnnounce(`Moved “${deal.title}” to ${stage.name}.`);
      refreshSoon();
    } catch (e) {
      setColumns((cols) => placeDeal(cols, deal));
      const why = e.code === 'STALE_OBJECT'
        ? 'it was changed by someone else meanwhile; it is back where it was, reload to see the latest'
        : e.message;
      setMessage(`“${deal.title}” was not moved: ${why}`);
    } finally {
      setPending((p) => { const n = new Set(p); n.delete(deal.id); return n; });
    }
  }, [api, canWrite, refreshSoon]);

  const step = useCallback((deal, delta) => {
    const i = stages.findIndex((s) => s.id === deal.stage.id);
    const target = stages[i + delta];
    if (target) move(deal.id, target).then(() => {
      // Keep the keyboard focus on the moved card.
      const el = document.querySelector(`[data-deal-id="${deal.id}"] .card-open`);
      if (el) el.focus();
    });
  }, [stages, move]);

  const stageSummary = (id) => summary && summary.pipelineSummary.stages.find((s) => s.stage.id === id);
  const win = summary && summary.winRate;

  return (
    <main class="board-view">
      <div class="board-bar">
        <label>
          <span class="label">Pipeline</span>
          <select value={pipelineId} onChange={(e) => { setColumns({}); setPipelineId(e.currentTarget.value); }}>
            {pipelines.map((p) => <option key={p.id} value={p.id}>{p.name}{p.isDefault ? ' (default)' : ''}</option>)}
          </select>
        </label>
        {summary && (
          <p class="pipeline-facts">
            <span data-testid="deal-count">{summary.pipelineSummary.dealCount} deals</span>
            <span title="Won ÷ closed, last 90 days">win rate {percent(win.rate)} ({win.won} won / {win.closed} closed, 90 days)</span>
          </p>
        )}
        <button class="link" aria-expanded={showForecast} onClick={() => setShowForecast(!showForecast)}>Forecast</button>
        <Filters filters={filters} tags={tags} onChange={setFilters} />
      </div>
      {showForecast && pipelineId && <Forecast api={api} pipelineId={pipelineId} />}
      <p id="move-hint" class="visually-hidden">Shift plus left or right arrow moves the deal to the previous or next stage.</p>
      <div class="live-region visually-hidden" aria-live="polite">{announce}</div>
      {message && (
        <div class="message" role="alert">
          <span>{message}</span>
          <button class="link" onClick={() => setMessage(null)} aria-label="Dismiss message">×</button>
        </div>
      )}
      {!pipeline && <p>This workspace has no pipelines yet.</p>}
      <div class="columns">
        {stages.map((stage) => (
          <Column key={stage.id} stage={stage} column={columns[stage.id]} summary={stageSummary(stage.id)}
            canWrite={canWrite} pendingIds={pending} onDrop={move} onOpen={setOpenId} onStep={step} onMore={loadMore} />
        ))}
      </div>
      <ConfirmDialog ask={ask} />
      {openId && (
        <DealPanel api={api} dealId={openId} stages={stages} canWrite={canWrite}
          onClose={() => {
            const id = openId;
            setOpenId(null);
            const el = document.querySelector(`[data-deal-id="${id}"] .card-open`);
            if (el) el.focus();
          }}
          onMove={(stage) => move(openId, stage)}
          onChanged={(deal) => setColumns((cols) => (findDeal(cols, deal.id) ? placeDeal(cols, deal) : cols))} />
      )}
    </main>
  );
}
