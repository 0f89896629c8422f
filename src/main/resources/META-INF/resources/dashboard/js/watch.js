// Collections kept current the way Kubernetes clients keep them: list, then watch from the list's
// resourceVersion; relist when the server says the version is gone (410). One list and watch per path, shared by
// every view that shows it, stopped when none does. No timers: changes arrive on the watch.
import { ApiError, describe, failure, get, isOutage, markReachable, markUnreachable, readLines, sleep } from './api.js';
import { useEffect, useState } from './preact.js';

const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 16000;
// Bursts of events (a rollout, a relist) are drawn once: views hear of changes at most this often.
const COALESCE_MS = 40;
const PAGE_SIZE = 500;

class Expired extends Error {}

class Collection {
  constructor(path) {
    this.path = path;
    this.items = new Map();
    this.synced = false;
    this.notServed = false;
    this.error = null;
    this.version = 0;
    this.listeners = new Set();
    this.controller = null;
    this.retryMs = FIRST_RETRY_MS;
    this.notifying = false;
  }

  subscribe(listener) {
    this.listeners.add(listener);
    if (this.listeners.size === 1) {
      this.start();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.stop();
      }
    };
  }

  list() {
    return [...this.items.values()];
  }

  changed() {
    this.version++;
    if (!this.notifying) {
      this.notifying = true;
      setTimeout(() => {
        this.notifying = false;
        this.listeners.forEach(listener => listener(this));
      }, COALESCE_MS);
    }
  }

  start() {
    this.running = true;
    // A loop from an earlier subscription may still be unwinding its aborted watch: it sees the new generation.
    this.generation = (this.generation || 0) + 1;
    this.run(this.generation);
  }

  stop() {
    this.running = false;
    if (this.controller) {
      this.controller.abort();
    }
  }

  async run(generation) {
    while (this.running && generation === this.generation) {
      try {
        let version = await this.relist();
        for (;;) {
          version = await this.watch(version);
        }
      } catch (error) {
        if (!this.running || generation !== this.generation) {
          return;
        }
        if (error instanceof Expired) {
          continue;
        }
        if (error instanceof ApiError && error.status === 404) {
          // Not served here (an API group this cluster lacks): say so once, ask again only on a reload.
          this.notServed = true;
          this.synced = true;
          this.changed();
          return;
        }
        const wait = this.retryMs;
        this.retryMs = Math.min(this.retryMs * 2, LAST_RETRY_MS);
        if (isOutage(error)) {
          markUnreachable(describe(error), wait);
        } else {
          this.error = error;
          this.changed();
        }
        await sleep(wait);
      }
    }
  }

  /**
   * Lists in pages of PAGE_SIZE, as kubectl does: the first page is drawn at once (the first time; a relist keeps
   * the old items until it has them all), and the continue token keeps every page at the first one's version.
   */
  async relist() {
    const separator = this.path.includes('?') ? '&' : '?';
    const items = new Map();
    let token = '';
    let version;
    do {
      const page = await get(`${this.path}${separator}limit=${PAGE_SIZE}`
          + (token ? `&continue=${encodeURIComponent(token)}` : ''));
      for (const item of page.items) {
        items.set(keyOf(item), item);
      }
      version = page.metadata.resourceVersion;
      token = page.metadata.continue || '';
      markReachable();
      if (!this.synced || !token) {
        this.items = token ? new Map(items) : items;
        this.synced = !token;
        this.changed();
      }
    } while (token);
    this.error = null;
    this.retryMs = FIRST_RETRY_MS;
    return version;
  }

  /** Follows one watch from version; returns the version to resume from when the server ends it. */
  async watch(version) {
    this.controller = new AbortController();
    const separator = this.path.includes('?') ? '&' : '?';
    const response = await fetch(`${this.path}${separator}watch=1&resourceVersion=${encodeURIComponent(version)}`
        + '&allowWatchBookmarks=true', { headers: { Accept: 'application/json' }, signal: this.controller.signal });
    if (response.status === 410) {
      throw new Expired();
    }
    if (!response.ok) {
      throw await failure(response);
    }
    markReachable();
    const started = Date.now();
    let expired = false;
    await readLines(response, line => {
      if (!line.trim()) {
        return;
      }
      const event = JSON.parse(line);
      if (event.type === 'ERROR') {
        expired = event.object && event.object.code === 410;
        return;
      }
      version = event.object.metadata.resourceVersion;
      if (event.type === 'BOOKMARK') {
        return;
      }
      if (event.type === 'DELETED') {
        this.items.delete(keyOf(event.object));
      } else {
        this.items.set(keyOf(event.object), event.object);
      }
      this.changed();
    });
    if (expired) {
      throw new Expired();
    }
    if (Date.now() - started < 1000) {
      // A watch the server (or something on the way) closes at once: do not spin on it.
      await sleep(this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, LAST_RETRY_MS);
    }
    return version;
  }
}

function keyOf(object) {
  const meta = object.metadata;
  return meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name;
}

const collections = new Map();

export function collection(path) {
  let found = collections.get(path);
  if (!found) {
    found = new Collection(path);
    collections.set(path, found);
  }
  return found;
}

/** The collection at path, the calling component drawn again whenever it changes. */
export function useCollection(path) {
  const watched = collection(path);
  const [, setVersion] = useState(0);
  useEffect(() => watched.subscribe(changed => setVersion(changed.version)), [path]);
  return watched;
}

/** The objects of a collection in one namespace, or in all when namespace is empty. */
export function inNamespace(watched, namespace) {
  const all = watched.list();
  return namespace ? all.filter(item => item.metadata.namespace === namespace) : all;
}
