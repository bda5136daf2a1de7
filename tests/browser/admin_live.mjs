#!/usr/bin/env node
// Headless-Chromium check of the /admin board's live updates across a lost connection
// (started by tests/integration/platform/admin.rs).
//
//   node tests/browser/admin_live.mjs --base http://127.0.0.1:PORT --key KEY
//     --scenario drop|expired [--retention-ms MS] [--chromium PATH] [--timeout MS]
//
// The page's WebSocket goes through a route this script controls, so it can cut the
// connection and refuse new ones; `setOffline` cuts the page's HTTP and tells the page.
// Moves are made meanwhile through the API (from this script, not the page).
//
// - drop: the browser goes offline (the page is told), then comes back; later the socket
//   is cut without the browser noticing. Each time the offline banner shows, the moves
//   made meanwhile appear once the connection is back, the banner goes, and the board
//   resumed from its last event cursor: it did not load its columns again.
// - expired: the server keeps events for --retention-ms only. Offline for longer than
//   that, the board's cursor is refused when it reconnects: it loads itself again (resync),
//   shows the moves made meanwhile and no error, and is live again after.
//
// Prints one JSON summary line; exit 0 only if all passed.

import {
  apiClient, arg, checkProblems, inColumn, launch, newSummary, openBoard, run, until,
} from './board_kit.mjs';

const opts = {
  base: arg('base'),
  key: arg('key'),
  scenario: arg('scenario'),
  retentionMs: Number(arg('retention-ms', '0')),
  chromium: arg('chromium', process.env.CHROMIUM || '/usr/bin/chromium'),
  timeout: Number(arg('timeout', '90000')),
};
if (!opts.base || !opts.key || !['drop', 'expired'].includes(opts.scenario)) {
  console.error('usage: node tests/browser/admin_live.mjs --base URL --key KEY --scenario drop|expired [--retention-ms MS]');
  process.exit(2);
}

const summary = { ...newSummary(), scenario: opts.scenario };
const call = apiClient(opts.base);
const api = (query, variables = {}) => call(query, variables, opts.key);
const move = async (dealId, stageId) => api(
  'mutation($i: MoveDealInput!) { moveDeal(input: $i) { deal { id } } }',
  { i: { dealId, stageId } },
);

async function main(track) {
  const browser = await launch(opts.chromium);
  track(browser);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });

  // The page's socket to /graphql/ws, through this script: forwarded to the server while
  // `down` is false; refused while it is true. 4408 (timed out) stands for a lost
  // connection: a client may not close with 1006 itself, and 4408 is what a client's own
  // ping timeout would use.
  let down = false;
  const sockets = [];
  const LOST = { code: 4408, reason: 'connection lost' };
  await context.routeWebSocket(/\/graphql\/ws$/, (ws) => {
    if (down) {
      ws.close(LOST);
      return;
    }
    ws.connectToServer();
    sockets.push(ws);
  });

  const { page } = await openBoard(context, opts.base, opts.key, 'A', summary);
  const columnLoads = [];
  page.on('request', (req) => { if (/query Columns/.test(req.postData() || '')) columnLoads.push(Date.now()); });

  const pipeline = (await api('{ pipelines { id isDefault stages { id kind } } }')).pipelines[0];
  const open = pipeline.stages.filter((s) => s.kind === 'OPEN');
  const ids = await page.locator(`section[data-stage-id="${open[0].id}"] li.card`).evaluateAll(
    (els) => els.slice(0, 4).map((e) => e.dataset.dealId));
  if (ids.length < 4) throw new Error('the first stage shows fewer than 4 deals');
  const banner = page.locator('.offline[role="status"]');
  const shows = (dealId, stageId, ms = 5000) => until(`${dealId} in ${stageId}`, () => inColumn(page, dealId, stageId), ms);

  // Live before anything is cut (and the summary refreshed after it, so no request of the
  // page is in flight when its network goes).
  const summaryRefreshed = page.waitForResponse((r) => /query Summary/.test(r.request().postData() || ''));
  await move(ids[0], open[1].id);
  await shows(ids[0], open[1].id);
  await summaryRefreshed;
  const liveAt = Date.now();
  summary.steps.live = true;

  // The browser goes offline and knows it.
  down = true;
  await context.setOffline(true);
  await banner.waitFor({ timeout: 3000 });
  await move(ids[0], open[2].id);
  await move(ids[1], open[1].id);
  if (opts.scenario === 'expired') {
    // Offline for longer than the server keeps events: the board's cursor has expired.
    await until('the retention has passed', () => Date.now() > liveAt + opts.retentionMs + 500, opts.retentionMs + 5000);
  }
  const loadsBefore = columnLoads.length;
  let t = Date.now();
  down = false;
  await context.setOffline(false);
  await shows(ids[0], open[2].id);
  await shows(ids[1], open[1].id);
  summary.timings.backOnlineToMovesMs = Date.now() - t;
  await banner.waitFor({ state: 'detached', timeout: 3000 });
  if (await page.locator('.message[role="alert"]').count()) {
    throw new Error(`the board shows ${await page.locator('.message[role="alert"]').innerText()}`);
  }

  if (opts.scenario === 'drop') {
    if (columnLoads.length !== loadsBefore) throw new Error('the board loaded its columns again instead of resuming from its cursor');
    summary.steps.offlineAndBack = true;

    // The connection drops without the browser noticing (a server restart, a proxy).
    down = true;
    for (const ws of sockets.splice(0)) await ws.close(LOST);
    await banner.waitFor({ timeout: 3000 });
    await move(ids[2], open[1].id);
    t = Date.now();
    down = false;
    await shows(ids[2], open[1].id, 10000);
    summary.timings.reconnectToMoveMs = Date.now() - t;
    await banner.waitFor({ state: 'detached', timeout: 3000 });
    if (columnLoads.length !== loadsBefore) throw new Error('the board loaded its columns again after the drop');
    summary.steps.droppedAndResumed = true;
  } else {
    if (columnLoads.length === loadsBefore) throw new Error('the board did not load itself again after its cursor expired');
    // Live again from the fresh load.
    await move(ids[3], open[1].id);
    await shows(ids[3], open[1].id);
    summary.steps.resynced = true;
  }

  await checkProblems(summary, [['A', page]]);
}

await run(summary, opts.timeout, main);
