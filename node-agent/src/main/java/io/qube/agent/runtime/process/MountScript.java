package io.qube.agent.runtime.process;

import io.qube.agent.runtime.ContainerConfig.Mount;

import java.util.List;

/**
 * The shell script that runs first in a container's own mount and UTS namespaces: it sets the host name, puts each
 * volume at its mount path, changes to the working directory and executes the command (its arguments). A mount
 * path the host lacks is made without touching the host: its nearest existing ancestor is covered, in this
 * namespace only, by an overlay whose upper layer lives in the container's directory. Only a missing top-level
 * entry (e.g. {@code /data}) is created on the host itself, empty, as Docker creates bind mount targets; the
 * script lists it in the {@code hostCreated} file, and the runtime removes it with the last pod that used it.
 */
final class MountScript {

    private MountScript() {
    }

    /**
     * @param startError  the file that says why the command cannot be executed, if it cannot (as the shim's does)
     * @param hostCreated the file that lists the top-level entries made on the host
     */
    static String of(String hostname, List<Mount> mounts, String workingDir, String overlayDirectory,
                     String startError, String hostCreated) {
        StringBuilder script = new StringBuilder("""
                set -e
                overlay=%s
                created=%s
                overlaid=
                target() {
                  [ -e "$1" ] && return 0
                  ancestor=$(dirname "$1")
                  while [ ! -e "$ancestor" ]; do ancestor=$(dirname "$ancestor"); done
                  case "$overlaid" in *"|$ancestor|"*) ;; *)
                    if [ "$ancestor" != / ]; then
                      for covered in $(echo "$overlaid" | tr '|' ' '); do
                        case "$ancestor/" in "$covered"/*) ancestor=; break;; esac
                      done
                      if [ -n "$ancestor" ]; then
                        mkdir -p "$overlay/upper$ancestor" "$overlay/work$ancestor"
                        mount -t overlay overlay -o "lowerdir=$ancestor,upperdir=$overlay/upper$ancestor,workdir=$overlay/work$ancestor" "$ancestor"
                        overlaid="$overlaid|$ancestor|"
                      fi
                    else
                      echo "/$(echo "${1#/}" | cut -d/ -f1)" >> "$created"
                    fi;;
                  esac
                  if [ "$2" = dir ]; then mkdir -p "$1"; else mkdir -p "$(dirname "$1")"; : > "$1"; fi
                }
                """.formatted(quote(overlayDirectory), quote(hostCreated)));
        // The script runs in a UTS namespace of its own too: the pod's name is the container's host name.
        script.append("echo ").append(quote(hostname)).append(" > /proc/sys/kernel/hostname\n");
        for (Mount mount : mounts) {
            String source = quote(mount.hostPath());
            String path = quote(mount.containerPath());
            script.append("target ").append(path).append(" \"$([ -d ").append(source)
                    .append(" ] && echo dir || echo file)\"\n");
            script.append("mount --bind ").append(source).append(' ').append(path).append('\n');
            if (mount.readOnly()) {
                script.append("mount -o remount,bind,ro ").append(path).append('\n');
            }
        }
        script.append("cd ").append(quote(workingDir == null || workingDir.isEmpty() ? "/" : workingDir))
                .append('\n');
        script.append("if ! command -v \"$1\" > /dev/null; then\n")
                .append("  printf 'exec: \"%s\": executable file not found in $PATH' \"$1\" > ")
                .append(quote(startError)).append("\n  exit 127\nfi\n");
        script.append("exec \"$@\"\n");
        return script.toString();
    }

    /** A word for sh: single quotes, with each single quote closed, escaped and reopened. */
    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
