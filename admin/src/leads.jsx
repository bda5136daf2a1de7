import { useCallback, useEffect, useState } from 'preact/hooks';
import { idempotencyKey } from './api.js';
import { CONVERT, DISQUALIFY, LEADS, QUALIFY } from './queries.js';
import { money, when } from './format.js';
import { ConfirmDialog, askUser } from './dialog.jsx';

/** New, working and qualified leads, with qualify / disqualify / convert. */
export function Leads({ api, pipelines, canWrite, currency }) {
  const [data, setData] = useState(null);
  const [message, setMessage] = useState(null);
  const [converting, setConverting] = useState(null);
  const [ask, setAsk] = useState(null);
  const load = useCallback(() => api.gql(LEADS).then(setData, (e) => setMessage(e.message)), [api]);
  useEffect(() => { load(); }, [load]);

  const act = async (query, input) => {
    try {
      await api.gql(query, { input: { ...input, idempotencyKey: idempotencyKey() } });
      setMessage(null);
      load();
    } catch (e) { setMessage(e.message); }
  };

  const groups = data ? [['New', data.fresh], ['Working', data.working], ['Qualified', data.qualified]] : [];
  return (
    <main class="leads-view">
      <h1>Leads inbox</h1>
      {message && <p role="alert" class="message">{message}</p>}
      {!data && <p aria-busy="true">Loading…</p>}
      {groups.map(([label, group]) => (
        <section key={label}>
          <h2>{label} <span class="count">{group.totalCount}</span></h2>
          <table class="list">
            <thead><tr><th>Name</th><th>Company</th><th>Score</th><th>Source</th><th>Owner</th><th>Since</th>{canWrite && <th>Actions</th>}</tr></thead>
            <tbody>
              {group.nodes.map((l) => (
                <tr key={l.id}>
                  <td>{l.name}<br /><span class="muted">{l.email}</span></td>
                  <td>{l.companyName}</td><td>{l.score}</td><td>{l.source.toLowerCase()}</td><td>{l.ownerId}</td><td>{when(l.createdAt)}</td>
                  {canWrite && (
                    <td class="actions">
                      {l.status !== 'QUALIFIED' && <button onClick={() => act(QUALIFY, { id: l.id, expectedVersion: l.version })}>Qualify</button>}
                      <button onClick={async () => {
                        const answer = await askUser(setAsk, {
                          title: 'Disqualify lead',
                          text: `${l.name} will leave the inbox.`,
                          reasonLabel: `Why is ${l.name} not a fit?`,
                          confirm: 'Disqualify',
                        });
                        if (answer) act(DISQUALIFY, { id: l.id, reason: answer.reason, expectedVersion: l.version });
                      }}>Disqualify</button>
                      <button class="primary" onClick={() => setConverting(l)}>Convert…</button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
      <ConfirmDialog ask={ask} />
      {converting && (
        <Convert api={api} lead={converting} pipelines={pipelines} currency={currency}
          onDone={() => { setConverting(null); load(); }} />
      )}
    </main>
  );
}

/** Conversion form: "Preview" runs convertLead with dryRun, "Convert" for real. */
function Convert({ api, lead, pipelines, currency, onDone }) {
  const [withDeal, setWithDeal] = useState(true);
  const [title, setTitle] = useState(`${lead.companyName || lead.name} deal`);
  const [amount, setAmount] = useState('0');
  const [cur, setCur] = useState(currency);
  const [pipelineId, setPipelineId] = useState(pipelines.length ? pipelines[0].id : '');
  const [preview, setPreview] = useState(null);
  const [error, setError] = useState(null);
  const input = (dryRun) => ({
    leadId: lead.id,
    expectedVersion: lead.version,
    dryRun,
    idempotencyKey: idempotencyKey(),
    deal: withDeal ? { title, amount, currency: cur, pipelineId } : null,
  });
  const run = async (dryRun) => {
    try {
      const d = await api.gql(CONVERT, { input: input(dryRun) });
      setError(null);
      if (dryRun) setPreview(d.convertLead); else onDone();
    } catch (e) { setError(e.message); setPreview(null); }
  };
  return (
    <section class="convert" aria-labelledby="convert-title">
      <h2 id="convert-title">Convert {lead.name}</h2>
      <form onSubmit={(e) => { e.preventDefault(); run(false); }} onInput={() => setPreview(null)}>
        <label><input type="checkbox" checked={withDeal} onChange={(e) => setWithDeal(e.currentTarget.checked)} /> Open a deal</label>
        {withDeal && (
          <>
            <label><span class="label">Deal title</span><input value={title} onInput={(e) => setTitle(e.currentTarget.value)} /></label>
            <label><span class="label">Amount</span><input value={amount} inputMode="decimal" onInput={(e) => setAmount(e.currentTarget.value)} /></label>
            <label><span class="label">Currency</span><input value={cur} size="4" onInput={(e) => setCur(e.currentTarget.value.toUpperCase())} /></label>
            <label><span class="label">Pipeline</span>
              <select value={pipelineId} onChange={(e) => setPipelineId(e.currentTarget.value)}>
                {pipelines.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
              </select>
            </label>
          </>
        )}
        <div class="actions">
          <button type="button" onClick={() => run(true)}>Preview</button>
          <button type="submit" class="primary">Convert</button>
          <button type="button" onClick={onDone}>Cancel</button>
        </div>
      </form>
      {error && <p role="alert" class="error">{error}</p>}
      {preview && (
        <div class="preview" role="status">
          <p>Would {preview.conversion.contactCreated ? 'create' : 'link'} contact <strong>{preview.contact.name}</strong>
            {preview.company ? <>, {preview.conversion.companyCreated ? 'create' : 'link'} company <strong>{preview.company.name}</strong></> : ', no company'}
            {preview.deal ? <>, open deal <strong>{preview.deal.title}</strong> ({money(preview.deal.amount, preview.deal.currency)}) in {preview.deal.stage.name}</> : ''}.</p>
        </div>
      )}
    </section>
  );
}
