/** The declarative registry of served kinds: names, scope, subresources and each kind's defaults, validation and table columns. */
package io.qube.apiserver.registry;
