// Display helpers. Money stays a decimal string from the API: it is only formatted
// (grouping digits), never turned into a float, and never summed across currencies.

export function money(amount, currency) {
  const [whole, fraction] = String(amount).split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = whole.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${digits}${fraction ? '.' + fraction : ''} ${currency}`;
}

export function days(seconds) {
  const d = Math.floor(seconds / 86400);
  return d === 1 ? '1 day' : `${d} days`;
}

export function duration(ms) {
  const h = ms / 3600000;
  if (h < 1) return `${Math.max(1, Math.round(ms / 60000))} min`;
  if (h < 48) return `${Math.round(h)} h`;
  return `${Math.round(h / 24)} days`;
}

export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function percent(rate) {
  if (rate == null) return '—';
  // rate is a decimal string 0..1 with at most 4 decimals: shift the point by text.
  const [w, f = ''] = String(rate).split('.');
  const padded = (f + '0000').slice(0, 4);
  const whole = String(Number(w) * 100 + Number(padded.slice(0, 2)));
  const tail = padded.slice(2).replace(/0+$/, '');
  return `${whole}${tail ? '.' + tail : ''} %`;
}
