/**
 * The ResourceQuota controller: each quota's status.hard copied from its spec and status.used counted from the
 * objects of its namespace, recomputed whenever they change. Quota is not enforced at admission.
 */
package io.qube.controller.resourcequota;
