/** Qube's node agent: the command line, how its parts are started against the API, and what they share. */
package io.qube.agent;
