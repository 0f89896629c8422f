// Deployments, DaemonSets, StatefulSets and Jobs: readiness, rollout progress, and the scale and restart actions
// kubectl offers (the scale subresource; the restartedAt annotation of `kubectl rollout restart`).
import { html, useState } from './preact.js';
import { describe, mergePatch } from './api.js';
import { inNamespace, useCollection } from './watch.js';
import { age, condition } from './format.js';
import { VirtualTable } from './table.js';

const KINDS = [
  { kind: 'Deployment', path: '/apis/apps/v1/deployments', resource: 'apps/v1', plural: 'deployments',
    scalable: true, restartable: true,
    numbers: o => ({ want: spec(o).replicas ?? 1, ready: status(o).readyReplicas || 0,
      updated: status(o).updatedReplicas || 0, available: status(o).availableReplicas || 0 }) },
  { kind: 'StatefulSet', path: '/apis/apps/v1/statefulsets', resource: 'apps/v1', plural: 'statefulsets',
    scalable: true, restartable: true,
    numbers: o => ({ want: spec(o).replicas ?? 1, ready: status(o).readyReplicas || 0,
      updated: status(o).updatedReplicas || 0, available: status(o).availableReplicas || 0 }) },
  { kind: 'DaemonSet', path: '/apis/apps/v1/daemonsets', resource: 'apps/v1', plural: 'daemonsets',
    scalable: false, restartable: true,
    numbers: o => ({ want: status(o).desiredNumberScheduled || 0, ready: status(o).numberReady || 0,
      updated: status(o).updatedNumberScheduled || 0, available: status(o).numberAvailable || 0 }) },
  { kind: 'Job', path: '/apis/batch/v1/jobs', resource: 'batch/v1', plural: 'jobs', scalable: false,
    restartable: false,
    numbers: o => ({ want: spec(o).completions ?? 1, ready: status(o).succeeded || 0,
      updated: status(o).active || 0, available: status(o).failed || 0 }) },
];

const spec = object => object.spec || {};
const status = object => object.status || {};

function objectPath(kind, object) {
  return `/apis/${kind.resource}/namespaces/${object.metadata.namespace}/${kind.plural}/${object.metadata.name}`;
}

function rollout(kind, object, numbers) {
  if (kind.kind === 'Job') {
    const done = condition(object, 'Complete');
    const failed = condition(object, 'Failed');
    return failed && failed.status === 'True' ? 'Failed' : done && done.status === 'True' ? 'Complete'
      : `${numbers.updated} active`;
  }
  const progressing = condition(object, 'Progressing');
  if (progressing && progressing.reason === 'ProgressDeadlineExceeded') {
    return 'Stalled';
  }
  return numbers.updated >= numbers.want && numbers.ready >= numbers.want ? 'Complete'
    : `Rolling out ${numbers.updated}/${numbers.want}`;
}

function Actions({ row, report }) {
  const { kind, object, numbers } = row;
  const [replicas, setReplicas] = useState(null);
  const shown = replicas ?? numbers.want;
  const act = (what, work) => work().then(() => report(`${what} ${kind.kind.toLowerCase()} `
      + `${object.metadata.namespace}/${object.metadata.name}`), error => report(`${what} failed: ${describe(error)}`, true));
  const scale = () => act(`Scaled to ${shown}:`, () => mergePatch(`${objectPath(kind, object)}/scale`,
    { spec: { replicas: Number(shown) } }).then(() => setReplicas(null)));
  const restart = () => act('Restarted', () => mergePatch(objectPath(kind, object),
    { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } }));
  return html`<span class="actions" onClick=${event => event.stopPropagation()}>
    ${kind.scalable ? html`<input type="number" min="0" class="replicas" aria-label="replicas" value=${shown}
        onInput=${event => setReplicas(event.currentTarget.value)} />
      <button class="scale" onClick=${scale}>Scale</button>` : null}
    ${kind.restartable ? html`<button class="restart" onClick=${restart}>Restart</button>` : null}</span>`;
}

export function Workloads({ namespace }) {
  const [message, setMessage] = useState(null);
  const report = (text, failed) => setMessage({ text, failed });
  const rows = [];
  for (const kind of KINDS) {
    const watched = useCollection(kind.path);
    for (const object of inNamespace(watched, namespace)) {
      rows.push({ kind, object, numbers: kind.numbers(object) });
    }
  }
  rows.sort((a, b) => a.object.metadata.namespace.localeCompare(b.object.metadata.namespace)
    || a.object.metadata.name.localeCompare(b.object.metadata.name) || a.kind.kind.localeCompare(b.kind.kind));
  const columns = [
    { title: 'Kind', width: '7rem', cell: row => row.kind.kind },
    { title: 'Namespace', width: '9rem', cell: row => row.object.metadata.namespace },
    { title: 'Name', width: 'minmax(10rem, 2fr)', cell: row => row.object.metadata.name },
    { title: 'Ready', width: '5rem', cell: row => html`<span class="ready">${row.numbers.ready}/${row.numbers.want}</span>` },
    { title: 'Progress', width: 'minmax(9rem, 1fr)', cell: row => html`<span class="progress">
        <progress max=${Math.max(row.numbers.want, 1)} value=${Math.min(row.numbers.updated, row.numbers.want)}></progress>
        ${rollout(row.kind, row.object, row.numbers)}</span>` },
    { title: 'Age', width: '4rem', cell: row => age(row.object.metadata.creationTimestamp) },
    { title: 'Actions', width: '15rem', cell: row => html`<${Actions} row=${row} report=${report} />` },
  ];
  return html`
    ${message ? html`<p class=${message.failed ? 'notice bad' : 'notice'} role="status">${message.text}</p>` : null}
    <${VirtualTable} label="workloads" columns=${columns} rows=${rows}
      rowKey=${row => `${row.kind.kind}/${row.object.metadata.namespace}/${row.object.metadata.name}`} />`;
}
