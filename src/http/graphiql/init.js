// dealgraph GraphiQL bootstrap (served as /graphiql/assets/init.js).
//
// Loaded after the React, ReactDOM, GraphiQL and graphql-ws UMD bundles, which
// define the globals React, ReactDOM, GraphiQL and graphqlWs. The page's
// Content-Security-Policy forbids inline scripts, so all of this lives here.
//
// - Queries and mutations: POST /graphql (same origin) with the headers typed
//   into GraphiQL's "Headers" editor.
// - Subscriptions: graphql-transport-ws over ws(s)://<host>/graphql/ws via the
//   graphql-ws client. Browsers cannot set headers on a WebSocket, so the
//   Authorization header goes into the connection_init payload as
//   {"authorization": "Bearer ..."}. A new connection is made whenever that
//   header changes.
// - Opening /graphiql#key=API_KEY prefills the Authorization header. The key
//   stays in the URL fragment, which browsers never send to the server, and is
//   removed from the address bar once read.
// - /graphiql?query=...&variables=...&operationName=... prefills the editors.
(function () {
  'use strict';

  var HTTP_URL = '/graphql';
  var WS_URL = (window.location.protocol === 'https:' ? 'wss://' : 'ws://') +
    window.location.host + '/graphql/ws';
  var DEFAULT_QUERY = [
    '# Welcome to the dealgraph GraphQL API!',
    '#',
    '# Put your API key into the',
    '# Authorization header (Headers tab',
    '# below), or open this page as',
    '# /graphiql#key=YOUR_API_KEY',
    '#',
    '# Run: Ctrl-Enter or the play button.',
    '',
    'query {',
    '  viewer {',
    '    workspace {',
    '      name',
    '    }',
    '  }',
    '}',
    ''
  ].join('\n');
  var PLACEHOLDER_KEY = 'PASTE_YOUR_API_KEY';

  function headersJson(key) {
    return JSON.stringify({ Authorization: 'Bearer ' + key }, null, 2);
  }

  // Reads (and removes from the address bar) a "#key=..." fragment.
  function takeKeyFromFragment() {
    var hash = window.location.hash;
    if (!hash || hash.length < 2) {
      return null;
    }
    var params = new URLSearchParams(hash.slice(1));
    var key = params.get('key');
    if (key === null) {
      return null;
    }
    params.delete('key');
    var rest = params.toString();
    try {
      window.history.replaceState(
        window.history.state,
        '',
        window.location.pathname + window.location.search + (rest ? '#' + rest : '')
      );
    } catch (e) {
      // Not fatal: the fragment just stays visible.
    }
    key = key.trim().replace(/^Bearer\s+/i, '');
    return key ? key : null;
  }

  function findHeader(headers, wanted) {
    if (!headers || typeof headers !== 'object') {
      return null;
    }
    var names = Object.keys(headers);
    for (var i = 0; i < names.length; i++) {
      if (names[i].toLowerCase() === wanted) {
        var value = headers[names[i]];
        return value === undefined || value === null ? null : String(value);
      }
    }
    return null;
  }

  // --- Which operation runs, and is it a subscription? ----------------------
  //
  // Decided from the document being sent, never from GraphiQL's documentAST or
  // operationName: GraphiQL re-parses the editor 100 ms after the last edit,
  // so a document run right after typing arrives with the previous document's
  // AST and operation name (a subscription then went over HTTP and got a 400).

  // The top-level operations of a document, [{ kind, name }], by a small scan
  // that skips comments and strings, and looks only at what is outside braces
  // and parentheses (selection sets, variable definitions, arguments).
  function operationsIn(query) {
    var text = String(query || '')
      .replace(/"""[\s\S]*?"""/g, '""')
      .replace(/"(?:[^"\\\n]|\\.)*"/g, '""')
      .replace(/#[^\n\r]*/g, '');
    var ops = [];
    var braces = 0;
    var parens = 0;
    var pending = null; // the definition whose selection set comes next
    var re = /[{}()@]|[_A-Za-z][_0-9A-Za-z]*/g;
    var m;
    while ((m = re.exec(text)) !== null) {
      var tok = m[0];
      if (tok === '(') {
        parens++;
      } else if (tok === ')') {
        parens = Math.max(0, parens - 1);
      }
      if (parens > 0 || tok === ')') {
        if (pending) pending.named = true; // no name after the variables
        continue;
      }
      if (tok === '{') {
        if (braces === 0) {
          var def = pending || { kind: 'query', name: null };
          if (def.kind !== 'fragment') ops.push({ kind: def.kind, name: def.name });
          pending = null;
        }
        braces++;
      } else if (tok === '}') {
        braces = Math.max(0, braces - 1);
      } else if (braces > 0) {
        continue;
      } else if (tok === '@') {
        if (pending) pending.named = true;
      } else if (tok === 'query' || tok === 'mutation' || tok === 'subscription' || tok === 'fragment') {
        pending = { kind: tok, name: null, named: false };
      } else if (pending && !pending.named) {
        pending.name = tok;
        pending.named = true;
      }
    }
    return ops;
  }

  // The operation GraphiQL asked for, if the document has it; otherwise the
  // document's only operation (the name GraphiQL sent may be the previous
  // document's). `operationName` is what to send.
  function operationToRun(params) {
    var ops = operationsIn(params.query);
    var wanted = params.operationName || null;
    for (var i = 0; i < ops.length; i++) {
      if (wanted && ops[i].name === wanted) {
        return { kind: ops[i].kind, operationName: wanted };
      }
    }
    if (ops.length === 1) {
      return { kind: ops[0].kind, operationName: ops[0].name || undefined };
    }
    return { kind: null, operationName: wanted || undefined };
  }

  // --- HTTP ----------------------------------------------------------------

  function httpFetch(params, userHeaders) {
    var headers = {
      'Content-Type': 'application/json',
      Accept: 'application/graphql-response+json, application/json'
    };
    Object.keys(userHeaders || {}).forEach(function (name) {
      headers[name] = String(userHeaders[name]);
    });
    return window.fetch(HTTP_URL, {
      method: 'POST',
      headers: headers,
      body: JSON.stringify(params),
      credentials: 'same-origin'
    }).then(function (res) {
      return res.text().then(function (text) {
        try {
          return JSON.parse(text);
        } catch (e) {
          return {
            errors: [{
              message: 'HTTP ' + res.status + ' ' + res.statusText +
                (text ? ': ' + text.slice(0, 2000) : '')
            }]
          };
        }
      });
    });
  }

  // --- WebSocket (graphql-transport-ws) --------------------------------------

  var ws = null; // { authorization: string|null, client: graphqlWs.Client }

  function wsClient(authorization) {
    if (ws && ws.authorization === authorization) {
      return ws.client;
    }
    if (ws) {
      // The header changed: drop the old connection (and its subscriptions).
      ws.client.dispose();
    }
    var client = window.graphqlWs.createClient({
      url: WS_URL,
      lazy: true,
      retryAttempts: 2,
      connectionParams: function () {
        return authorization ? { authorization: authorization } : {};
      }
    });
    ws = { authorization: authorization, client: client };
    return client;
  }

  function wsError(err) {
    if (Array.isArray(err) || err instanceof Error) {
      return err; // GraphQL errors of an "error" message, or a client error
    }
    if (err && typeof err.code === 'number') {
      return new Error('WebSocket ' + WS_URL + ' closed with code ' + err.code +
        (err.reason ? ': ' + err.reason : ''));
    }
    return new Error('WebSocket connection to ' + WS_URL + ' failed');
  }

  function wsSubscribe(params, authorization) {
    // An Observable as GraphiQL expects it: subscribe(observer) -> { unsubscribe }.
    return {
      subscribe: function (observer) {
        var dispose = wsClient(authorization).subscribe(
          {
            query: params.query,
            variables: params.variables || undefined,
            operationName: params.operationName || undefined
          },
          {
            next: function (value) {
              if (observer.next) observer.next(value);
            },
            error: function (err) {
              if (observer.error) observer.error(wsError(err));
            },
            complete: function () {
              if (observer.complete) observer.complete();
            }
          }
        );
        return { unsubscribe: dispose };
      }
    };
  }

  function fetcher(params, opts) {
    var headers = (opts && opts.headers) || {};
    var operation = operationToRun(params);
    var request = {
      query: params.query,
      variables: params.variables,
      operationName: operation.operationName
    };
    if (operation.kind === 'subscription') {
      return wsSubscribe(request, findHeader(headers, 'authorization'));
    }
    return httpFetch(request, headers);
  }

  // --- Page ------------------------------------------------------------------

  function fail(message) {
    var root = document.getElementById('graphiql');
    if (root) {
      root.textContent = message;
    }
    window.console.error(message);
  }

  function start() {
    var GraphiQLComponent = window.GraphiQL;
    if (GraphiQLComponent && typeof GraphiQLComponent !== 'function') {
      GraphiQLComponent = GraphiQLComponent.GraphiQL || GraphiQLComponent.default;
    }
    if (!window.React || !window.ReactDOM || !GraphiQLComponent || !window.graphqlWs) {
      fail('GraphiQL could not start: a script bundle failed to load.');
      return;
    }

    document.documentElement.style.height = '100%';
    document.body.style.height = '100%';
    document.body.style.margin = '0';
    var container = document.getElementById('graphiql');
    container.style.height = '100vh';
    container.textContent = '';

    var search = new URLSearchParams(window.location.search);
    var key = takeKeyFromFragment();
    var props = {
      fetcher: fetcher,
      defaultQuery: DEFAULT_QUERY,
      defaultEditorToolsVisibility: 'headers',
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false
    };
    if (key) {
      // `headers` wins over anything GraphiQL restored from local storage.
      props.headers = headersJson(key);
    } else {
      props.defaultHeaders = headersJson(PLACEHOLDER_KEY);
    }
    if (search.has('query')) {
      props.query = search.get('query');
    }
    if (search.has('variables')) {
      props.variables = search.get('variables');
    }
    if (search.has('operationName')) {
      props.operationName = search.get('operationName');
    }

    window.ReactDOM.createRoot(container).render(
      window.React.createElement(GraphiQLComponent, props)
    );
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
