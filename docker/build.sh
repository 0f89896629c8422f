#!/usr/bin/env bash
# docker/build.sh [--push REGISTRY] [--tag TAG] [--base-only]
#   Builds Qube's images without a Docker engine, with buildah (run as root: debootstrap and buildah's chroot
#   isolation need it):
#   - qube/jre-base:bookworm from a Debian rootfs made by debootstrap (kept in target/images, built once);
#   - qube/control-plane:TAG from docker/control-plane/Containerfile on target/quarkus-app;
#   - qube/node-agent:TAG from docker/node-agent/Containerfile on node-agent/target/quarkus-app.
#   Both applications must be packaged first (./mvnw -DskipTests package, and in node-agent/).
#   --push REGISTRY copies both images there with skopeo (plain HTTP allowed, e.g. 127.0.0.1:5000).
#   Environment: QUBE_IMAGE_DIR (default target/images: buildah's storage and the base rootfs),
#   DEBIAN_MIRROR (default: the first Debian URI apt uses here, else http://deb.debian.org/debian).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${QUBE_IMAGE_DIR:-$root/target/images}"
suite=bookworm
tag=
registry=
base_only=
while [ $# -gt 0 ]; do
    case "$1" in
        --push) registry="$2"; shift 2 ;;
        --tag) tag="$2"; shift 2 ;;
        --base-only) base_only=1; shift ;;
        *) echo "usage: docker/build.sh [--push REGISTRY] [--tag TAG] [--base-only]" >&2; exit 2 ;;
    esac
done
# The project's version, read from the pom without starting Maven: the images' version label, and their tag
# unless --tag names another.
version="$(sed -n '0,/<version>/s|.*<version>\(.*\)</version>.*|\1|p' "$root/pom.xml")"
tag="${tag:-$version}"
debian_mirror() {
    if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
    local uri
    uri="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's|^URIs: *\(.*/debian\)/*$|\1|p' | head -1)"
    [ -n "$uri" ] || uri="$(sed -n 's|^deb \(http[^ ]*/debian\)/* .*|\1|p' /etc/apt/sources.list 2>/dev/null | head -1)"
    echo "${uri:-http://deb.debian.org/debian}"
}
mkdir -p "$out"
# A storage of its own: builds never touch (or wait for) the machine's other containers; vfs works on any file
# system, including the overlay a CI container runs on.
buildah=(buildah --root "$out/storage" --runroot "$out/run" --storage-driver vfs)
# No --layers: with vfs every cached step is a full copy of the file system; one commit per image is faster.
bud=("${buildah[@]}" bud --isolation chroot --format docker)
base="localhost/qube/jre-base:$suite"

if ! "${buildah[@]}" inspect --type image "$base" >/dev/null 2>&1; then
    if [ ! -f "$out/jre-base-rootfs.tar" ]; then
        rm -rf "$out/rootfs"
        # The JRE and what the images' health checks (curl) and the node agent (ip, iptables, nsenter from
        # util-linux, already in minbase) run.
        debootstrap --variant=minbase \
            --include=openjdk-17-jre-headless,ca-certificates,curl,iproute2,iptables \
            "$suite" "$out/rootfs" "$(debian_mirror)" >"$out/debootstrap.log" 2>&1 \
            || { tail -20 "$out/debootstrap.log" >&2; exit 1; }
        rm -rf "$out/rootfs"/var/cache/apt/archives/*.deb "$out/rootfs"/var/lib/apt/lists/* \
            "$out/rootfs"/var/log/* "$out/rootfs"/tmp/* "$out/rootfs"/usr/share/doc/* "$out/rootfs"/usr/share/man/* \
            "$out/rootfs"/usr/share/info/* "$out/rootfs"/usr/share/locale/*
        # Sorted names and one date: the same packages give the same layer.
        tar --numeric-owner --sort=name --mtime=@0 -C "$out/rootfs" -cf "$out/jre-base-rootfs.tar.tmp" .
        mv "$out/jre-base-rootfs.tar.tmp" "$out/jre-base-rootfs.tar"
        rm -rf "$out/rootfs"
    fi
    "${bud[@]}" -f "$root/docker/base/Containerfile" -t "$base" "$out"
fi
[ -z "$base_only" ] || exit 0

labels=(--build-arg "BASE=$base" --build-arg "VERSION=$version"
    --build-arg "REVISION=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)"
    --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)")
for app in control-plane node-agent; do
    case "$app" in
        control-plane) context="$root/target/quarkus-app" ;;
        node-agent) context="$root/node-agent/target/quarkus-app" ;;
    esac
    [ -f "$context/quarkus-run.jar" ] \
        || { echo "build.sh: $context/quarkus-run.jar missing: package the application first" >&2; exit 1; }
    "${bud[@]}" "${labels[@]}" -f "$root/docker/$app/Containerfile" -t "localhost/qube/$app:$tag" "$context"
    if [ -n "$registry" ]; then
        skopeo copy --quiet --insecure-policy \
            "containers-storage:[vfs@$out/storage+$out/run]localhost/qube/$app:$tag" \
            "docker://$registry/qube/$app:$tag" --dest-tls-verify=false
    fi
done
# Images an earlier build left untagged: with vfs each is a full copy of its file system.
"${buildah[@]}" rmi --prune >/dev/null 2>&1 || true
