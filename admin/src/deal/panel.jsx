import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { idempotencyKey } from '../api.js';
import { DEAL, UPDATE_DEAL } from '../queries.js';
import { money, when } from '../format.js';
import { History, Timeline } from './history.jsx';
import { Tasks, LogForm } from './work.jsx';

/** The side panel of one deal: its fields (editable), people, history, timeline and tasks. */
export function DealPanel({ api, dealId, stages, canWrite, onClose, onMove, onChanged }) {
  const [deal, setDeal] = useState(null);
  const [error, setError] = useState(null);
  const heading = useRef(null);
  const load = useCallback(() => {
    api.gql(DEAL, { id: dealId }).then((d) => { setDeal(d.deal); setError(null); }, (e) => setError(e.message));
  }, [api, dealId]);
  useEffect(load, [load]);
  useEffect(() => { if (heading.current) heading.current.focus(); }, [deal && deal.id]);
  useEffect(() => {
    const onKey = (e) => { if (e.key === 'Escape') onClose(); };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <aside class="panel" aria-label="Deal details">
      <button class="close" onClick={onClose} aria-label="Close the deal panel">×</button>
      {error && <p role="alert" class="error">{error}</p>}
      {!deal && !error && <p aria-busy="true">Loading…</p>}
      {deal && (
        <>
          <h2 tabIndex={-1} ref={heading}>{deal.title}</h2>
          <p class="panel-sub">{money(deal.amount, deal.currency)} · {deal.status.toLowerCase()}{deal.company ? ` · ${deal.company.name}` : ''}</p>
          {canWrite && (
            <label class="stage-pick"><span class="label">Stage</span>
              <select value={deal.stage.id} onChange={async (e) => {
                const stage = stages.find((s) => s.id === e.currentTarget.value);
                if (stage) { await onMove(stage); load(); }
              }}>
                {stages.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
              </select>
            </label>
          )}
          <Fields api={api} deal={deal} canWrite={canWrite} onSaved={(d) => { onChanged(d); load(); }} />
          <section>
            <h3>Contacts</h3>
            {deal.contacts.length === 0 ? <p class="muted">No contacts on this deal.</p> : (
              <ul class="plain">
                {deal.contacts.map((c) => (
                  <li key={c.contact.id}><strong>{c.contact.name}</strong>{c.role ? ` — ${c.role.replace('_', ' ')}` : ''}{c.contact.email ? ` · ${c.contact.email}` : ''}</li>
                ))}
              </ul>
            )}
          </section>
          <Tasks api={api} dealId={deal.id} tasks={deal.tasks.nodes} canWrite={canWrite} onChanged={load} />
          {canWrite && <LogForm api={api} dealId={deal.id} onLogged={load} />}
          <History changes={deal.stageChanges.nodes} />
          <Timeline items={deal.timeline.nodes} />
          <p class="muted">Created {when(deal.createdAt)}</p>
        </>
      )}
    </aside>
  );
}

const EDITABLE = [
  ['title', 'Title', 'text'],
  ['amount', 'Amount', 'text'],
  ['ownerId', 'Owner', 'text'],
  ['expectedCloseDate', 'Expected close', 'date'],
  ['description', 'Description', 'textarea'],
];

function Fields({ api, deal, canWrite, onSaved }) {
  const [draft, setDraft] = useState({});
  const [status, setStatus] = useState(null);
  useEffect(() => setDraft({}), [deal.version]);
  const value = (k) => (k in draft ? draft[k] : deal[k] == null ? '' : String(deal[k]));
  const changed = Object.keys(draft).filter((k) => draft[k] !== (deal[k] == null ? '' : String(deal[k])));
  const save = async (e) => {
    e.preventDefault();
    const input = { id: deal.id, expectedVersion: deal.version, idempotencyKey: idempotencyKey() };
    for (const k of changed) input[k] = draft[k] === '' && k !== 'title' ? null : draft[k];
    try {
      const d = await api.gql(UPDATE_DEAL, { input });
      setStatus({ ok: true, text: 'Saved.' });
      onSaved(d.updateDeal.deal);
    } catch (err) {
      setStatus({ ok: false, text: err.message });
    }
  };
  return (
    <form class="fields" onSubmit={save}>
      {EDITABLE.map(([k, label, type]) => (
        <label key={k}><span class="label">{label}</span>
          {type === 'textarea'
            ? <textarea readOnly={!canWrite} value={value(k)} onInput={(e) => setDraft({ ...draft, [k]: e.currentTarget.value })} />
            : <input type={type} readOnly={!canWrite} value={value(k)} onInput={(e) => setDraft({ ...draft, [k]: e.currentTarget.value })} />}
        </label>
      ))}
      {canWrite && <button type="submit" disabled={!changed.length}>Save changes</button>}
      {status && <p role={status.ok ? 'status' : 'alert'} class={status.ok ? 'ok' : 'error'}>{status.text}</p>}
    </form>
  );
}
