/** The cluster's Services and EndpointSlices as one watch-fed cache, which the node's service proxy and DNS share. */
package io.qube.agent.service;
