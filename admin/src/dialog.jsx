import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * A modal `<dialog>` that asks the user to confirm an action, with a reason when the API
 * needs one (a lost deal, a disqualified lead). Esc or Cancel closes it; the browser
 * keeps the focus inside while it is open and gives it back to the button that opened it.
 *
 * `ask` = { title, text, reasonLabel?, confirm, resolve }: resolve(null) cancels,
 * resolve({ reason }) goes on (reason is '' when none is asked for).
 */
export function ConfirmDialog({ ask }) {
  const ref = useRef(null);
  const [reason, setReason] = useState('');
  useEffect(() => {
    setReason('');
    if (ask && ref.current && !ref.current.open) ref.current.showModal();
  }, [ask]);
  if (!ask) return null;
  const close = (value) => {
    ref.current.close();
    ask.resolve(value);
  };
  return (
    <dialog ref={ref} class="confirm-dialog" aria-labelledby="confirm-dialog-title" onCancel={(e) => { e.preventDefault(); close(null); }}>
      <form method="dialog" onSubmit={(e) => {
        e.preventDefault();
        if (ask.reasonLabel && !reason.trim()) return;
        close({ reason: reason.trim() });
      }}>
        <h2 id="confirm-dialog-title">{ask.title}</h2>
        <p>{ask.text}</p>
        {ask.reasonLabel && (
          <>
            <label for="confirm-reason">{ask.reasonLabel}</label>
            <textarea id="confirm-reason" required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </>
        )}
        <div class="actions">
          <button type="button" onClick={() => close(null)}>Cancel</button>
          <button type="submit" class="primary">{ask.confirm}</button>
        </div>
      </form>
    </dialog>
  );
}

/** Shows `ConfirmDialog` through `setAsk` and waits for the answer (null: cancelled). */
export function askUser(setAsk, question) {
  return new Promise((resolve) => setAsk({ ...question, resolve })).finally(() => setAsk(null));
}
