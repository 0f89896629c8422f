/** The highly available control plane under load: processes killed while clients write and watch. */
package io.qube.ha;
