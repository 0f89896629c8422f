/** The StatefulSet controller: pods with stable names, hostnames and claims, created, updated and removed in order. */
package io.qube.controller.statefulset;
