/** The simulated runtime: pods bound to simulated nodes run without processes, KWOK-style, for scale tests. */
package io.qube.agent.runtime.simulated;
