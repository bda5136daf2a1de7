#!/usr/bin/env node
// Headless-Chromium check of the self-hosted GraphiQL page.
//
//   node tests/browser/graphiql.mjs --url http://127.0.0.1:PORT/graphiql \
//     --key KEY --query 'QUERY' --expect 'TEXT' \
//     [--subscription 'SUBSCRIPTION' --expect-sub 'TEXT']
//
// Optional: --chromium PATH (default $CHROMIUM or /usr/bin/chromium),
//           --screenshot PATH (default target/graphiql.png), --timeout MS (30000).
//
// Needs `npm ci --prefix graphiql` (for playwright-core; no browser download:
// the system Chromium is used). Opens URL?query=QUERY#key=KEY, runs the query
// with GraphiQL's execute button, waits for --expect in the result pane, then
// (optionally) types the subscription into the editor and runs it at once (no
// pause for GraphiQL's debounced re-parse), waits for --expect-sub and checks it
// went over the WebSocket, never as a POST. Fails on any failed request, any HTTP status >= 400, any
// request to another host, any CSP violation or uncaught page error, if the
// Authorization header / connection_init payload did not carry the key, or if
// the key appeared in a URL sent to the server. Prints one JSON summary line;
// exit code 0 only if everything passed.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const started = Date.now();

function usage(message) {
  console.error(`graphiql.mjs: ${message}`);
  console.error(
    "usage: node tests/browser/graphiql.mjs --url http://127.0.0.1:PORT/graphiql --key KEY " +
      "--query 'QUERY' --expect 'TEXT' [--subscription 'SUBSCRIPTION' --expect-sub 'TEXT'] " +
      '[--chromium PATH] [--screenshot PATH] [--timeout MS]',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const known = new Set([
    'url', 'key', 'query', 'expect', 'subscription', 'expect-sub', 'chromium', 'screenshot', 'timeout',
  ]);
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(argv[i]);
    if (!m || !known.has(m[1])) usage(`unknown argument ${JSON.stringify(argv[i])}`);
    let value = m[2];
    if (value === undefined) {
      if (i + 1 >= argv.length) usage(`--${m[1]} needs a value`);
      value = argv[++i];
    }
    args[m[1]] = value;
  }
  for (const name of ['url', 'key', 'query', 'expect']) {
    if (!args[name]) usage(`--${name} is required`);
  }
  if (Boolean(args.subscription) !== Boolean(args['expect-sub'])) {
    usage('--subscription and --expect-sub go together');
  }
  return {
    url: args.url,
    key: args.key,
    query: args.query,
    expect: args.expect,
    subscription: args.subscription || null,
    expectSub: args['expect-sub'] || null,
    chromium: args.chromium || process.env.CHROMIUM || '/usr/bin/chromium',
    screenshot: path.resolve(repoRoot, args.screenshot || 'target/graphiql.png'),
    timeout: Number(args.timeout || 30000),
  };
}

const opts = parseArgs(process.argv.slice(2));

const summary = {
  ok: false,
  url: opts.url,
  steps: {},
  failedRequests: [],
  externalRequests: [],
  cspViolations: [],
  pageErrors: [],
  consoleErrors: [],
  keyInUrl: [],
  requests: 0,
  httpAuthorizationOk: null,
  httpOperations: [],
  websocket: null,
  screenshot: null,
  elapsedMs: 0,
  error: null,
};

let browserContext = null;
let userDataDir = null;
let finished = false;

async function finish(code) {
  if (finished) return;
  finished = true;
  summary.elapsedMs = Date.now() - started;
  try {
    if (browserContext) await browserContext.close();
  } catch {
    // ignore
  }
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  console.log(JSON.stringify(summary));
  if (code !== 0) console.error(`FAIL: ${summary.error}`);
  else console.error('PASS: GraphiQL page loaded offline, query' +
    (opts.subscription ? ' and subscription' : '') + ' ran');
  process.exit(code);
}

const overall = setTimeout(() => {
  summary.error = summary.error || `timed out after ${opts.timeout} ms (steps so far: ${JSON.stringify(summary.steps)})`;
  finish(1);
}, opts.timeout);
overall.unref();

function remaining() {
  return Math.max(1000, opts.timeout - (Date.now() - started) - 1500);
}

function loadPlaywright() {
  const require = createRequire(path.join(repoRoot, 'graphiql', 'package.json'));
  try {
    return require('playwright-core');
  } catch (err) {
    throw new Error(`cannot load playwright-core (${err.message}); run \`npm ci --prefix graphiql\``);
  }
}

// Text of a GraphiQL editor (CodeMirror 5 instance inside `selector`),
// falling back to the rendered text.
function editorText(selector) {
  const el = document.querySelector(selector);
  if (!el) return null;
  const cm = el.querySelector('.CodeMirror');
  if (cm && cm.CodeMirror) return cm.CodeMirror.getValue();
  return el.innerText;
}

async function waitForResult(page, expected, step) {
  try {
    await page.waitForFunction(
      (text) => {
        // Same as editorText('.result-window'); no eval: the page's CSP forbids it.
        const el = document.querySelector('.result-window');
        if (!el) return false;
        const cm = el.querySelector('.CodeMirror');
        const value = cm && cm.CodeMirror ? cm.CodeMirror.getValue() : el.innerText;
        return value.includes(text);
      },
      expected,
      { timeout: remaining(), polling: 100 },
    );
  } catch (err) {
    const got = await page.evaluate(editorText, '.result-window').catch(() => null);
    throw new Error(`${step}: result pane never contained ${JSON.stringify(expected)}; it shows ${JSON.stringify(got)}`);
  }
}

async function main() {
  const { chromium } = loadPlaywright();
  if (!fs.existsSync(opts.chromium)) {
    throw new Error(`Chromium not found at ${opts.chromium} (apt-get install -y chromium, or pass --chromium)`);
  }

  const pageUrl = new URL(opts.url);
  pageUrl.searchParams.set('query', opts.query);
  pageUrl.hash = `key=${encodeURIComponent(opts.key)}`;
  const pageHost = pageUrl.host;

  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'graphiql-test-'));
  browserContext = await chromium.launchPersistentContext(userDataDir, {
    executablePath: opts.chromium,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: remaining(),
  });
  const page = browserContext.pages()[0] || (await browserContext.newPage());

  // CSP violations are not requests; collect them from the page.
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });

  const bearer = `Bearer ${opts.key}`;
  const watch = (url) => {
    let u;
    try {
      u = new URL(url);
    } catch {
      return;
    }
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) return;
    if (u.host !== pageHost) summary.externalRequests.push(url);
    u.hash = '';
    if (u.toString().includes(opts.key) || u.toString().includes(encodeURIComponent(opts.key))) {
      summary.keyInUrl.push(u.toString());
    }
  };

  page.on('request', (req) => {
    summary.requests += 1;
    watch(req.url());
    const u = new URL(req.url());
    if (req.method() === 'POST' && u.host === pageHost && u.pathname === '/graphql') {
      const auth = req.headers().authorization;
      summary.httpAuthorizationOk = summary.httpAuthorizationOk !== false && auth === bearer;
      try {
        summary.httpOperations.push(JSON.parse(req.postData() || '{}').query || null);
      } catch {
        summary.httpOperations.push(null);
      }
    }
  });
  page.on('requestfailed', (req) => {
    summary.failedRequests.push({ url: req.url(), error: req.failure()?.errorText ?? 'failed' });
  });
  page.on('response', (res) => {
    if (res.status() >= 400) summary.failedRequests.push({ url: res.url(), status: res.status() });
  });
  page.on('pageerror', (err) => summary.pageErrors.push(String(err && err.message ? err.message : err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') summary.consoleErrors.push(msg.text());
  });
  page.on('websocket', (ws) => {
    watch(ws.url());
    const info = { url: ws.url(), connectionInit: null, connectionInitAuthOk: false, acked: false, closed: false, error: null, subscribed: [] };
    summary.websocket = info;
    ws.on('framesent', (frame) => {
      try {
        const msg = JSON.parse(String(frame.payload));
        if (msg.type === 'connection_init') {
          info.connectionInit = { ...msg, payload: msg.payload && msg.payload.authorization ? { ...msg.payload, authorization: 'Bearer <key>' } : msg.payload };
          info.connectionInitAuthOk = Boolean(msg.payload && msg.payload.authorization === bearer);
        }
        if (msg.type === 'subscribe' && msg.payload) info.subscribed.push(msg.payload.query);
      } catch {
        // not JSON
      }
    });
    ws.on('framereceived', (frame) => {
      try {
        if (JSON.parse(String(frame.payload)).type === 'connection_ack') info.acked = true;
      } catch {
        // not JSON
      }
    });
    ws.on('socketerror', (err) => {
      info.error = String(err);
    });
    ws.on('close', () => {
      info.closed = true;
    });
  });

  // 1. Load the page.
  const response = await page.goto(pageUrl.toString(), { waitUntil: 'load', timeout: remaining() });
  if (!response || response.status() !== 200) {
    throw new Error(`GET ${opts.url} answered ${response ? response.status() : 'nothing'}`);
  }
  const csp = response.headers()['content-security-policy'] || null;
  summary.steps.pageLoaded = true;
  summary.contentSecurityPolicy = csp;
  if (!csp) throw new Error('the page has no Content-Security-Policy header');
  if (await page.locator('#graphiql-missing').count()) {
    throw new Error(`the server shows the placeholder page: ${await page.locator('#graphiql-missing').innerText()}`);
  }
  const runButton = page.locator('button.graphiql-execute-button');
  try {
    await runButton.waitFor({ state: 'visible', timeout: remaining() });
  } catch {
    throw new Error('GraphiQL did not render (no execute button); page errors: ' + JSON.stringify(summary.pageErrors));
  }
  summary.steps.graphiqlRendered = true;

  // 2. The query (prefilled through ?query=).
  const editorQuery = await page.evaluate(editorText, '.graphiql-query-editor');
  if (!editorQuery || editorQuery.trim() !== opts.query.trim()) {
    throw new Error(`the query editor shows ${JSON.stringify(editorQuery)} instead of the ?query= parameter`);
  }
  await runButton.click({ timeout: remaining() });
  await waitForResult(page, opts.expect, 'query');
  summary.steps.query = true;

  // 3. The subscription (typed into the editor).
  if (opts.subscription) {
    const set = await page.evaluate((sub) => {
      const cm = document.querySelector('.graphiql-query-editor .CodeMirror');
      if (!cm || !cm.CodeMirror) return false;
      cm.CodeMirror.setValue(sub);
      return true;
    }, opts.subscription);
    if (!set) throw new Error('cannot find the query editor to type the subscription');
    // Run at once, as a user pressing Ctrl-Enter right after typing: GraphiQL has
    // not re-parsed the document yet (it waits 100 ms after the last edit).
    await runButton.click({ timeout: remaining() });
    await waitForResult(page, opts.expectSub, 'subscription');
    summary.steps.subscription = true;
    const ws = summary.websocket;
    if (!ws) throw new Error('the subscription did not use a WebSocket');
    if (new URL(ws.url).pathname !== '/graphql/ws') throw new Error(`the WebSocket went to ${ws.url}, not /graphql/ws`);
    if (!ws.subscribed.includes(opts.subscription)) {
      throw new Error(`the subscription was not sent over the WebSocket (sent there: ${JSON.stringify(ws.subscribed)})`);
    }
    if (summary.httpOperations.includes(opts.subscription)) {
      throw new Error('the subscription was also POSTed to /graphql');
    }
    if (!ws.connectionInitAuthOk) {
      throw new Error(`connection_init did not carry {"authorization": "Bearer <key>"}: ${JSON.stringify(ws.connectionInit)}`);
    }
    // Stop it if it is still running.
    const label = await runButton.getAttribute('aria-label').catch(() => null);
    if (label && label.startsWith('Stop')) await runButton.click().catch(() => {});
  }

  await page.waitForTimeout(200);
  summary.cspViolations = await page.evaluate(() => window.__cspViolations || []).catch(() => ['cannot read CSP violations']);

  fs.mkdirSync(path.dirname(opts.screenshot), { recursive: true });
  await page.screenshot({ path: opts.screenshot, fullPage: false });
  summary.screenshot = opts.screenshot;

  const found = problems();
  if (summary.httpAuthorizationOk !== true) found.push('POST /graphql did not always carry "Authorization: Bearer <key>"');
  if (found.length) throw new Error(found.join('; '));
  summary.ok = true;
}

function problems() {
  const found = [];
  if (summary.failedRequests.length) found.push(`failed requests: ${JSON.stringify(summary.failedRequests)}`);
  if (summary.externalRequests.length) found.push(`requests to other hosts: ${JSON.stringify(summary.externalRequests)}`);
  if (summary.cspViolations.length) found.push(`CSP violations: ${JSON.stringify(summary.cspViolations)}`);
  if (summary.pageErrors.length) found.push(`page errors: ${JSON.stringify(summary.pageErrors)}`);
  if (summary.keyInUrl.length) found.push(`the key was sent in a URL: ${JSON.stringify(summary.keyInUrl)}`);
  return found;
}

try {
  await main();
  await finish(0);
} catch (err) {
  summary.error = err && err.message ? err.message : String(err);
  const also = problems().filter((p) => !summary.error.includes(p));
  if (also.length) summary.error += `; also ${also.join('; ')}`;
  if (browserContext && !summary.screenshot) {
    try {
      const page = browserContext.pages()[0];
      fs.mkdirSync(path.dirname(opts.screenshot), { recursive: true });
      await page.screenshot({ path: opts.screenshot, timeout: 3000 });
      summary.screenshot = opts.screenshot;
    } catch {
      // best effort
    }
  }
  await finish(1);
}
