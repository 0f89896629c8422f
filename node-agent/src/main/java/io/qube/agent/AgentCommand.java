package io.qube.agent;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.runtime.Quarkus;
import io.qube.agent.runtime.simulated.SimulatedNodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code qube agent}: joins a cluster as one or more nodes and runs the pods bound to them. */
@Command(name = "agent", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Joins a Qube (or Kubernetes) cluster as a node. With --runtime simulated, as --nodes "
                + "simulated nodes whose pods run without processes.")
public class AgentCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--kubeconfig", required = true, paramLabel = "FILE",
            description = "The kubeconfig to reach the API with (e.g. DIR/kubeconfig of `qube up`).")
    Path kubeconfig;

    @Option(names = "--runtime", defaultValue = "simulated", paramLabel = "RUNTIME",
            description = "simulated (no processes; the process runtime comes with the next steps). Default: ${DEFAULT-VALUE}.")
    String runtime;

    @Option(names = "--nodes", defaultValue = "1", paramLabel = "N", description = "Simulated nodes to run. Default: ${DEFAULT-VALUE}.")
    int nodes;

    @Option(names = "--name-prefix", defaultValue = "sim", paramLabel = "P",
            description = "Simulated nodes are named P-0, P-1, ... Default: ${DEFAULT-VALUE}.")
    String prefix;

    @Option(names = "--cpu", defaultValue = "4", paramLabel = "C", description = "CPU capacity of each simulated node. Default: ${DEFAULT-VALUE}.")
    String cpu;

    @Option(names = "--memory", defaultValue = "16Gi", paramLabel = "M",
            description = "Memory capacity of each simulated node. Default: ${DEFAULT-VALUE}.")
    String memory;

    @Option(names = "--max-pods", defaultValue = "110", paramLabel = "K", description = "Pods per node. Default: ${DEFAULT-VALUE}.")
    int maxPods;

    @Option(names = "--node-labels", paramLabel = "k=v,...", split = ",", description = "Extra labels for every node.")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--lease-interval", defaultValue = "10s", paramLabel = "D", hidden = true,
            description = "How often leases are renewed (seconds, e.g. 10s).")
    String leaseInterval;

    @Override
    public Integer call() throws IOException {
        if (!runtime.equals("simulated")) {
            throw new ParameterException(spec.commandLine(), "--runtime " + runtime + " is not available yet; use "
                    + "--runtime simulated");
        }
        if (nodes < 1) {
            throw new ParameterException(spec.commandLine(), "--nodes must be at least 1");
        }
        Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
             SimulatedNodes running = SimulatedNodes.start(client, SimulatedNodes.profiles(prefix, nodes, cpu, memory,
                     maxPods, labels), Duration.ofSeconds(Long.parseLong(leaseInterval.replace("s", ""))))) {
            System.out.println("qube agent: " + nodes + " simulated node(s) " + prefix + "-0.." + prefix + "-"
                    + (nodes - 1) + " registered; running until stopped");
            Quarkus.waitForExit();
        }
        return 0;
    }
}
