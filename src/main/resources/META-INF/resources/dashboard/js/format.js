// How values are written: ages and quantities as kubectl writes them.

export function age(timestamp, now = Date.now()) {
  if (!timestamp) {
    return '';
  }
  const seconds = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (seconds < 120) {
    return `${seconds}s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) {
    return `${minutes}m`;
  }
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours}h` : `${Math.floor(hours / 24)}d`;
}

const SUFFIXES = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6,
};

/** A Kubernetes quantity ("250m", "1Gi", "1e3") as a number of base units; NaN when it is not one. */
export function quantity(text) {
  if (text === undefined || text === null) {
    return NaN;
  }
  const match = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(String(text).trim());
  if (!match || !(match[2] in SUFFIXES)) {
    return NaN;
  }
  return parseFloat(match[1]) * SUFFIXES[match[2]];
}

export function cores(value) {
  if (!isFinite(value)) {
    return '–';
  }
  return value < 1 ? `${Math.round(value * 1000)}m` : `${Number(value.toFixed(2))}`;
}

export function bytes(value) {
  if (!isFinite(value)) {
    return '–';
  }
  const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti'];
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)}${units[unit]}`;
}

/** The STATUS column of kubectl get pods: the reason a container waits or ended, else the phase. */
export function podStatus(pod) {
  if (pod.metadata.deletionTimestamp) {
    return 'Terminating';
  }
  const status = pod.status || {};
  let shown = status.reason || status.phase || 'Pending';
  for (const container of [...(status.initContainerStatuses || []), ...(status.containerStatuses || [])]) {
    const state = container.state || {};
    if (state.waiting && state.waiting.reason) {
      shown = state.waiting.reason;
    } else if (state.terminated && state.terminated.reason && state.terminated.reason !== 'Completed'
        && shown === status.phase) {
      shown = state.terminated.reason;
    }
  }
  return shown;
}

export function podReady(pod) {
  const statuses = (pod.status && pod.status.containerStatuses) || [];
  const total = (pod.spec.containers || []).length;
  return `${statuses.filter(status => status.ready).length}/${total}`;
}

export function restarts(pod) {
  const statuses = (pod.status && pod.status.containerStatuses) || [];
  return statuses.reduce((sum, status) => sum + (status.restartCount || 0), 0);
}

export function condition(object, type) {
  return ((object.status && object.status.conditions) || []).find(found => found.type === type);
}
