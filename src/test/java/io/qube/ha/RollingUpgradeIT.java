package io.qube.ha;

import org.junit.jupiter.api.Test;

/**
 * Issue 14's upgrade point, as far as one build can show it: the three control planes replaced one at a time
 * (SIGTERM, then a new process on the same port, ready before the next one stops) under the same write and watch
 * load as {@link HighAvailabilityIT}, losing no acknowledged write and no watch event. Old and new are the same
 * version here; what keeps two versions apart safe is the migration rule (docs/upgrades.md, MigrationsOnlyAddTest).
 */
class RollingUpgradeIT {

    @Test
    void replacingEveryControlPlaneInTurnLosesNoWriteNorEvent() throws Exception {
        try (ControlPlanes planes = new ControlPlanes(3)) {
            for (int i = 0; i < planes.count(); i++) {
                planes.start(i);
            }
            HighAvailabilityIT.createNamespaceAndNode(planes.api(0));
            try (ClusterLoad load = new ClusterLoad(HighAvailabilityIT.NAMESPACE, planes.ports())) {
                load.start();
                load.awaitProgress(100);
                for (int i = 0; i < planes.count(); i++) {
                    planes.stop(i);
                    load.awaitProgress(30);
                    planes.start(i);
                    load.awaitProgress(50);
                }
                load.stopAndCheck(planes.port(0));
            }
        }
    }
}
