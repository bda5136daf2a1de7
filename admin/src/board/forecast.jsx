import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { FORECAST } from '../queries.js';
import { money } from '../format.js';

const MONTHS = 12;

function isoDate(d) {
  return d.toISOString().slice(0, 10);
}

/**
 * Weighted open value by expected close month, one chart per currency (amounts in
 * different currencies are never drawn on one axis), with the same numbers as a table.
 * uPlot needs numbers to draw, so the decimal strings become floats for the chart only.
 */
export function Forecast({ api, pipelineId }) {
  const [months, setMonths] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    const now = new Date();
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + MONTHS, 0));
    api.gql(FORECAST, { pipelineId, from: isoDate(from), to: isoDate(to) })
      .then((d) => setMonths(d.forecast.months), (e) => setError(e.message));
  }, [api, pipelineId]);
  if (error) return <p role="alert" class="error">{error}</p>;
  if (!months) return <p aria-busy="true">Loading the forecast…</p>;
  const currencies = [...new Set(months.flatMap((m) => m.open.map((o) => o.currency)))].sort();
  if (!currencies.length) return <section class="forecast"><h2>Forecast</h2><p>No open deals with an expected close date.</p></section>;
  return (
    <section class="forecast" aria-labelledby="forecast-title">
      <h2 id="forecast-title">Forecast: weighted open value by expected close month</h2>
      <div class="forecast-charts">
        {currencies.map((c) => <CurrencyChart key={c} currency={c} months={months} />)}
      </div>
    </section>
  );
}

function CurrencyChart({ currency, months }) {
  const box = useRef(null);
  const rows = months.map((m) => {
    const open = m.open.find((o) => o.currency === currency);
    return { month: m.month, weighted: open ? open.weighted : '0', total: open ? open.total : '0' };
  });
  useEffect(() => {
    const xs = rows.map((_, i) => i);
    const labels = rows.map((r) => r.month.slice(0, 7));
    const dark = matchMedia('(prefers-color-scheme: dark)').matches;
    const ink = dark ? '#ccd' : '#334';
    const plot = new uPlot({
      width: Math.min(560, box.current.clientWidth || 560),
      height: 200,
      legend: { show: false },
      scales: { x: { time: false } },
      axes: [
        { stroke: ink, values: (_, ticks) => ticks.map((t) => labels[t] || '') },
        { stroke: ink, size: 70 },
      ],
      series: [
        {},
        { label: `weighted ${currency}`, fill: '#4c7dd9aa', stroke: '#4c7dd9', paths: uPlot.paths.bars({ size: [0.6] }), points: { show: false } },
      ],
    }, [xs, rows.map((r) => Number(r.weighted))], box.current);
    return () => plot.destroy();
  }, [currency, months]);
  return (
    <figure class="chart">
      <figcaption>{currency}</figcaption>
      <div ref={box} class="chart-box" aria-hidden="true" />
      <table class="visually-hidden">
        <caption>Weighted open value in {currency} by month</caption>
        <thead><tr><th>Month</th><th>Weighted</th><th>Total</th></tr></thead>
        <tbody>{rows.map((r) => <tr key={r.month}><td>{r.month.slice(0, 7)}</td><td>{money(r.weighted, currency)}</td><td>{money(r.total, currency)}</td></tr>)}</tbody>
      </table>
    </figure>
  );
}
