package io.qube.controller;

import io.qube.client.LeaderElectionSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Whether this process runs the controllers, which ones, and how they elect a leader ({@code qube.controllers.*}). */
@ConfigMapping(prefix = "qube.controllers")
public interface ControllerSettings {

    @WithDefault("true")
    boolean enabled();

    /** On the Lease kube-system/kube-controller-manager: only the holder's controllers run. */
    LeaderElectionSettings leaderElection();

    /** The garbage collector ({@code qube.controllers.garbage-collector.*}). */
    Switch garbageCollector();

    /** Namespace deletion ({@code qube.controllers.namespace.*}). */
    Switch namespace();

    /** ReplicaSets ({@code qube.controllers.replicaset.*}). */
    Switch replicaset();

    /** Deployments ({@code qube.controllers.deployment.*}). */
    Switch deployment();

    /** DaemonSets ({@code qube.controllers.daemonset.*}). */
    Switch daemonset();

    /** StatefulSets ({@code qube.controllers.statefulset.*}). */
    Switch statefulset();

    /** Node health, condition taints and NoExecute evictions ({@code qube.controllers.node-lifecycle.*}). */
    NodeLifecycle nodeLifecycle();

    /** Terminated and orphaned pods ({@code qube.controllers.pod-gc.*}). */
    PodGc podGc();

    /** Pod CIDRs for nodes, kube-controller-manager's --allocate-node-cidrs ({@code qube.controllers.node-ipam.*}). */
    NodeIpam nodeIpam();

    interface NodeLifecycle extends Switch {
        /** How long a node may go without a heartbeat before it is Unknown (Kubernetes' nodeMonitorGracePeriod). */
        @WithDefault("40s")
        Duration monitorGracePeriod();

        /** How often every node is looked at (nodeMonitorPeriod). */
        @WithDefault("5s")
        Duration monitorPeriod();
    }

    interface PodGc extends Switch {
        /** Terminated pods kept at most (terminated-pod-gc-threshold). */
        @WithDefault("12500")
        int terminatedPodThreshold();

        /** How often the pods are swept (Kubernetes' gcCheckPeriod). */
        @WithDefault("20s")
        Duration period();
    }

    interface NodeIpam extends Switch {
        /** The IPv4 range nodes' pod CIDRs are cut from (Kubernetes' --cluster-cidr; k3s' default). */
        @WithDefault("10.42.0.0/16")
        String clusterCidr();

        /** The prefix length of each node's pod CIDR (--node-cidr-mask-size). */
        @WithDefault("24")
        int nodeCidrMaskSize();
    }

    /** Endpoints of services with a selector ({@code qube.controllers.endpoints.*}). */
    Switch endpoints();

    /** EndpointSlices of services with a selector ({@code qube.controllers.endpointslice.*}). */
    EndpointSlices endpointslice();

    /** The "default" ServiceAccount of every namespace ({@code qube.controllers.serviceaccount.*}). */
    Switch serviceaccount();
    /** Aggregated ClusterRoles' rules ({@code qube.controllers.clusterrole-aggregation.*}). */
    Switch clusterroleAggregation();

    /** Jobs ({@code qube.controllers.job.*}). */
    Switch job();

    /** CronJobs ({@code qube.controllers.cronjob.*}). */
    Switch cronjob();

    /** ResourceQuota usage in status ({@code qube.controllers.resourcequota.*}). */
    Switch resourcequota();

    /** Deletion of finished Jobs after spec.ttlSecondsAfterFinished ({@code qube.controllers.ttl-after-finished.*}). */
    Switch ttlAfterFinished();

    /**
     * Binding of PersistentVolumeClaims to PersistentVolumes, their phases, reclaiming and the expansion of local-path
     * claims ({@code qube.controllers.persistentvolume-binder.*}; the workers serve each of its two queues).
     */
    Switch persistentvolumeBinder();

    /** The kubernetes.io/pvc-protection finalizer of claims pods still use ({@code qube.controllers.pvc-protection.*}). */
    Switch pvcProtection();

    /** The kubernetes.io/pv-protection finalizer of bound volumes ({@code qube.controllers.pv-protection.*}). */
    Switch pvProtection();
    /** PodDisruptionBudgets' status ({@code qube.controllers.disruption.*}). */
    Disruption disruption();

    interface Disruption extends Switch {
        /** How long an evicted pod may take to be deleted before its budget counts it again (Kubernetes: 2m). */
        @WithDefault("2m")
        Duration deletionTimeout();
    }

    /** HorizontalPodAutoscalers ({@code qube.controllers.horizontal-pod-autoscaler.*}). */
    HorizontalPodAutoscaler horizontalPodAutoscaler();

    /** kube-controller-manager's --horizontal-pod-autoscaler-* flags, under the same names and defaults. */
    interface HorizontalPodAutoscaler extends Switch {
        /** How often each autoscaler is looked at (--horizontal-pod-autoscaler-sync-period). */
        @WithDefault("15s")
        Duration syncPeriod();

        /** The change in the usage ratio below which nothing is scaled (--horizontal-pod-autoscaler-tolerance). */
        @WithDefault("0.1")
        double tolerance();

        /** How long after a pod's start its CPU samples may be skipped (...-cpu-initialization-period). */
        @WithDefault("5m")
        Duration cpuInitializationPeriod();

        /** How long after its start a not-ready pod counts as never having been ready (...-initial-readiness-delay). */
        @WithDefault("30s")
        Duration initialReadinessDelay();

        /** The scale-down stabilization window of autoscalers that set none (...-downscale-stabilization). */
        @WithDefault("5m")
        Duration downscaleStabilization();
    }

    /** One controller's switch and how many keys it reconciles at once. */
    interface Switch {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("5")
        int workers();
    }

    /** The EndpointSlice controller's switch and its slice size. */
    interface EndpointSlices extends Switch {
        /** Kubernetes' --max-endpoints-per-slice: the most endpoints one slice holds (1 to 1000). */
        @WithDefault("100")
        int maxEndpointsPerSlice();
    }
}
