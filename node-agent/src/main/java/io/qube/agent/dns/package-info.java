/** Cluster DNS as CoreDNS' kubernetes plugin answers it, served by every node from the agent's Service cache. */
package io.qube.agent.dns;
