/** The Endpoints controller: each service with a selector gets an Endpoints object listing the pods it selects. */
package io.qube.controller.endpoints;
