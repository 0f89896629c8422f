/** The scheduling plugins, one class each, with their names and the registry that builds a profile from them. */
package io.qube.scheduler.plugins;
