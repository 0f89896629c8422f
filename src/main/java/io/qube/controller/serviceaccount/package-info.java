/** The ServiceAccount controller: a "default" ServiceAccount in every active namespace. */
package io.qube.controller.serviceaccount;
