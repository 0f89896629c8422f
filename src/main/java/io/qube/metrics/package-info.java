/** The resource metrics API (metrics.k8s.io): node agents' summaries scraped in memory, served as Node/PodMetrics. */
package io.qube.metrics;
