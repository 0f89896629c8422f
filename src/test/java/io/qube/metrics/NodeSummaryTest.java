package io.qube.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import io.qube.apiserver.codec.Json;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class NodeSummaryTest {

    private static JsonNode json(String text) throws Exception {
        return Json.MAPPER.readTree(text.replace('\'', '"'));
    }

    @Test
    void readsTheNodeAndPodsWithRatesAndLeavesOutPodsWithoutOne() throws Exception {
        NodeSummary summary = NodeSummary.parse(json("""
                {'node':{'nodeName':'n1','cpu':{'time':'2026-12-06T11:00:00Z','usageNanoCores':250000000,
                  'usageCoreNanoSeconds':9},'memory':{'time':'2026-12-06T11:00:00Z','workingSetBytes':1048576}},
                 'pods':[
                  {'podRef':{'name':'busy','namespace':'default','uid':'u1'},'containers':[
                    {'name':'a','cpu':{'time':'2026-12-06T11:00:01Z','usageNanoCores':900000000},
                     'memory':{'workingSetBytes':2048}},
                    {'name':'b','cpu':{'time':'2026-12-06T11:00:02Z','usageNanoCores':1000},
                     'memory':{'workingSetBytes':4096}}]},
                  {'podRef':{'name':'new','namespace':'default','uid':'u2'},'containers':[
                    {'name':'a','cpu':{'time':'2026-12-06T11:00:01Z','usageCoreNanoSeconds':5},
                     'memory':{'workingSetBytes':2048}}]}]}
                """));
        assertThat(summary.node().nanoCores()).isEqualTo(250_000_000L);
        assertThat(summary.node().workingSetBytes()).isEqualTo(1_048_576L);
        assertThat(summary.pods()).hasSize(1);
        NodeSummary.PodUsage busy = summary.pods().get(0);
        assertThat(busy.name()).isEqualTo("busy");
        assertThat(busy.time()).isEqualTo(Instant.parse("2026-12-06T11:00:02Z"));
        assertThat(busy.containers()).extracting(NodeSummary.ContainerUsage::name).containsExactly("a", "b");
        assertThat(busy.containers().get(1).usage().workingSetBytes()).isEqualTo(4096);
    }

    @Test
    void aNodeNotYetMeasuredTwiceHasNoFigures() throws Exception {
        NodeSummary summary = NodeSummary.parse(json("{'node':{'nodeName':'n1','cpu':{'time':'2026-12-06T11:00:00Z',"
                + "'usageCoreNanoSeconds':9},'memory':{'workingSetBytes':1}},'pods':[]}"));
        assertThat(summary.node()).isNull();
        assertThat(summary.pods()).isEmpty();
    }
}
