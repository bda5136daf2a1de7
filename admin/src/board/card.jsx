import { money, days } from '../format.js';

/**
 * A deal on the board. Mouse: drag it to another column, click to open it.
 * Keyboard: Tab to it, Enter opens it, Shift+←/→ moves it to the previous/next stage.
 */
export function Card({ deal, canWrite, onOpen, onStep, pending }) {
  const onKeyDown = (e) => {
    if (!canWrite || !e.shiftKey) return;
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      onStep(deal, e.key === 'ArrowRight' ? 1 : -1);
    }
  };
  return (
    <li
      class={`card${deal.isRotting ? ' rotting' : ''}${pending ? ' pending' : ''}`}
      draggable={canWrite}
      data-deal-id={deal.id}
      onDragStart={(e) => {
        e.dataTransfer.setData('text/x-deal-id', deal.id);
        e.dataTransfer.effectAllowed = 'move';
      }}
    >
      <button class="card-open" onClick={() => onOpen(deal.id)} onKeyDown={onKeyDown}
        aria-describedby={canWrite ? 'move-hint' : undefined}>
        <span class="card-title">{deal.title}</span>
        <span class="card-amount">{money(deal.amount, deal.currency)}</span>
        {deal.company && <span class="card-company">{deal.company.name}</span>}
        <span class="card-meta">
          {deal.ownerId && <span class="owner" title="Owner">{deal.ownerId}</span>}
          <span class="age">{days(deal.timeInStage)} in stage</span>
          {deal.isRotting && <span class="rot" title="Idle longer than the stage allows">rotting</span>}
        </span>
        {deal.tags.length > 0 && (
          <span class="tags">
            {deal.tags.map((t) => <span class="tag" key={t.id}>{t.name}</span>)}
          </span>
        )}
      </button>
    </li>
  );
}
