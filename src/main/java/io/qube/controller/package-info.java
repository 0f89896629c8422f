/** The controller-manager: controllers that drive the cluster toward what its objects ask for, as clients of the API. */
package io.qube.controller;
