/** What the controller manager asks of a controller, and the queue and informer handlers every controller shares. */
package io.qube.controller.api;
