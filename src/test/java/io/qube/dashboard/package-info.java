/** The web dashboard at /dashboard/ tested in a real headless Chromium against a real control plane. */
package io.qube.dashboard;
