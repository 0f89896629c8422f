/** Qube's node agent: the command line, and how its parts are started against the API. */
package io.qube.agent;
