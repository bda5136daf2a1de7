#!/usr/bin/env node
// Render time of the /admin board (issue 14, item 10), as tests/browser/admin.mjs measures
// it, repeated: each run opens /admin#key=… in a fresh headless-Chromium context (1280×800,
// nothing cached) and reads `window.__boardRenderedMs`, which the board sets when the cards
// of its columns query are painted (columns query sent → cards on screen), and the time from
// navigation to the board being ready with its counts.
//
//   node bench/admin-render.mjs --base http://127.0.0.1:PORT --key KEY [--runs 5] [--chromium PATH]
//
// Uses playwright-core from admin/node_modules (or graphiql/node_modules) and the system
// Chromium. Prints one line per run and a JSON summary (median and max); exit 1 on any page
// error or failed request.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const opts = {
  base: arg('base'),
  key: arg('key'),
  runs: Number(arg('runs', '5')),
  chromium: arg('chromium', process.env.CHROMIUM || '/usr/bin/chromium'),
};
if (!opts.base || !opts.key) {
  console.error('usage: node bench/admin-render.mjs --base URL --key KEY [--runs N] [--chromium PATH]');
  process.exit(2);
}

function playwright() {
  for (const dir of ['admin', 'graphiql']) {
    const manifest = path.join(repoRoot, dir, 'package.json');
    if (fs.existsSync(path.join(repoRoot, dir, 'node_modules', 'playwright-core'))) {
      return createRequire(manifest)('playwright-core');
    }
  }
  throw new Error('playwright-core is not installed in admin/ or graphiql/ (npm ci there)');
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};

const { chromium } = playwright();
const browser = await chromium.launch({
  executablePath: opts.chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const problems = [];
const runs = [];
try {
  for (let run = 1; run <= opts.runs; run++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`run ${run}: ${e.message}`));
    page.on('response', (res) => { if (res.status() >= 400) problems.push(`run ${run}: ${res.status()} ${res.url()}`); });
    page.on('requestfailed', (req) => problems.push(`run ${run}: ${req.failure()?.errorText} ${req.url()}`));
    const t0 = Date.now();
    await page.goto(`${opts.base}/admin#key=${encodeURIComponent(opts.key)}`);
    await page.waitForSelector('body[data-board-ready]', { timeout: 60000 });
    await page.waitForFunction(() => {
      const counts = [...document.querySelectorAll('[data-testid="stage-count"]')];
      return counts.length > 0 && counts.every((c) => /^\d+$/.test(c.textContent));
    }, null, { timeout: 60000 });
    const loadMs = Date.now() - t0;
    const renderMs = Math.round(await page.evaluate(() => window.__boardRenderedMs));
    const cards = await page.locator('[data-deal-id]').count();
    runs.push({ run, renderMs, loadMs, cards });
    console.log(`run ${run}: board render ${renderMs} ms, navigation → board with counts ${loadMs} ms, ${cards} cards`);
    await context.close();
  }
} finally {
  await browser.close();
}
const summary = {
  runs,
  renderMsMedian: median(runs.map((r) => r.renderMs)),
  renderMsMax: Math.max(...runs.map((r) => r.renderMs)),
  loadMsMedian: median(runs.map((r) => r.loadMs)),
  problems,
};
console.log(`BENCH_JSON ${JSON.stringify(summary)}`);
process.exit(problems.length ? 1 : 0);
