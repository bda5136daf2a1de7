import { duration, when } from '../format.js';

/** Stage history, newest first, with how long the deal stayed in each stage. */
export function History({ changes }) {
  return (
    <section>
      <h3>Stage history</h3>
      <ol class="plain history">
        {changes.map((c, i) => {
          const left = i === 0 ? Date.now() : Date.parse(changes[i - 1].changedAt);
          return (
            <li key={c.id}>
              <strong>{c.toStageName}</strong>{c.fromStageName ? ` from ${c.fromStageName}` : ' (created)'} · {when(c.changedAt)}
              <span class="muted"> · {duration(left - Date.parse(c.changedAt))}{i === 0 ? ' so far' : ''}</span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

export function Timeline({ items }) {
  return (
    <section>
      <h3>Timeline</h3>
      {items.length === 0 ? <p class="muted">Nothing yet.</p> : (
        <ol class="plain timeline">
          {items.map((it) => (
            <li key={it.id}>
              {it.__typename === 'Activity'
                ? <><span class="kind">{it.type.toLowerCase().replace('_', ' ')}</span> {it.subject || ''} <span class="muted">{when(it.occurredAt)}</span>{it.body && <p>{it.body}</p>}</>
                : <><span class="kind">moved</span> {it.fromStageName || '—'} → {it.toStageName} <span class="muted">{when(it.changedAt)}</span></>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
