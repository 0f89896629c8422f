// Events as a live feed, newest first.
import { html } from './preact.js';
import { inNamespace, useCollection } from './watch.js';
import { age } from './format.js';
import { eventTime } from './overview.js';
import { VirtualTable } from './table.js';

export function Events({ namespace }) {
  const events = inNamespace(useCollection('/api/v1/events'), namespace)
    .map(event => ({ event, time: eventTime(event) }))
    .sort((a, b) => b.time.localeCompare(a.time));
  const columns = [
    { title: 'Age', width: '4rem', cell: row => age(row.time) },
    { title: 'Type', width: '5rem', cell: row => html`<span class=${row.event.type === 'Warning' ? 'bad' : ''}>
        ${row.event.type}</span>` },
    { title: 'Namespace', width: '8rem', cell: row => row.event.metadata.namespace },
    { title: 'Object', width: 'minmax(10rem, 1fr)', cell: row => `${row.event.involvedObject.kind}/`
        + `${row.event.involvedObject.name}` },
    { title: 'Reason', width: '9rem', cell: row => row.event.reason },
    { title: 'Message', width: 'minmax(14rem, 3fr)', cell: row => row.event.message },
    { title: 'Count', width: '3.5rem', cell: row => row.event.count || 1 },
  ];
  return html`<${VirtualTable} label="events" columns=${columns} rows=${events}
    rowKey=${row => `${row.event.metadata.namespace}/${row.event.metadata.name}`} />`;
}
