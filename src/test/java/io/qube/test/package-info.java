/** The test harness: the embedded PostgreSQL tests run against, store fixtures, Qube processes and the real kubectl. */
package io.qube.test;
