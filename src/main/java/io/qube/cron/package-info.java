/** Cron schedules as Kubernetes reads a CronJob's spec.schedule, shared by the API's validation and the CronJob controller. */
package io.qube.cron;
