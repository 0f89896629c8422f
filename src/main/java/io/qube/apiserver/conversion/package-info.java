/**
 * Conversions between the versions of a kind served in more than one (see
 * {@link io.qube.apiserver.registry.VersionConversion}): autoscaling/v1 HorizontalPodAutoscalers over the stored
 * autoscaling/v2 ones.
 */
package io.qube.apiserver.conversion;
