// Services with the endpoints their EndpointSlices hold (ready addresses and ports).
import { html } from './preact.js';
import { inNamespace, useCollection } from './watch.js';
import { age } from './format.js';
import { VirtualTable } from './table.js';

const SERVICE_NAME = 'kubernetes.io/service-name';

function endpointsByService(slices) {
  const found = new Map();
  for (const slice of slices) {
    const service = slice.metadata.labels && slice.metadata.labels[SERVICE_NAME];
    if (!service) {
      continue;
    }
    const key = `${slice.metadata.namespace}/${service}`;
    const addresses = found.get(key) || [];
    const ports = (slice.ports || []).map(port => port.port).filter(port => port !== undefined);
    for (const endpoint of slice.endpoints || []) {
      const ready = !endpoint.conditions || endpoint.conditions.ready !== false;
      for (const address of endpoint.addresses || []) {
        addresses.push({ text: ports.length ? ports.map(port => `${address}:${port}`).join(', ') : address, ready });
      }
    }
    found.set(key, addresses);
  }
  return found;
}

export function Services({ namespace }) {
  const services = inNamespace(useCollection('/api/v1/services'), namespace)
    .sort((a, b) => a.metadata.namespace.localeCompare(b.metadata.namespace)
      || a.metadata.name.localeCompare(b.metadata.name));
  const endpoints = endpointsByService(inNamespace(useCollection('/apis/discovery.k8s.io/v1/endpointslices'),
    namespace));
  const columns = [
    { title: 'Namespace', width: '9rem', cell: service => service.metadata.namespace },
    { title: 'Name', width: 'minmax(9rem, 1fr)', cell: service => service.metadata.name },
    { title: 'Type', width: '7rem', cell: service => service.spec.type },
    { title: 'Cluster IP', width: '8rem', cell: service => service.spec.clusterIP },
    { title: 'Ports', width: '9rem', cell: service => (service.spec.ports || [])
        .map(port => `${port.port}${port.nodePort ? `:${port.nodePort}` : ''}/${port.protocol || 'TCP'}`).join(', ') },
    { title: 'Endpoints', width: 'minmax(12rem, 2fr)', cell: service => {
        const found = endpoints.get(`${service.metadata.namespace}/${service.metadata.name}`) || [];
        return found.length === 0 ? html`<span class="muted">none</span>`
          : found.map(endpoint => html`<span class=${endpoint.ready ? 'tag' : 'tag bad'}>${endpoint.text}</span>`);
      } },
    { title: 'Age', width: '4rem', cell: service => age(service.metadata.creationTimestamp) },
  ];
  return html`<${VirtualTable} label="services" columns=${columns} rows=${services}
    rowKey=${service => `${service.metadata.namespace}/${service.metadata.name}`} />`;
}
