// What the /admin browser checks share: options, the API as a script (not the page) sees
// it, waiting on a condition, launching Chromium, and opening a watched board.

import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** GraphQL over HTTP with `key`, from this script: unaffected by the page's network. */
export function apiClient(base) {
  return async function api(query, variables = {}, key) {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = await res.json();
    if (body.errors) throw new Error(`API: ${body.errors[0].message}`);
    return body.data;
  };
}

/** Polls `fn` until it returns something truthy, failing after `ms`. */
export async function until(what, fn, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Headless Chromium from the system, driven by graphiql's playwright-core. */
export async function launch(executablePath) {
  const { chromium } = createRequire(path.join(repoRoot, 'graphiql', 'package.json'))('playwright-core');
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Records into `summary` whatever a page must never do: leave `host`, fail, log errors. */
export function watch(page, label, summary, host, { readOnly = false } = {}) {
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol) && u.host !== host) summary.externalRequests.push(req.url());
    if (readOnly && req.method() === 'POST' && /mutation/.test(req.postData() || '')) summary.readOnlyMutations.push(req.postData());
  });
  page.on('response', (res) => { if (res.status() >= 400) summary.failedRequests.push(`${label}: ${res.status()} ${res.url()}`); });
  page.on('requestfailed', (req) => summary.failedRequests.push(`${label}: ${req.failure()?.errorText} ${req.url()}`));
  page.on('pageerror', (e) => summary.pageErrors.push(`${label}: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') summary.consoleErrors.push(`${label}: ${m.text()}`); });
  page.on('dialog', (d) => { summary.nativeDialogs.push(`${label}: ${d.type()} ${d.message()}`); d.dismiss().catch(() => {}); });
  page.on('websocket', (ws) => {
    const u = new URL(ws.url());
    if (u.host !== host) summary.externalRequests.push(ws.url());
  });
}

/** Opens the board signed in with `key` and waits until its columns show their counts. */
export async function openBoard(context, base, key, label, summary, opt) {
  const page = await context.newPage();
  watch(page, label, summary, new URL(base).host, opt);
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const t0 = Date.now();
  await page.goto(`${base}/admin#key=${encodeURIComponent(key)}`);
  await page.waitForSelector('body[data-board-ready]', { timeout: 30000 });
  await page.waitForFunction(() => {
    const counts = [...document.querySelectorAll('[data-testid="stage-count"]')];
    return counts.length > 0 && counts.every((c) => /^\d+$/.test(c.textContent));
  });
  return { page, loadMs: Date.now() - t0 };
}

export const inColumn = async (page, dealId, stageId) =>
  (await page.locator(`section[data-stage-id="${stageId}"] [data-deal-id="${dealId}"]`).count()) === 1;

/** A fresh summary: the checks' steps and timings, and the problems `watch` collects. */
export function newSummary() {
  return {
    ok: false, steps: {}, timings: {}, error: null,
    externalRequests: [], failedRequests: [], consoleErrors: [], pageErrors: [], cspViolations: [],
    readOnlyMutations: [], nativeDialogs: [],
  };
}

/** Throws when a watched page did something it must not (see `watch`). */
export async function checkProblems(summary, pages) {
  for (const [label, page] of pages) {
    for (const v of await page.evaluate(() => window.__csp)) summary.cspViolations.push(`${label}: ${v}`);
  }
  const problems = [];
  for (const k of ['externalRequests', 'failedRequests', 'consoleErrors', 'pageErrors', 'cspViolations', 'nativeDialogs']) {
    if (summary[k].length) problems.push(`${k}: ${JSON.stringify(summary[k])}`);
  }
  if (problems.length) throw new Error(problems.join('; '));
}

/** Runs `main` under an overall timeout; prints the summary as one JSON line and exits. */
export async function run(summary, timeoutMs, main) {
  const started = Date.now();
  let browser = null;
  let finished = false;
  const done = async (code) => {
    if (finished) return;
    finished = true;
    try { if (browser) await browser.close(); } catch { /* ignore */ }
    summary.elapsedMs = Date.now() - started;
    console.log(JSON.stringify(summary));
    if (code) console.error(`FAIL: ${summary.error}`);
    process.exit(code);
  };
  const overall = setTimeout(() => {
    summary.error = `timed out after ${timeoutMs} ms (steps: ${JSON.stringify(summary.steps)})`;
    done(1);
  }, timeoutMs);
  overall.unref();
  try {
    await main((b) => { browser = b; });
    summary.ok = true;
    await done(0);
  } catch (err) {
    summary.error = err && err.message ? err.message : String(err);
    await done(1);
  }
}
