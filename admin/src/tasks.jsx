import { useCallback, useEffect, useState } from 'preact/hooks';
import { MY_TASKS } from './queries.js';
import { when } from './format.js';
import { TaskCheck } from './deal/work.jsx';

const ME = 'dealgraph.admin.assignee';

/**
 * Open tasks, overdue first. The API knows keys, not people, so "my" is the assignee
 * id typed here (kept in sessionStorage); empty shows everyone's.
 */
export function MyTasks({ api, canWrite }) {
  const [assignee, setAssignee] = useState(() => sessionStorage.getItem(ME) || '');
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const load = useCallback(() => {
    api.gql(MY_TASKS, { assignee: assignee || null }).then(setData, (e) => setError(e.message));
  }, [api, assignee]);
  useEffect(() => { sessionStorage.setItem(ME, assignee); const t = setTimeout(load, 250); return () => clearTimeout(t); }, [load]);
  return (
    <main class="tasks-view">
      <h1>My tasks</h1>
      <label><span class="label">Assignee</span>
        <input value={assignee} placeholder="your user id (empty: everyone)" onInput={(e) => setAssignee(e.currentTarget.value)} />
      </label>
      {error && <p role="alert" class="error">{error}</p>}
      {data && [['Overdue', data.overdue], ['To do', data.todo]].map(([label, group]) => (
        <section key={label}>
          <h2>{label} <span class="count">{group.totalCount}</span></h2>
          <ul class="plain tasks">
            {group.nodes.map((t) => (
              <li key={t.id} class={t.isOverdue ? 'overdue' : ''}>
                <label><TaskCheck api={api} task={t} canWrite={canWrite} onChanged={load} onError={setError} /> {t.title}</label>
                <span class="muted"> {t.dueDate || when(t.dueAt)} · {t.priority.toLowerCase()}
                  {t.deal ? ` · deal ${t.deal.title}` : t.lead ? ` · lead ${t.lead.name}` : t.contact ? ` · ${t.contact.name}` : ''}
                  {t.assignee ? ` · ${t.assignee}` : ''}</span>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </main>
  );
}
