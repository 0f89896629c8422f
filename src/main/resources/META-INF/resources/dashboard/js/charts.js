// Small inline SVG charts: a line of recent samples, and a bar for a share of a whole.
import { html } from './preact.js';

export function Sparkline({ values, max, label, width = 140, height = 32 }) {
  if (!values || values.length === 0) {
    return html`<span class="muted">no samples</span>`;
  }
  const top = max || Math.max(...values, 1e-9);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((value, index) =>
    `${(index * step).toFixed(1)},${(height - (Math.min(value, top) / top) * (height - 2) - 1).toFixed(1)}`).join(' ');
  return html`<svg class="spark" width=${width} height=${height} viewBox=${`0 0 ${width} ${height}`} role="img"
                   aria-label=${label}><polyline points=${points} /></svg>`;
}

export function Meter({ used, total, label }) {
  const share = total > 0 && isFinite(used) ? Math.min(1, used / total) : 0;
  return html`<span class="meter" role="meter" aria-label=${label} aria-valuenow=${Math.round(share * 100)}>
    <span style=${{ width: `${(share * 100).toFixed(1)}%` }}></span></span>`;
}
