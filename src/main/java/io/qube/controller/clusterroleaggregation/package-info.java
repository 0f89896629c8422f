/** The ClusterRole aggregation controller: an aggregated ClusterRole holds the rules of the roles it selects. */
package io.qube.controller.clusterroleaggregation;
