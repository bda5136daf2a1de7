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
    retryWait: (retries) => new Promise((r) => setTimeout(r, Math.min(5000, 300 * 2 ** retries))),
    on: {
      connected: () => setOnline(true),
      // 1000 is graphql-ws closing an idle socket itself (no subscription left), not a drop.
      closed: (event) => { if (!event || event.code !== 1000) setOnline(false); },
    },
  });

  /**
   * Subscribes and keeps the subscription through reconnects, resuming after the last
   * event seen: graphql-ws re-sends this same payload object on every reconnect, so the
   * `after` variable is advanced in place as events arrive.
   */
  function subscribe(query, variables, onEvent, cursorOf) {
    const payload = { query, variables: { ...variables } };
    return ws.subscribe(payload, {
      next: (result) => {
        if (result.errors) {
          console.warn('subscription error', result.errors[0].message);
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

  return { gql, subscribe, onStatus, close: () => ws.dispose() };
}
