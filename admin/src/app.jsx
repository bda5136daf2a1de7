import { useEffect, useMemo, useState } from 'preact/hooks';
import { makeApi } from './api.js';
import { initialKey, saveKey, forgetKey } from './session.js';
import { START } from './queries.js';
import { Board } from './board/board.jsx';
import { Leads } from './leads.jsx';
import { MyTasks } from './tasks.jsx';

export function App() {
  const [key, setKey] = useState(() => initialKey());
  if (!key) return <SignIn onKey={(k) => { saveKey(k); setKey(k); }} />;
  return <Signed apiKey={key} onSignOut={() => { forgetKey(); setKey(null); }} />;
}

function SignIn({ onKey, error }) {
  const [value, setValue] = useState('');
  return (
    <main class="signin">
      <h1>dealgraph board</h1>
      <form onSubmit={(e) => { e.preventDefault(); if (value.trim()) onKey(value.trim()); }}>
        <label for="key">API key</label>
        <input id="key" type="password" autocomplete="off" value={value}
          onInput={(e) => setValue(e.currentTarget.value)} required />
        <button type="submit">Sign in</button>
        {error && <p role="alert" class="error">{error}</p>}
        <p class="hint">The key is kept in this tab only (sessionStorage) and sent to this server alone.</p>
      </form>
    </main>
  );
}

function Signed({ apiKey, onSignOut }) {
  const api = useMemo(() => makeApi(apiKey), [apiKey]);
  const [start, setStart] = useState(null);
  const [error, setError] = useState(null);
  const [online, setOnline] = useState(true);
  const [view, setView] = useState('board');

  useEffect(() => () => api.close(), [api]);
  useEffect(() => api.onStatus(setOnline), [api]);
  useEffect(() => {
    api.gql(START).then(setStart, (e) => setError(e));
  }, [api]);

  if (error) {
    if (error.code === 'UNAUTHENTICATED') {
      forgetKey();
      return <SignIn onKey={(k) => { saveKey(k); location.reload(); }} error={`That key was refused: ${error.message}`} />;
    }
    return <main class="signin"><p role="alert" class="error">{error.message}</p><button onClick={onSignOut}>Sign out</button></main>;
  }
  if (!start) return <main class="loading" aria-busy="true">Loading…</main>;

  const scopes = start.viewer.apiKey.scopes;
  // What the key may do, as the server decides (`admin` includes `crm:write`).
  const canWrite = start.viewer.effectiveScopes.includes('CRM_WRITE');
  const tabs = [['board', 'Board'], ['leads', 'Leads'], ['tasks', 'My tasks']];
  return (
    <>
      <header class="top">
        <div class="brand">
          <strong>{start.viewer.workspace.name}</strong>
          <span class="scopes" aria-label="Key scopes">
            {scopes.map((s) => <span class="scope" key={s}>{s.toLowerCase().replace('_', ':')}</span>)}
            {!canWrite && <span class="scope ro">read-only</span>}
          </span>
        </div>
        <nav aria-label="Views">
          {tabs.map(([id, label]) => (
            <button key={id} class="tab" aria-current={view === id ? 'page' : undefined} onClick={() => setView(id)}>{label}</button>
          ))}
        </nav>
        <button class="signout" onClick={onSignOut}>Sign out</button>
      </header>
      {!online && <div class="offline" role="status">Offline — reconnecting; moves made meanwhile will appear when the connection is back.</div>}
      {view === 'board' && <Board api={api} pipelines={start.pipelines} canWrite={canWrite} />}
      {view === 'leads' && <Leads api={api} pipelines={start.pipelines} canWrite={canWrite} currency={start.viewer.workspace.defaultCurrency} />}
      {view === 'tasks' && <MyTasks api={api} canWrite={canWrite} />}
    </>
  );
}
