/** What the API server tells clients about itself: /version, and the legacy and aggregated discovery documents under /api and /apis. */
package io.qube.apiserver.discovery;
