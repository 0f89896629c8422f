/** The web dashboard's server side: its pages are static files (META-INF/resources/dashboard) using only the API. */
package io.qube.dashboard;
