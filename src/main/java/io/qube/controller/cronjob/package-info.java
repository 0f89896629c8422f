/** Kubernetes' CronJob controller: Jobs created from a template on a cron schedule. */
package io.qube.controller.cronjob;
