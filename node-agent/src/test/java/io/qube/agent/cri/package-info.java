/**
 * The cri runtime's test harness: busybox and pause images built offline with umoci ({@link
 * io.qube.agent.cri.TestImages}), served by Debian's docker-registry on loopback ({@link
 * io.qube.agent.cri.LocalRegistry}, one shared by {@link io.qube.agent.cri.RegistryImagesExtension}) and a private
 * containerd for tests that need one ({@link io.qube.agent.cri.TestContainerd}).
 */
package io.qube.agent.cri;
