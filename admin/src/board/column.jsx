import { useEffect, useRef, useState } from 'preact/hooks';
import { Card } from './card.jsx';
import { money } from '../format.js';

export function Column({ stage, column, summary, canWrite, pendingIds, onDrop, onOpen, onStep, onMore }) {
  const list = useRef(null);
  const sentinel = useRef(null);
  const [over, setOver] = useState(false);
  // Page in more deals when the end of the column's own scrolling list comes into view
  // (observed within the list, so a short page fills the column and a long one waits).
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !column || !column.hasNext) return undefined;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) onMore(stage.id);
    }, { root: list.current, rootMargin: '0px 0px 200px 0px' });
    observer.observe(el);
    return () => observer.disconnect();
  }, [column && column.cursor, column && column.hasNext]);

  const headingId = `stage-${stage.id}`;
  return (
    <section class={`column kind-${stage.kind.toLowerCase()}${over ? ' over' : ''}`} aria-labelledby={headingId}
      data-stage-id={stage.id}
      onDragOver={(e) => { if (canWrite) { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; setOver(true); } }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const id = e.dataTransfer.getData('text/x-deal-id');
        if (id) onDrop(id, stage);
      }}
    >
      <header class="column-head">
        <h2 id={headingId}>{stage.name}</h2>
        <span class="count" data-testid="stage-count" aria-label="Deals in stage">{summary ? summary.dealCount : '…'}</span>
        <dl class="totals">
          {summary && summary.totals.map((t) => (
            <div key={t.currency}>
              <dt>Total</dt><dd>{money(t.total, t.currency)}</dd>
              <dt>Weighted</dt><dd>{money(t.weighted, t.currency)}</dd>
            </div>
          ))}
        </dl>
        {column && summary && column.total !== summary.dealCount && (
          <p class="matching">{column.total} matching</p>
        )}
      </header>
      <ul class="cards" ref={list} aria-label={`Deals in ${stage.name}`}>
        {column && column.deals.map((deal) => (
          <Card key={deal.id} deal={deal} canWrite={canWrite} onOpen={onOpen} onStep={onStep} pending={pendingIds.has(deal.id)} />
        ))}
        {column && column.hasNext && <li class="sentinel" ref={sentinel} aria-hidden="true" />}
      </ul>
      {column && column.hasNext && (
        <button class="more" onClick={() => onMore(stage.id)}>Load more ({column.total - column.deals.length} left)</button>
      )}
    </section>
  );
}
