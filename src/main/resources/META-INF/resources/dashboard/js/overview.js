// The cluster at a glance: nodes (capacity, usage, conditions), workload and pod counts, recent warnings.
import { html } from './preact.js';
import { inNamespace, useCollection } from './watch.js';
import { useMetrics } from './metrics.js';
import { age, bytes, condition, cores, quantity } from './format.js';
import { Meter, Sparkline } from './charts.js';

const WORKLOADS = [
  ['Deployments', '/apis/apps/v1/deployments'],
  ['DaemonSets', '/apis/apps/v1/daemonsets'],
  ['StatefulSets', '/apis/apps/v1/statefulsets'],
  ['Jobs', '/apis/batch/v1/jobs'],
];
const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];

function Count({ title, path, namespace }) {
  const watched = useCollection(path);
  return html`<div class="count" data-kind=${title}><span class="number">
    ${watched.notServed ? '–' : inNamespace(watched, namespace).length}</span>${title}</div>`;
}

function Nodes({ metrics }) {
  const nodes = useCollection('/api/v1/nodes').list().sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  if (nodes.length === 0) {
    return html`<p class="muted" id="no-nodes">No nodes have registered.</p>`;
  }
  return html`<table class="plain" id="nodes"><thead><tr><th>Node</th><th>Ready</th><th>CPU</th><th>Memory</th>
      <th>Pods</th><th>Conditions</th><th>Age</th></tr></thead><tbody>
    ${nodes.map(node => {
      const capacity = (node.status && node.status.allocatable) || (node.status && node.status.capacity) || {};
      const usage = metrics.nodes.get(node.metadata.name);
      const history = metrics.history.get(node.metadata.name) || [];
      const ready = condition(node, 'Ready');
      const troubles = ((node.status && node.status.conditions) || [])
        .filter(found => (found.type === 'Ready') !== (found.status === 'True'));
      return html`<tr data-node=${node.metadata.name}>
        <td>${node.metadata.name}</td>
        <td class=${ready && ready.status === 'True' ? 'good' : 'bad'}>${ready ? ready.status : 'Unknown'}</td>
        <td>${usage ? html`${cores(usage.cpu)} / ` : null}${cores(quantity(capacity.cpu))}
          ${usage ? html`<${Meter} used=${usage.cpu} total=${quantity(capacity.cpu)} label="cpu" />
            <${Sparkline} values=${history.map(sample => sample.cpu)} max=${quantity(capacity.cpu)} label="cpu" />` : null}</td>
        <td>${usage ? html`${bytes(usage.memory)} / ` : null}${bytes(quantity(capacity.memory))}
          ${usage ? html`<${Meter} used=${usage.memory} total=${quantity(capacity.memory)} label="memory" />
            <${Sparkline} values=${history.map(sample => sample.memory)} max=${quantity(capacity.memory)}
              label="memory" />` : null}</td>
        <td>${capacity.pods || ''}</td>
        <td>${troubles.length === 0 ? html`<span class="muted">none</span>`
          : troubles.map(found => html`<span class="tag bad" title=${found.message}>${found.type}</span>`)}</td>
        <td>${age(node.metadata.creationTimestamp)}</td></tr>`;
    })}</tbody></table>`;
}

function ClusterUsage({ metrics }) {
  if (metrics.served === false) {
    return html`<p class="muted" id="metrics-absent">This cluster serves no metrics.k8s.io API: usage is not shown.</p>`;
  }
  const history = metrics.history.get('') || [];
  const latest = history[history.length - 1];
  return html`<div class="usage" id="cluster-usage">
    <div>CPU ${latest ? cores(latest.cpu) : '–'} <${Sparkline} values=${history.map(sample => sample.cpu)}
      label="cluster cpu" /></div>
    <div>Memory ${latest ? bytes(latest.memory) : '–'} <${Sparkline} values=${history.map(sample => sample.memory)}
      label="cluster memory" /></div></div>`;
}

export function Overview({ namespace }) {
  const metrics = useMetrics();
  const pods = inNamespace(useCollection('/api/v1/pods'), namespace);
  const byPhase = new Map(PHASES.map(phase => [phase, 0]));
  for (const pod of pods) {
    const phase = (pod.status && pod.status.phase) || 'Pending';
    byPhase.set(phase, (byPhase.get(phase) || 0) + 1);
  }
  const warnings = inNamespace(useCollection('/api/v1/events'), namespace)
    .filter(event => event.type === 'Warning')
    .sort((a, b) => eventTime(b).localeCompare(eventTime(a)))
    .slice(0, 10);
  return html`
    <section><h2>Nodes</h2><${ClusterUsage} metrics=${metrics} /><${Nodes} metrics=${metrics} /></section>
    <section><h2>Workloads</h2><div class="counts">
      ${WORKLOADS.map(([title, path]) => html`<${Count} title=${title} path=${path} namespace=${namespace} />`)}
    </div></section>
    <section><h2>Pods</h2><div class="counts" id="pod-phases">
      ${[...byPhase].map(([phase, count]) => html`<div class="count" data-phase=${phase}>
        <span class="number">${count}</span>${phase}</div>`)}</div></section>
    <section><h2>Recent warnings</h2>
      ${warnings.length === 0 ? html`<p class="muted">No warnings.</p>` : html`<table class="plain" id="warnings">
        <thead><tr><th>Age</th><th>Object</th><th>Reason</th><th>Message</th></tr></thead><tbody>
        ${warnings.map(event => html`<tr><td>${age(eventTime(event))}</td>
          <td>${event.involvedObject.kind}/${event.involvedObject.name}</td><td>${event.reason}</td>
          <td>${event.message}</td></tr>`)}</tbody></table>`}</section>`;
}

export function eventTime(event) {
  return event.lastTimestamp || event.eventTime || event.firstTimestamp || event.metadata.creationTimestamp || '';
}
