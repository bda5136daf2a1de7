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
// card; the deal panel opens; disqualifying a lead asks for the reason in a <dialog>; a
// read-only key gets no drag and sends no mutation. Fails on any request to another host,
// any HTTP error, CSP violation, page error, console error or native dialog (alert, prompt).
// The network drop and the resync are in admin_live.mjs.
// Prints one JSON summary line (with timings and transferred sizes); exit 0 only if all passed.

import fs from 'node:fs';
import path from 'node:path';
import {
  apiClient, arg, checkProblems, inColumn, launch, newSummary, openBoard as open_, repoRoot, run, until,
} from './board_kit.mjs';

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

const summary = { ...newSummary(), firstLoad: null };
const call = apiClient(opts.base);
const api = (query, variables = {}, key = opts.key) => call(query, variables, key);
const stageOf = async (id) => (await api('query($id: ID!) { deal(id: $id) { stage { id } version status } }', { id })).deal;
const openBoard = (context, key, label, opt) => open_(context, opts.base, key, label, summary, opt);
const card = (page, id) => page.locator(`[data-deal-id="${id}"]`);

async function main(track) {
  const browser = await launch(opts.chromium);
  track(browser);
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
    const dialog = a.getByRole('dialog', { name: 'Mark as lost' });
    await dialog.getByLabel('Why was it lost?').fill('Chose a competitor');
    await dialog.getByRole('button', { name: 'Mark lost' }).click();
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
  const lead = (await api('mutation { createLead(input: { name: "Ada Unfit", companyName: "Nope Ltd" }) { lead { id } } }')).createLead.lead;
  await a.getByRole('button', { name: 'Leads' }).click();
  await a.locator('h1', { hasText: 'Leads inbox' }).waitFor();
  await a.locator('table.list').first().waitFor();
  // Disqualifying asks for the reason in the page's own dialog (no window.prompt): it
  // cannot be sent empty, Esc cancels it, and the reason given is stored.
  const row = a.locator('tr', { hasText: 'Ada Unfit' });
  const disqualify = row.getByRole('button', { name: 'Disqualify' });
  await disqualify.click();
  const ask = a.getByRole('dialog', { name: 'Disqualify lead' });
  await ask.waitFor();
  const reason = ask.getByLabel('Why is Ada Unfit not a fit?');
  if (!(await reason.evaluate((el) => el === document.activeElement))) throw new Error('the reason field has no focus');
  await ask.getByRole('button', { name: 'Disqualify' }).click();
  if (!(await ask.isVisible())) throw new Error('the dialog closed without a reason');
  await a.keyboard.press('Escape');
  await ask.waitFor({ state: 'detached' });
  if (!(await disqualify.evaluate((el) => el === document.activeElement))) throw new Error('the focus did not return to Disqualify');
  await disqualify.click();
  await ask.getByLabel('Why is Ada Unfit not a fit?').fill('No budget this year');
  await ask.getByRole('button', { name: 'Disqualify' }).click();
  await until('the lead is disqualified', async () => {
    const l = (await api('query($id: ID!) { lead(id: $id) { status disqualifiedReason } }', { id: lead.id })).lead;
    return l.status === 'DISQUALIFIED' && l.disqualifiedReason === 'No budget this year';
  });
  await row.waitFor({ state: 'detached' });
  summary.steps.disqualifyDialog = true;
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

  await checkProblems(summary, [['A', a], ['B', b], ['C', c]]);
}

await run(summary, opts.timeout, main);
