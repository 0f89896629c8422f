/**
 * The ResourceQuota controller: each quota's status.hard copied from its spec and status.used counted from the
 * objects of its namespace, recounted when usage may have gone down; admission charges what is added.
 */
package io.qube.controller.resourcequota;
