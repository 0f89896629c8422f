/** Benchmarks run from the command line (see bench/ and docs/PERFORMANCE.md), not by the test suite. */
package io.qube.bench;
