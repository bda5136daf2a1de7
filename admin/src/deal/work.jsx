import { useState } from 'preact/hooks';
import { idempotencyKey } from '../api.js';
import { CREATE_TASK, LOG_ACTIVITY, UPDATE_TASK } from '../queries.js';
import { when } from '../format.js';

/** A task's "done" checkbox: DONE when ticked, back to TODO when unticked. */
export function TaskCheck({ api, task, canWrite, onChanged, onError }) {
  return (
    <input type="checkbox" aria-label={`Done: ${task.title}`} checked={task.status === 'DONE'} disabled={!canWrite}
      onChange={async (e) => {
        const status = e.currentTarget.checked ? 'DONE' : 'TODO';
        try {
          await api.gql(UPDATE_TASK, { input: { id: task.id, status, expectedVersion: task.version, idempotencyKey: idempotencyKey() } });
        } catch (err) {
          if (onError) onError(err.message);
        }
        onChanged();
      }} />
  );
}

export function Tasks({ api, dealId, tasks, canWrite, onChanged }) {
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const [error, setError] = useState(null);
  return (
    <section>
      <h3>Tasks</h3>
      <ul class="plain tasks">
        {tasks.map((t) => (
          <li key={t.id} class={t.isOverdue ? 'overdue' : ''}>
            <label><TaskCheck api={api} task={t} canWrite={canWrite} onChanged={onChanged} onError={setError} /> {t.title}</label>
            <span class="muted"> {t.dueDate || when(t.dueAt)}{t.isOverdue ? ' · overdue' : ''}</span>
          </li>
        ))}
      </ul>
      {canWrite && (
        <form class="inline" onSubmit={async (e) => {
          e.preventDefault();
          try {
            await api.gql(CREATE_TASK, { input: { dealId, title, dueDate: due || null, idempotencyKey: idempotencyKey() } });
            setTitle(''); setDue(''); setError(null); onChanged();
          } catch (err) { setError(err.message); }
        }}>
          <label><span class="label">New task</span><input value={title} required onInput={(e) => setTitle(e.currentTarget.value)} /></label>
          <label><span class="label">Due</span><input type="date" value={due} onInput={(e) => setDue(e.currentTarget.value)} /></label>
          <button type="submit">Add task</button>
        </form>
      )}
      {error && <p role="alert" class="error">{error}</p>}
    </section>
  );
}

/** "Log a call" / "Add a note" on the deal. */
export function LogForm({ api, dealId, onLogged }) {
  const [type, setType] = useState('CALL');
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [error, setError] = useState(null);
  return (
    <section>
      <h3>Log a call or add a note</h3>
      <form class="log" onSubmit={async (e) => {
        e.preventDefault();
        try {
          await api.gql(LOG_ACTIVITY, { input: { dealId, type, subject: subject || null, body: body || null, idempotencyKey: idempotencyKey() } });
          setSubject(''); setBody(''); setError(null); onLogged();
        } catch (err) { setError(err.message); }
      }}>
        <fieldset class="kind-pick"><legend class="visually-hidden">Kind</legend>
          <label><input type="radio" name="kind" checked={type === 'CALL'} onChange={() => setType('CALL')} /> Call</label>
          <label><input type="radio" name="kind" checked={type === 'NOTE'} onChange={() => setType('NOTE')} /> Note</label>
        </fieldset>
        <label><span class="label">Subject</span><input value={subject} onInput={(e) => setSubject(e.currentTarget.value)} /></label>
        <label><span class="label">Notes</span><textarea value={body} onInput={(e) => setBody(e.currentTarget.value)} /></label>
        <button type="submit">{type === 'CALL' ? 'Log call' : 'Add note'}</button>
        {error && <p role="alert" class="error">{error}</p>}
      </form>
    </section>
  );
}
