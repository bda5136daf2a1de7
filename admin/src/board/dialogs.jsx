import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * Asks before a deal is won or lost. For a LOST stage the reason is required (the API
 * refuses a loss without one); for WON it is a plain confirmation.
 * `ask` = { deal, stage, resolve }; resolve(null) cancels, resolve({ lostReason }) goes on.
 */
export function MoveDialog({ ask }) {
  const ref = useRef(null);
  const [reason, setReason] = useState('');
  useEffect(() => {
    setReason('');
    if (ask && ref.current && !ref.current.open) ref.current.showModal();
  }, [ask]);
  if (!ask) return null;
  const lost = ask.stage.kind === 'LOST';
  const close = (value) => {
    ref.current.close();
    ask.resolve(value);
  };
  return (
    <dialog ref={ref} class="move-dialog" aria-labelledby="move-dialog-title" onCancel={(e) => { e.preventDefault(); close(null); }}>
      <form method="dialog" onSubmit={(e) => {
        e.preventDefault();
        if (lost && !reason.trim()) return;
        close(lost ? { lostReason: reason.trim() } : {});
      }}>
        <h2 id="move-dialog-title">{lost ? 'Mark as lost' : 'Mark as won'}</h2>
        <p>Move “{ask.deal.title}” to <strong>{ask.stage.name}</strong>?</p>
        {lost && (
          <>
            <label for="lost-reason">Why was it lost?</label>
            <textarea id="lost-reason" required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </>
        )}
        <div class="actions">
          <button type="button" onClick={() => close(null)}>Cancel</button>
          <button type="submit" class="primary">{lost ? 'Mark lost' : 'Mark won'}</button>
        </div>
      </form>
    </dialog>
  );
}
