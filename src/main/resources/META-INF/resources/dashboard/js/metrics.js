// Usage from metrics.k8s.io when the cluster serves it. That API has no watch, so samples are taken when the
// cluster's own heartbeat moves (a node's Lease renewed, about every 10 s per node) and at most once per
// SAMPLE_MS: the page keeps no timer of its own. A cluster without the API (404) shows no usage, nothing else.
import { ApiError, get } from './api.js';
import { collection } from './watch.js';
import { quantity } from './format.js';
import { useEffect, useState } from './preact.js';

const NODES = '/apis/metrics.k8s.io/v1beta1/nodes';
const PODS = '/apis/metrics.k8s.io/v1beta1/pods';
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
const SAMPLE_MS = 10000;
const HISTORY = 60;

const state = { served: null, nodes: new Map(), pods: new Map(), history: new Map(), version: 0 };
const listeners = new Set();
let lastSample = 0;
let sampling = false;

async function sample() {
  if (sampling || state.served === false || Date.now() - lastSample < SAMPLE_MS) {
    return;
  }
  sampling = true;
  lastSample = Date.now();
  try {
    const [nodes, pods] = await Promise.all([get(NODES), get(PODS)]);
    state.served = true;
    state.nodes = new Map(nodes.items.map(item => [item.metadata.name, usageOf(item.usage)]));
    state.pods = new Map(pods.items.map(item => [`${item.metadata.namespace}/${item.metadata.name}`,
      (item.containers || []).map(container => usageOf(container.usage))
        .reduce((sum, usage) => ({ cpu: sum.cpu + usage.cpu, memory: sum.memory + usage.memory }),
          { cpu: 0, memory: 0 })]));
    const total = { cpu: 0, memory: 0 };
    for (const [name, usage] of state.nodes) {
      remember(name, usage);
      total.cpu += usage.cpu;
      total.memory += usage.memory;
    }
    remember('', total);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      state.served = false;
    }
  } finally {
    sampling = false;
    state.version++;
    listeners.forEach(listener => listener(state.version));
  }
}

function usageOf(usage) {
  return { cpu: quantity(usage && usage.cpu) || 0, memory: quantity(usage && usage.memory) || 0 };
}

function remember(name, usage) {
  const samples = state.history.get(name) || [];
  samples.push(usage);
  if (samples.length > HISTORY) {
    samples.shift();
  }
  state.history.set(name, samples);
}

/**
 * The latest usage: served (null until asked, false when the cluster has no metrics API), nodes and pods
 * (maps to {cpu cores, memory bytes}) and history (per node name, '' for the cluster: recent samples).
 */
export function useMetrics() {
  const [, setVersion] = useState(0);
  useEffect(() => {
    listeners.add(setVersion);
    const leases = collection(LEASES).subscribe(sample);
    sample();
    return () => {
      listeners.delete(setVersion);
      leases();
    };
  }, []);
  return state;
}
