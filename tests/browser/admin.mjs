#!/usr/bin/env node
// Headless-Chromium check of the /admin board (started by tests/integration/platform/admin.rs).
//
//   node tests/browser/admin.mjs --base http://127.0.0.1:PORT --key KEY --ro-key READ_ONLY_KEY
//     [--chromium PATH] [--shots DIR] [--timeout MS]
//
// The workspace must hold seeded deals. Uses playwright-core from graphiql/node_modules and
// the system Chromium (no browser download). Checks, in order: sign-in through /admin#key=…,
// workspace name and scopes; columns and counts equal pipelineSummary; a drag persists
// (read back through the API); a move in one browser context, and one made through the
// API, appear in another context within a second; a refused move (stale version) goes
// back with a message; a move into a LOST stage asks for the reason; Shift+→ moves a
// card; the deal panel opens; a read-only key gets no drag and sends no mutation. Fails on
// any request to another host, any HTTP error, CSP violation, page error or console error.
// Prints one JSON summary line (with timings and transferred sizes); exit 0 only if all passed.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const started = Date.now();

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const opts = {
  base: arg('base'),
  key: arg('key'),
  roKey: arg('ro-key'),
  chromium: arg('chromium', process.env.CHROMIUM || '/usr/bin/chromium'),
  shots: path.resolve(repoRoot, arg('shots', 'target/admin-shots')),
  timeout: Number(arg('timeout', '90000')),
};
if (!opts.base || !opts.key || !opts.roKey) {
  console.error('usage: node tests/browser/admin.mjs --base URL --key KEY --ro-key KEY [--chromium PATH] [--shots DIR]');
  process.exit(2);
}
const host = new URL(opts.base).host;

const summary = {
  ok: false, steps: {}, timings: {}, firstLoad: null,
  externalRequests: [], failedRequests: [], consoleErrors: [], pageErrors: [], cspViolations: [],
  readOnlyMutations: [], error: null,
};
const overall = setTimeout(() => {
  summary.error = `timed out after ${opts.timeout} ms (steps: ${JSON.stringify(summary.steps)})`;
  done(1);
}, opts.timeout);
overall.unref();

let browser = null;
let finished = false;
async function done(code) {
  if (finished) return;
  finished = true;
  try { if (browser) await browser.close(); } catch { /* ignore */ }
  summary.elapsedMs = Date.now() - started;
  console.log(JSON.stringify(summary));
  if (code) console.error(`FAIL: ${summary.error}`);
  process.exit(code);
}

async function api(query, variables = {}, key = opts.key) {
  const res = await fetch(`${opts.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(`API: ${body.errors[0].message}`);
  return body.data;
}

const stageOf = async (id) => (await api('query($id: ID!) { deal(id: $id) { stage { id } version status } }', { id })).deal;

async function until(what, fn, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function watch(page, label, { readOnly = false } = {}) {
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol) && u.host !== host) summary.externalRequests.push(req.url());
    if (readOnly && req.method() === 'POST' && /mutation/.test(req.postData() || '')) summary.readOnlyMutations.push(req.postData());
  });
  page.on('response', (res) => { if (res.status() >= 400) summary.failedRequests.push(`${label}: ${res.status()} ${res.url()}`); });
  page.on('requestfailed', (req) => summary.failedRequests.push(`${label}: ${req.failure()?.errorText} ${req.url()}`));
  page.on('pageerror', (e) => summary.pageErrors.push(`${label}: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') summary.consoleErrors.push(`${label}: ${m.text()}`); });
  page.on('websocket', (ws) => {
    const u = new URL(ws.url());
    if (u.host !== host) summary.externalRequests.push(ws.url());
  });
}

async function openBoard(context, key, label, opt) {
  const page = await context.newPage();
  watch(page, label, opt);
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const t0 = Date.now();
  await page.goto(`${opts.base}/admin#key=${encodeURIComponent(key)}`);
  await page.waitForSelector('body[data-board-ready]', { timeout: 30000 });
  await page.waitForFunction(() => {
    const counts = [...document.querySelectorAll('[data-testid="stage-count"]')];
    return counts.length > 0 && counts.every((c) => /^\d+$/.test(c.textContent));
  });
  return { page, loadMs: Date.now() - t0 };
}

const card = (page, id) => page.locator(`[data-deal-id="${id}"]`);
const inColumn = async (page, dealId, stageId) =>
  (await page.locator(`section[data-stage-id="${stageId}"] [data-deal-id="${dealId}"]`).count()) === 1;

async function main() {
  const { chromium } = createRequire(path.join(repoRoot, 'graphiql', 'package.json'))('playwright-core');
  browser = await chromium.launch({
    executablePath: opts.chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  fs.mkdirSync(opts.shots, { recursive: true });
  const ctxA = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const ctxB = await browser.newContext({ viewport: { width: 1280, height: 800 } });

  // 1. Sign in through the link; the first load's transferred JS + CSS.
  const sizes = [];
  const { page: a, loadMs } = await openBoard(ctxA, opts.key, 'A');
  for (const entry of await a.evaluate(() => performance.getEntriesByType('resource').map((r) => ({ name: r.name, transfer: r.transferSize, encoded: r.encodedBodySize, decoded: r.decodedBodySize })))) {
    if (/\/admin\/assets\//.test(entry.name)) sizes.push(entry);
  }
  summary.firstLoad = { assets: sizes, compressedBytes: sizes.reduce((s, e) => s + e.encoded, 0) };
  summary.timings.firstLoadToBoardMs = loadMs;
  summary.timings.boardRenderMs = Math.round(await a.evaluate(() => window.__boardRenderedMs));
  if (a.url().includes('key=')) throw new Error('the key stayed in the address bar');
  const header = await a.locator('header.top').innerText();
  const workspace = (await api('{ viewer { workspace { name } } }')).viewer.workspace.name;
  if (!header.includes(workspace) || !/admin|crm:write/.test(header) || /read-only/.test(header)) throw new Error(`header shows ${JSON.stringify(header)}`);
  summary.steps.signedIn = true;

  // 2. Columns and counts = pipelineSummary of the default pipeline.
  const start = await api('{ pipelines { id isDefault stages { id name kind } } }');
  const pipeline = start.pipelines[0];
  if (!pipeline.isDefault) throw new Error('the first pipeline is not the default');
  const sum = (await api('query($p: ID!) { pipelineSummary(pipelineId: $p) { stages { stage { id name } dealCount } } }', { p: pipeline.id })).pipelineSummary;
  const names = await a.locator('section.column h2').allInnerTexts();
  const counts = await a.locator('[data-testid="stage-count"]').allInnerTexts();
  const want = sum.stages.map((s) => s.stage.name);
  if (JSON.stringify(names) !== JSON.stringify(want)) throw new Error(`columns ${JSON.stringify(names)} ≠ stages ${JSON.stringify(want)}`);
  if (JSON.stringify(counts.map(Number)) !== JSON.stringify(sum.stages.map((s) => s.dealCount))) {
    throw new Error(`counts ${counts} ≠ ${sum.stages.map((s) => s.dealCount)}`);
  }
  summary.steps.columnsMatchSummary = true;
  await a.screenshot({ path: path.join(opts.shots, 'admin-board.png') });

  const open = pipeline.stages.filter((s) => s.kind === 'OPEN');
  const lost = pipeline.stages.find((s) => s.kind === 'LOST');
  const firstIds = async (page, stageId, n) => page.locator(`section[data-stage-id="${stageId}"] li.card`).evaluateAll(
    (els, k) => els.slice(0, k).map((e) => e.dataset.dealId), n);

  // 3. Drag a card from the first stage to the second; read it back through the API.
  const { page: b } = await openBoard(ctxB, opts.key, 'B');
  const [dragged, stale, keyed] = await firstIds(a, open[0].id, 3);
  if (!keyed) throw new Error('the first stage shows fewer than 4 deals');
  await a.dragAndDrop(`[data-deal-id="${dragged}"]`, `section[data-stage-id="${open[1].id}"] ul.cards`);
  await until('the dragged move is stored', async () => (await stageOf(dragged)).stage.id === open[1].id);
  summary.steps.dragPersisted = true;

  // 4. …and it shows in the other context without reload; so does a move made through the API.
  let t = Date.now();
  await until('B sees the drag', () => inColumn(b, dragged, open[1].id), 1000);
  summary.timings.otherContextMs = Date.now() - t;
  const v = (await stageOf(dragged)).version;
  t = Date.now();
  await api('mutation($i: MoveDealInput!) { moveDeal(input: $i) { deal { id } } }', { i: { dealId: dragged, stageId: open[2].id, expectedVersion: v } });
  await until('A sees the API move', () => inColumn(a, dragged, open[2].id), 1000);
  await until('B sees the API move', () => inColumn(b, dragged, open[2].id), 1000);
  summary.timings.apiMoveToBoardsMs = Date.now() - t;
  summary.steps.liveInBothContexts = true;

  // 5. A refused move (the deal changed meanwhile: stale version) goes back, with a message.
  await api('mutation($i: UpdateDealInput!) { updateDeal(input: $i) { deal { id } } }', { i: { id: stale, description: 'changed elsewhere' } });
  await a.dragAndDrop(`[data-deal-id="${stale}"]`, `section[data-stage-id="${open[1].id}"] ul.cards`);
  await a.locator('.message[role="alert"]').waitFor({ timeout: 5000 });
  const msg = await a.locator('.message[role="alert"]').innerText();
  if (!/not moved/.test(msg)) throw new Error(`refusal message: ${msg}`);
  await until('the refused card is back', () => inColumn(a, stale, open[0].id), 3000);
  if ((await stageOf(stale)).stage.id !== open[0].id) throw new Error('the refused move was stored');
  summary.steps.refusedMoveReverts = true;
  await a.locator('.message button').click();

  // 6. Into a LOST stage: the dialog asks why.
  if (lost) {
    // From the last open stage, with the board scrolled right so both columns are in view
    // (a drag that has to scroll the board first would start from whatever is then under the pointer).
    await a.locator('.columns').evaluate((el) => { el.scrollLeft = el.scrollWidth; });
    const [toLose] = await firstIds(a, open[open.length - 1].id, 1);
    await a.dragAndDrop(`[data-deal-id="${toLose}"]`, `section[data-stage-id="${lost.id}"] ul.cards`);
    await a.locator('#lost-reason').fill('Chose a competitor');
    await a.locator('.move-dialog button[type="submit"]').click();
    await until('the loss is stored', async () => (await stageOf(toLose)).status === 'LOST').catch(async (e) => {
      const shown = await a.locator('.message').allInnerTexts();
      await a.screenshot({ path: path.join(opts.shots, 'failed-loss.png') });
      throw new Error(`${e.message}; ${toLose} is ${JSON.stringify(await stageOf(toLose))}; the board shows ${JSON.stringify(shown)}`);
    });
    summary.steps.lostAsksReason = true;
  }

  // 7. Keyboard: Shift+→ moves the focused card one stage on.
  await card(a, keyed).locator('.card-open').focus();
  await a.keyboard.press('Shift+ArrowRight');
  await until('the keyboard move is stored', async () => (await stageOf(keyed)).stage.id === open[1].id);
  summary.steps.keyboardMove = true;

  // 8. The deal panel.
  await card(a, keyed).locator('.card-open').click();
  await a.locator('aside.panel h2').waitFor();
  await a.locator('aside.panel h3:text("Stage history")').waitFor();
  await a.screenshot({ path: path.join(opts.shots, 'admin-deal-panel.png') });
  // An inline edit goes through updateDeal; a task added here can be ticked done.
  const panel = a.locator('aside.panel');
  await panel.getByLabel('Owner').fill('browser-test');
  await panel.getByRole('button', { name: 'Save changes' }).click();
  await until('the edit is stored', async () =>
    (await api('query($id: ID!) { deal(id: $id) { ownerId } }', { id: keyed })).deal.ownerId === 'browser-test');
  await panel.getByLabel('New task').fill('Send the proposal');
  await panel.getByRole('button', { name: 'Add task' }).click();
  const box = panel.getByLabel('Done: Send the proposal');
  await box.check();
  await until('the task is done', async () => (await api('query($id: ID!) { deal(id: $id) { tasks(first: 50) { nodes { title status } } } }', { id: keyed }))
    .deal.tasks.nodes.some((t) => t.title === 'Send the proposal' && t.status === 'DONE'));
  await panel.getByLabel('Subject').fill('Called about pricing');
  await panel.getByRole('button', { name: 'Log call' }).click();
  await panel.locator('.timeline li', { hasText: 'Called about pricing' }).waitFor();
  await a.keyboard.press('Escape');
  summary.steps.dealPanel = true;

  // The forecast chart, the leads inbox (a conversion preview is a dry run) and my tasks.
  await a.getByRole('button', { name: 'Forecast' }).click();
  await a.locator('.forecast canvas, .forecast p').first().waitFor();
  summary.steps.forecast = true;
  await a.getByRole('button', { name: 'Leads' }).click();
  await a.locator('h1', { hasText: 'Leads inbox' }).waitFor();
  await a.locator('table.list').first().waitFor();
  const convert = a.getByRole('button', { name: 'Convert…' }).first();
  if (await convert.count()) {
    const leadsBefore = (await api('{ leadConversions(first: 1) { totalCount } }')).leadConversions.totalCount;
    await convert.click();
    await a.getByRole('button', { name: 'Preview' }).click();
    await a.locator('.preview').waitFor();
    const after = (await api('{ leadConversions(first: 1) { totalCount } }')).leadConversions.totalCount;
    if (after !== leadsBefore) throw new Error('the conversion preview converted the lead');
    summary.steps.convertPreview = true;
  }
  await a.getByRole('button', { name: 'My tasks' }).click();
  await a.locator('h1', { hasText: 'My tasks' }).waitFor();
  await a.getByRole('button', { name: 'Board' }).click();
  await a.waitForSelector('section.column li.card');
  if (await a.locator('.offline').count()) throw new Error('the offline banner shows while connected');

  // 9. Phone width: columns scroll sideways.
  await a.setViewportSize({ width: 390, height: 844 });
  await a.screenshot({ path: path.join(opts.shots, 'admin-phone.png') });
  const scrolls = await a.locator('.columns').evaluate((el) => el.scrollWidth > el.clientWidth);
  if (!scrolls) throw new Error('the columns do not scroll horizontally on a phone');
  summary.steps.phone = true;

  // 10. A read-only key: badge, nothing draggable, a drag sends no mutation.
  const ctxC = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const { page: c } = await openBoard(ctxC, opts.roKey, 'C', { readOnly: true });
  if (!(await c.locator('.scope.ro').count())) throw new Error('no read-only badge');
  const [roId] = await firstIds(c, open[1].id, 1);
  if ((await card(c, roId).getAttribute('draggable')) !== 'false') throw new Error('a read-only card is draggable');
  await c.dragAndDrop(`[data-deal-id="${roId}"]`, `section[data-stage-id="${open[2].id}"] ul.cards`);
  await card(c, roId).locator('.card-open').focus();
  await c.keyboard.press('Shift+ArrowRight');
  await c.waitForTimeout(300);
  if ((await stageOf(roId)).stage.id !== open[1].id || summary.readOnlyMutations.length) throw new Error('the read-only board moved a deal');
  summary.steps.readOnly = true;

  for (const [label, page] of [['A', a], ['B', b], ['C', c]]) {
    for (const v of await page.evaluate(() => window.__csp)) summary.cspViolations.push(`${label}: ${v}`);
  }
  const problems = [];
  for (const k of ['externalRequests', 'failedRequests', 'consoleErrors', 'pageErrors', 'cspViolations']) {
    if (summary[k].length) problems.push(`${k}: ${JSON.stringify(summary[k])}`);
  }
  if (problems.length) throw new Error(problems.join('; '));
  summary.ok = true;
}

try {
  await main();
  await done(0);
} catch (err) {
  summary.error = err && err.message ? err.message : String(err);
  await done(1);
}
