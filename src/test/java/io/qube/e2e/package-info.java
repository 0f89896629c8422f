/** End-to-end suites: the real kubectl and client libraries against a running Qube. */
package io.qube.e2e;
