// The board's only way to the server: GraphQL over HTTP (POST /graphql) and
// graphql-transport-ws (/graphql/ws), both carrying the API key.
import { createClient } from 'graphql-ws';

export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

/** A random idempotency key per user action, so a retried request is replayed, not repeated. */
export function idempotencyKey() {
  return crypto.randomUUID();
}

export function makeApi(key) {
  const authorization = `Bearer ${key}`;
  const listeners = new Set();
  let online = true;
  const setOnline = (value) => {
    if (value === online) return;
    online = value;
    listeners.forEach((fn) => fn(value));
  };

  async function gql(query, variables = {}) {
    let response;
    try {
      response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ query, variables }),
      });
    } catch {
      setOnline(false);
      throw new ApiError('The server cannot be reached.', 'NETWORK');
    }
    let body;
    try {
      body = await response.json();
    } catch {
      throw new ApiError(`The server answered ${response.status}.`, 'HTTP');
    }
    if (body.errors && body.errors.length) {
      const first = body.errors[0];
      throw new ApiError(first.message, (first.extensions && first.extensions.code) || 'ERROR');
    }
    return body.data;
  }

  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql/ws`;
  const ws = createClient({
    url,
    connectionParams: { authorization },
    lazy: true,
    keepAlive: 10000,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    // Backs off up to 5 s, but the browser coming back online ends the wait at once.
    retryWait: (retries) => new Promise((resolve) => {
      const done = () => { clearTimeout(timer); removeEventListener('online', done); resolve(); };
      const timer = setTimeout(done, Math.min(5000, 300 * 2 ** retries));
      addEventListener('online', done);
    }),
    on: {
      connected: () => setOnline(true),
      // 1000 is graphql-ws closing an idle socket itself (no subscription left), not a drop.
      closed: (event) => { if (!event || event.code !== 1000) setOnline(false); },
    },
  });
  // A socket whose network went away can look open for minutes: when the browser says it
  // is offline, drop the socket; graphql-ws reconnects and resubscribes from the cursor.
  const wentOffline = () => { setOnline(false); ws.terminate(); };
  addEventListener('offline', wentOffline);

  /**
   * Subscribes and keeps the subscription through reconnects, resuming after the last
   * event seen: graphql-ws re-sends this same payload object on every reconnect, so the
   * `after` variable is advanced in place as events arrive. A subscription the server
   * refuses (it then completes) is reported to `onRefused` with the first error as an
   * ApiError whose `field` names the refused argument (`after`: the cursor expired).
   */
  function subscribe(query, variables, onEvent, cursorOf, onRefused) {
    const payload = { query, variables: { ...variables } };
    return ws.subscribe(payload, {
      next: (result) => {
        if (result.errors && !result.data) {
          const first = result.errors[0];
          const ext = first.extensions || {};
          const error = new ApiError(first.message, ext.code || 'ERROR');
          error.field = ext.field;
          onRefused(error);
          return;
        }
        const cursor = cursorOf(result.data);
        if (cursor) payload.variables.after = cursor;
        onEvent(result.data);
      },
      error: (err) => console.warn('subscription ended', err),
      complete: () => {},
    });
  }

  function onStatus(fn) {
    listeners.add(fn);
    return () => listeners.delete(fn);
  }

  function close() {
    removeEventListener('offline', wentOffline);
    ws.dispose();
  }

  return { gql, subscribe, onStatus, close };
}
