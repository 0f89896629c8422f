/*
 * qube-shim: the parent of one container process of Qube's process runtime (what conmon or containerd-shim are
 * for a container runtime). It outlives the agent, so a restarted agent re-adopts running containers:
 *
 *   qube-shim DIR MAX_LOG_BYTES [CGROUP_PROCS_FILE...] -- COMMAND [ARG...]
 *
 * It joins the given cgroups (so the container starts inside its limits), starts COMMAND as the leader of a new
 * process group with stdin on /dev/null, and writes
 *   DIR/pid   "PID STARTTIME" (STARTTIME: field 22 of /proc/PID/stat, which tells a reused PID apart),
 *   DIR/log   every line of stdout and stderr in the CRI log format ("TIME STREAM F|P LINE"), rotated to
 *             DIR/log.1 when larger than MAX_LOG_BYTES,
 *   DIR/start-error  why COMMAND could not be executed, if it could not,
 *   DIR/exit  "EXIT_CODE SIGNAL FINISHED_AT" once COMMAND has ended (EXIT_CODE 128+SIGNAL when killed, as
 *             Kubernetes reports it); then it kills what is left of the process group, as a container's end does.
 * Files are written to a temporary name and renamed, so a reader never sees half of one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 16384

static const char *dir;
static long max_log_bytes;
static int log_fd = -1;
static long log_bytes;

struct stream {
    const char *name;
    int fd;
    char buffer[LINE_MAX_BYTES];
    size_t used;
};

static void die(const char *what) {
    fprintf(stderr, "qube-shim: %s: %s\n", what, strerror(errno));
    exit(125);
}

static void path_of(char *out, size_t size, const char *name) {
    snprintf(out, size, "%s/%s", dir, name);
}

static void write_file(const char *name, const char *content) {
    char path[4096], temporary[4112];
    path_of(path, sizeof path, name);
    snprintf(temporary, sizeof temporary, "%s.tmp", path);
    int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        die(temporary);
    }
    size_t length = strlen(content);
    if (write(fd, content, length) != (ssize_t) length || fsync(fd) != 0 || close(fd) != 0) {
        die(temporary);
    }
    if (rename(temporary, path) != 0) {
        die(path);
    }
}

static void now_rfc3339(char *out, size_t size) {
    struct timespec now;
    struct tm utc;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &utc);
    size_t used = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &utc);
    snprintf(out + used, size - used, ".%09ldZ", now.tv_nsec);
}

static void open_log(void) {
    char path[4096];
    path_of(path, sizeof path, "log");
    log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (log_fd < 0) {
        die(path);
    }
    struct stat status;
    log_bytes = fstat(log_fd, &status) == 0 ? status.st_size : 0;
}

/* One rotated file is kept, as the kubelet keeps container-log-max-files of them (5 there, 2 here). */
static void rotate_log(void) {
    char path[4096], rotated[4096];
    path_of(path, sizeof path, "log");
    path_of(rotated, sizeof rotated, "log.1");
    close(log_fd);
    rename(path, rotated);
    open_log();
}

static void log_line(const char *stream, const char *tag, const char *text, size_t length) {
    char header[96];
    char time[64];
    now_rfc3339(time, sizeof time);
    int header_length = snprintf(header, sizeof header, "%s %s %s ", time, stream, tag);
    if (max_log_bytes > 0 && log_bytes > 0 && log_bytes + header_length + (long) length + 1 > max_log_bytes) {
        rotate_log();
    }
    struct iovec parts[3] = {{header, (size_t) header_length}, {(void *) text, length}, {"\n", 1}};
    ssize_t written = writev(log_fd, parts, 3);
    if (written > 0) {
        log_bytes += written;
    }
}

/* Logs every complete line in the stream's buffer; a line longer than the buffer is logged in parts (tag P). */
static void drain_lines(struct stream *stream, int at_end) {
    size_t start = 0;
    for (size_t i = 0; i < stream->used; i++) {
        if (stream->buffer[i] == '\n') {
            log_line(stream->name, "F", stream->buffer + start, i - start);
            start = i + 1;
        }
    }
    if (start == 0 && stream->used == sizeof stream->buffer) {
        log_line(stream->name, "P", stream->buffer, stream->used);
        start = stream->used;
    } else if (at_end && start < stream->used) {
        log_line(stream->name, "F", stream->buffer + start, stream->used - start);
        start = stream->used;
    }
    memmove(stream->buffer, stream->buffer + start, stream->used - start);
    stream->used -= start;
}

/* Reads what the stream has; returns 0 once it is closed. */
static int pump(struct stream *stream) {
    ssize_t count = read(stream->fd, stream->buffer + stream->used, sizeof stream->buffer - stream->used);
    if (count > 0) {
        stream->used += (size_t) count;
        drain_lines(stream, 0);
        return 1;
    }
    if (count < 0 && (errno == EINTR || errno == EAGAIN)) {
        return 1;
    }
    drain_lines(stream, 1);
    return 0;
}

static unsigned long long start_time_of(pid_t pid) {
    char path[64], content[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    ssize_t length = read(fd, content, sizeof content - 1);
    close(fd);
    if (length <= 0) {
        return 0;
    }
    content[length] = '\0';
    /* The command name (field 2) may hold spaces and parentheses: count fields after its last ')'. */
    char *cursor = strrchr(content, ')');
    if (cursor == NULL) {
        return 0;
    }
    for (int field = 2; field < 22 && cursor != NULL; field++) {
        cursor = strchr(cursor + 1, ' ');
    }
    return cursor == NULL ? 0 : strtoull(cursor + 1, NULL, 10);
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: qube-shim DIR MAX_LOG_BYTES [CGROUP_PROCS_FILE...] -- COMMAND [ARG...]\n");
        return 125;
    }
    dir = argv[1];
    max_log_bytes = atol(argv[2]);
    int command = 3;
    for (; command < argc && strcmp(argv[command], "--") != 0; command++) {
        int fd = open(argv[command], O_WRONLY | O_CLOEXEC);
        if (fd < 0 || dprintf(fd, "%d\n", getpid()) < 0 || close(fd) != 0) {
            die(argv[command]);
        }
    }
    if (++command >= argc) {
        fprintf(stderr, "qube-shim: no command after --\n");
        return 125;
    }
    /* A session of its own: the agent's end (or its terminal's) sends no signal here. */
    setsid();
    open_log();
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        die("pipe");
    }
    /* Until the child's exit has been written, a failed exec must be told apart from the command's own exit. */
    int exec_status[2];
    if (pipe2(exec_status, O_CLOEXEC) != 0) {
        die("pipe");
    }
    pid_t child = fork();
    if (child < 0) {
        die("fork");
    }
    if (child == 0) {
        setpgid(0, 0);
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        signal(SIGPIPE, SIG_DFL);
        execvp(argv[command], argv + command);
        int failure = errno;
        if (write(exec_status[1], &failure, sizeof failure) < 0) {
            _exit(127);
        }
        _exit(failure == ENOENT ? 127 : 126);
    }
    setpgid(child, child);
    close(out[1]);
    close(err[1]);
    close(exec_status[1]);
    int failure = 0;
    ssize_t failed = read(exec_status[0], &failure, sizeof failure);
    close(exec_status[0]);
    char content[256];
    snprintf(content, sizeof content, "%d %llu\n", child, start_time_of(child));
    write_file("pid", content);
    if (failed == (ssize_t) sizeof failure) {
        char message[512];
        snprintf(message, sizeof message, "exec: \"%s\": %s", argv[command], strerror(failure));
        log_line("stderr", "F", message, strlen(message));
        write_file("start-error", message);
    }

    struct stream streams[2] = {{.name = "stdout", .fd = out[0]}, {.name = "stderr", .fd = err[0]}};
    int open_streams = 2;
    int status = 0;
    int exited = 0;
    while (!exited) {
        struct pollfd fds[2];
        int count = 0;
        for (int i = 0; i < 2; i++) {
            if (streams[i].fd >= 0) {
                fds[count].fd = streams[i].fd;
                fds[count].events = POLLIN;
                count++;
            }
        }
        if (open_streams > 0) {
            poll(fds, (nfds_t) count, 100);
        } else {
            usleep(20000);
        }
        for (int i = 0; i < 2; i++) {
            if (streams[i].fd >= 0) {
                struct pollfd probe = {.fd = streams[i].fd, .events = POLLIN};
                if (poll(&probe, 1, 0) > 0 && !pump(&streams[i])) {
                    close(streams[i].fd);
                    streams[i].fd = -1;
                    open_streams--;
                }
            }
        }
        exited = waitpid(child, &status, WNOHANG) == child;
    }
    /* What the command wrote before it ended; descendants that keep the pipes open are killed below. */
    for (int i = 0; i < 2; i++) {
        if (streams[i].fd >= 0) {
            fcntl(streams[i].fd, F_SETFL, O_NONBLOCK);
            while (pump(&streams[i]) && streams[i].used < sizeof streams[i].buffer) {
                struct pollfd probe = {.fd = streams[i].fd, .events = POLLIN};
                if (poll(&probe, 1, 0) <= 0) {
                    break;
                }
            }
            drain_lines(&streams[i], 1);
        }
    }
    kill(-child, SIGKILL);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    int signal_number = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    char finished[64];
    now_rfc3339(finished, sizeof finished);
    snprintf(content, sizeof content, "%d %d %s\n", code, signal_number, finished);
    write_file("exit", content);
    return 0;
}
