// The dashboard's shell: navigation, the namespace filter (both kept in the URL's hash), the API banner.
import { html, render, useEffect, useState } from './preact.js';
import { onConnection } from './api.js';
import { useCollection } from './watch.js';
import { Overview } from './overview.js';
import { Workloads } from './workloads.js';
import { Pods } from './pods.js';
import { Services } from './services.js';
import { Events } from './events.js';

const PAGES = [
  { id: 'overview', title: 'Overview', view: Overview },
  { id: 'workloads', title: 'Workloads', view: Workloads },
  { id: 'pods', title: 'Pods', view: Pods },
  { id: 'services', title: 'Services', view: Services },
  { id: 'events', title: 'Events', view: Events },
];

function readRoute() {
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  const params = new URLSearchParams(query || '');
  const page = PAGES.find(candidate => candidate.id === path) || PAGES[0];
  return { page, namespace: params.get('ns') || '' };
}

function href(page, namespace) {
  return `#/${page}${namespace ? `?ns=${encodeURIComponent(namespace)}` : ''}`;
}

function Banner() {
  const [connection, setConnection] = useState({ reachable: true });
  useEffect(() => onConnection(setConnection), []);
  if (connection.reachable) {
    return null;
  }
  const seconds = Math.max(1, Math.round((connection.retryAt - Date.now()) / 1000));
  return html`<div class="banner" role="alert" id="api-unreachable">
    <strong>The Kubernetes API is unreachable.</strong> ${connection.message}.
    Trying again (next attempt within ${seconds} s); what is shown may be out of date.</div>`;
}

function NamespaceFilter({ route }) {
  const namespaces = useCollection('/api/v1/namespaces');
  const names = namespaces.list().map(namespace => namespace.metadata.name).sort();
  const choose = event => { location.hash = href(route.page.id, event.currentTarget.value); };
  return html`<label class="nsfilter">Namespace
    <select id="namespace" value=${route.namespace} onChange=${choose}>
      <option value="">All namespaces</option>
      ${names.map(name => html`<option value=${name}>${name}</option>`)}
      ${route.namespace && !names.includes(route.namespace)
        ? html`<option value=${route.namespace}>${route.namespace}</option>` : null}
    </select></label>`;
}

function App() {
  const [route, setRoute] = useState(readRoute());
  useEffect(() => {
    const changed = () => setRoute(readRoute());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  const View = route.page.view;
  return html`
    <header class="top">
      <span class="brand">Qube</span>
      <nav>${PAGES.map(page => html`<a href=${href(page.id, route.namespace)} id=${`nav-${page.id}`}
          class=${page === route.page ? 'active' : ''}>${page.title}</a>`)}</nav>
      <${NamespaceFilter} route=${route} />
    </header>
    <${Banner} />
    <main id=${`page-${route.page.id}`}><${View} namespace=${route.namespace} /></main>`;
}

const root = document.getElementById('app');
// The placeholder painted before the scripts ran goes: Preact would otherwise keep what it does not recognise.
root.textContent = '';
render(html`<${App} />`, root);
performance.mark('dashboard-shell');
