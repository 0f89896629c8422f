// A table that draws only the rows in view (10,000 pods stay fast): fixed row height, a spacer as tall as all rows.
import { html, useEffect, useRef, useState } from './preact.js';

const ROW_HEIGHT = 30;
const OVERSCAN = 8;

/**
 * columns: [{ title, width (CSS grid track), cell: row => content }]; rows: the rows in order; rowKey: row => key.
 */
export function VirtualTable({ columns, rows, rowKey, label, onSelect, selected, height = '60vh' }) {
  const body = useRef(null);
  const [view, setView] = useState({ top: 0, height: 600 });
  useEffect(() => {
    const measure = () => body.current && setView({ top: body.current.scrollTop, height: body.current.clientHeight });
    measure();
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  }, []);
  const first = Math.max(0, Math.floor(view.top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN);
  const template = columns.map(column => column.width || '1fr').join(' ');
  const onScroll = event => setView({ top: event.currentTarget.scrollTop, height: event.currentTarget.clientHeight });
  return html`
    <div class="vtable" role="table" aria-label=${label} data-rows=${rows.length}>
      <div class="vrow vhead" role="row" style=${{ gridTemplateColumns: template }}>
        ${columns.map(column => html`<div role="columnheader">${column.title}</div>`)}
      </div>
      <div class="vbody" ref=${body} onScroll=${onScroll} style=${{ height }}>
        ${rows.length === 0 ? html`<div class="empty">Nothing here.</div>` : null}
        <div style=${{ height: `${rows.length * ROW_HEIGHT}px`, position: 'relative' }}>
          ${rows.slice(first, last).map((row, index) => {
            const key = rowKey(row);
            return html`
              <div key=${key} role="row" data-key=${key}
                   class=${'vrow' + (selected === key ? ' selected' : '') + (onSelect ? ' clickable' : '')}
                   style=${{ top: `${(first + index) * ROW_HEIGHT}px`, gridTemplateColumns: template }}
                   onClick=${onSelect ? () => onSelect(row) : null}>
                ${columns.map(column => html`<div role="cell">${column.cell(row)}</div>`)}
              </div>`;
          })}
        </div>
      </div>
    </div>`;
}
