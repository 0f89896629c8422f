package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.qube.apiserver.codec.Json;

import java.util.List;
import java.util.function.Function;

/**
 * The order of a merged list, as Kubernetes' strategic merge builds it: the patch's items keep the patch's order; the
 * items only the live list has keep their relative order, and one goes before a patch item only when both were in the
 * live list and it came first there. So an item new to the list lands before the live-only items unless a
 * {@code $setElementOrder} list places it; kubectl apply always sends one, kubectl patch does not.
 */
final class ListOrder {

    private ListOrder() {
    }

    /**
     * @param patchItems the merged items the patch names, in the patch's order
     * @param liveOnlyItems the live items the patch does not name, in the live order
     * @param liveItems the live list before the merge, which decides where live-only items go
     * @param identity what identifies an item: its merge key, or the value itself in a set
     */
    static ArrayNode interleave(List<JsonNode> patchItems, List<JsonNode> liveOnlyItems, List<JsonNode> liveItems,
                                Function<JsonNode, JsonNode> identity) {
        ArrayNode merged = Json.MAPPER.createArrayNode();
        int p = 0;
        int l = 0;
        while (p < patchItems.size() && l < liveOnlyItems.size()) {
            int liveOnlyAt = position(liveItems, identity.apply(liveOnlyItems.get(l)), identity);
            int patchAt = position(liveItems, identity.apply(patchItems.get(p)), identity);
            if (liveOnlyAt >= 0 && patchAt >= 0 && liveOnlyAt < patchAt) {
                merged.add(liveOnlyItems.get(l++));
            } else {
                merged.add(patchItems.get(p++));
            }
        }
        patchItems.subList(p, patchItems.size()).forEach(merged::add);
        liveOnlyItems.subList(l, liveOnlyItems.size()).forEach(merged::add);
        return merged;
    }

    private static int position(List<JsonNode> items, JsonNode id, Function<JsonNode, JsonNode> identity) {
        if (id == null) {
            return -1;
        }
        for (int i = 0; i < items.size(); i++) {
            if (JsonValues.same(id, identity.apply(items.get(i)))) {
                return i;
            }
        }
        return -1;
    }
}
