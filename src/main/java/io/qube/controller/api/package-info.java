/** What the controller manager asks of a controller: the contract every controller package implements. */
package io.qube.controller.api;
