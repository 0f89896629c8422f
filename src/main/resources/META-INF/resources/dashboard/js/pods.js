// Pods: a virtualised table (status, restarts, node, age, usage), and for the chosen pod its containers, a log
// that follows (pods/NAME/log?follow=true, streamed) and delete.
import { html, useEffect, useMemo, useRef, useState } from './preact.js';
import { describe, failure, readLines, remove } from './api.js';
import { inNamespace, useCollection } from './watch.js';
import { useMetrics } from './metrics.js';
import { age, bytes, cores, podReady, podStatus, restarts } from './format.js';
import { VirtualTable } from './table.js';

const KEEP_LINES = 5000;

const keyOf = pod => `${pod.metadata.namespace}/${pod.metadata.name}`;

function LogView({ pod }) {
  const containers = [...(pod.spec.initContainers || []), ...(pod.spec.containers || [])].map(c => c.name);
  const [container, setContainer] = useState(pod.spec.containers[0].name);
  const [lines, setLines] = useState([]);
  const [problem, setProblem] = useState(null);
  const end = useRef(null);
  useEffect(() => {
    const controller = new AbortController();
    let received = [];
    let drawing = false;
    setLines([]);
    setProblem(null);
    const path = `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/log`
      + `?follow=true&tailLines=1000&container=${encodeURIComponent(container)}`;
    fetch(path, { signal: controller.signal }).then(async response => {
      if (!response.ok) {
        throw await failure(response);
      }
      await readLines(response, line => {
        received.push(line);
        if (received.length > KEEP_LINES) {
          received = received.slice(-KEEP_LINES);
        }
        if (!drawing) {
          drawing = true;
          setTimeout(() => { drawing = false; setLines(received.slice()); }, 50);
        }
      });
      setProblem('The log ended (the container stopped, or the stream was closed).');
    }).catch(error => {
      if (!controller.signal.aborted) {
        setProblem(describe(error));
      }
    });
    return () => controller.abort();
  }, [keyOf(pod), pod.metadata.uid, container]);
  useEffect(() => { end.current && end.current.scrollIntoView({ block: 'nearest' }); }, [lines]);
  return html`<div class="logs">
    <label>Container <select id="log-container" value=${container}
        onChange=${event => setContainer(event.currentTarget.value)}>
      ${containers.map(name => html`<option value=${name}>${name}</option>`)}</select></label>
    <pre id="log" aria-label="log">${lines.join('\n')}<span ref=${end}></span></pre>
    ${problem ? html`<p class="muted" id="log-problem">${problem}</p>` : null}</div>`;
}

function PodDetail({ pod, close }) {
  const [message, setMessage] = useState(null);
  const deletePod = () => remove(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`)
    .then(() => setMessage(`Deleting ${keyOf(pod)}`), error => setMessage(`Delete failed: ${describe(error)}`));
  const statuses = new Map(((pod.status && pod.status.containerStatuses) || []).map(s => [s.name, s]));
  return html`<aside class="detail" id="pod-detail" data-pod=${keyOf(pod)}>
    <div class="detail-head"><h2>${keyOf(pod)}</h2>
      <button id="delete-pod" class="danger" onClick=${deletePod}>Delete</button>
      <button onClick=${close} aria-label="close">✕</button></div>
    ${message ? html`<p class="notice" role="status">${message}</p>` : null}
    <p>${podStatus(pod)} on ${pod.spec.nodeName || 'no node yet'}; IP ${(pod.status && pod.status.podIP) || '–'}</p>
    <ul class="containers">${pod.spec.containers.map(container => {
      const found = statuses.get(container.name);
      const state = found && found.state ? Object.keys(found.state)[0] : 'unknown';
      return html`<li><b>${container.name}</b> ${container.image} — ${state}${found && found.ready ? ', ready' : ''}</li>`;
    })}</ul>
    <${LogView} pod=${pod} /></aside>`;
}

export function Pods({ namespace }) {
  const watched = useCollection('/api/v1/pods');
  const metrics = useMetrics();
  const [search, setSearch] = useState('');
  const [chosen, setChosen] = useState(null);
  const pods = useMemo(() => inNamespace(watched, namespace)
      .filter(pod => !search || pod.metadata.name.includes(search))
      .sort((a, b) => a.metadata.namespace.localeCompare(b.metadata.namespace)
        || a.metadata.name.localeCompare(b.metadata.name)),
    [watched.version, namespace, search]);
  useEffect(() => {
    // What the benchmark reads: the first rows drawn, and the first complete list drawn.
    if (watched.items.size > 0 && !document.body.dataset.podsFirstRows) {
      document.body.dataset.podsFirstRows = String(pods.length);
      performance.mark('pods-first-rows');
    }
    if (watched.synced && !document.body.dataset.podsShown) {
      document.body.dataset.podsShown = String(pods.length);
      performance.mark('pods-interactive');
    }
  }, [watched.version, watched.synced]);
  const selected = chosen && watched.items.get(chosen);
  const withUsage = metrics.served === true;
  const columns = [
    { title: 'Namespace', width: '8rem', cell: pod => pod.metadata.namespace },
    { title: 'Name', width: 'minmax(12rem, 2fr)', cell: pod => pod.metadata.name },
    { title: 'Ready', width: '4rem', cell: podReady },
    { title: 'Status', width: '9rem', cell: pod => html`<span class=${'status ' + podStatus(pod)}>${podStatus(pod)}</span>` },
    { title: 'Restarts', width: '4.5rem', cell: restarts },
    { title: 'Node', width: 'minmax(7rem, 1fr)', cell: pod => pod.spec.nodeName || '' },
    { title: 'Age', width: '4rem', cell: pod => age(pod.metadata.creationTimestamp) },
    ...(withUsage ? [
      { title: 'CPU', width: '4.5rem', cell: pod => { const u = metrics.pods.get(keyOf(pod)); return u ? cores(u.cpu) : ''; } },
      { title: 'Memory', width: '5rem', cell: pod => { const u = metrics.pods.get(keyOf(pod)); return u ? bytes(u.memory) : ''; } },
    ] : []),
  ];
  return html`
    <div class="toolbar"><input type="search" id="pod-search" placeholder="Filter by name" value=${search}
        onInput=${event => setSearch(event.currentTarget.value)} />
      <span class="muted" id="pod-count">${watched.synced ? `${pods.length} pods` : `${pods.length} pods so far, loading…`}</span></div>
    <div class=${selected ? 'split' : ''}>
      <${VirtualTable} label="pods" columns=${columns} rows=${pods} rowKey=${keyOf} selected=${chosen}
        onSelect=${pod => setChosen(keyOf(pod))} />
      ${selected ? html`<${PodDetail} pod=${selected} close=${() => setChosen(null)} />` : null}
    </div>`;
}
