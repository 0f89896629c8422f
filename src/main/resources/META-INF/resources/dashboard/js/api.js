// Every request the dashboard makes: the Kubernetes API of the origin that served the page, nothing else.

/** A non-2xx answer; message is the Status's message when the API sent one. */
export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

const connectionListeners = new Set();
let connection = { reachable: true, message: '', retryAt: 0 };

/** Calls listener with the API's reachability now and on every change; returns the unsubscribe function. */
export function onConnection(listener) {
  connectionListeners.add(listener);
  listener(connection);
  return () => connectionListeners.delete(listener);
}

function setConnection(next) {
  connection = next;
  connectionListeners.forEach(listener => listener(connection));
}

export function markReachable() {
  if (!connection.reachable) {
    setConnection({ reachable: true, message: '', retryAt: 0 });
  }
}

export function markUnreachable(message, retryInMs) {
  setConnection({ reachable: false, message, retryAt: Date.now() + retryInMs });
}

/** Whether a failure says the API itself (or the way to it) is down, rather than something about one request. */
export function isOutage(error) {
  return error instanceof TypeError || (error instanceof ApiError && [502, 503, 504].includes(error.status));
}

export function describe(error) {
  if (error instanceof ApiError) {
    return `${error.status}: ${error.message}`;
  }
  return error && error.message ? error.message : String(error);
}

export async function request(method, path, body, contentType) {
  const init = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = contentType || 'application/json';
  }
  const response = await fetch(path, init);
  if (!response.ok) {
    throw await failure(response);
  }
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/** The ApiError of a failed response, with the Status's message if the body is one. */
export async function failure(response) {
  let status = null;
  try {
    status = JSON.parse(await response.text());
  } catch (notJson) {
    // a proxy's page, or nothing: the HTTP status says it all
  }
  const message = status && status.message ? status.message : `${response.status} ${response.statusText}`.trim();
  return new ApiError(response.status, message, status);
}

export const get = path => request('GET', path);
export const remove = path => request('DELETE', path);
export const mergePatch = (path, body) => request('PATCH', path, body, 'application/merge-patch+json');

/** Calls onLine for each line of a streamed body (watch events, a followed log) until it ends or is aborted. */
export async function readLines(response, onLine) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      break;
    }
    buffered += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      onLine(line);
    }
  }
  buffered += decoder.decode();
  if (buffered) {
    onLine(buffered);
  }
}

export const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
