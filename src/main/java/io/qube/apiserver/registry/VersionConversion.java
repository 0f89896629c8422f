package io.qube.apiserver.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Between a kind's served version and the version its objects are stored in, for a kind served in two versions
 * (autoscaling/v1 and v2 HorizontalPodAutoscalers). Writes to the served version are converted to the stored one
 * and go through the stored version's defaults, validation and admission; reads are converted back.
 */
public interface VersionConversion {

    /** The object, given in the served version, in the stored version (apiVersion included). */
    ObjectNode toStored(ObjectNode served);

    /** The stored object in the served version (apiVersion included). */
    ObjectNode toServed(ObjectNode stored);
}
