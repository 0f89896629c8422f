/*
 * qube-shim: the parent of one container process of Qube's process runtime (what conmon or containerd-shim are
 * for a container runtime). It outlives the agent, so a restarted agent re-adopts running containers:
 *
 *   qube-shim [-i] [-o] [-t] DIR MAX_LOG_BYTES [CGROUP_PROCS_FILE...] -- COMMAND [ARG...]
 *
 * It joins the given cgroups (so the container starts inside its limits), starts COMMAND as the leader of a new
 * process group with stdin on /dev/null (-i: on a pipe the shim holds open; -o: closed when the first attached
 * client leaves, Kubernetes' stdinOnce; -t: stdin, stdout and stderr on a terminal of its own), and writes
 *   DIR/pid   "PID STARTTIME" (STARTTIME: field 22 of /proc/PID/stat, which tells a reused PID apart),
 *   DIR/log   every line of stdout and stderr in the CRI log format ("TIME STREAM F|P LINE"), rotated to
 *             DIR/log.1 when larger than MAX_LOG_BYTES,
 *   DIR/start-error  why COMMAND could not be executed, if it could not,
 *   DIR/exit  "EXIT_CODE SIGNAL FINISHED_AT" once COMMAND has ended (EXIT_CODE 128+SIGNAL when killed, as
 *             Kubernetes reports it); then it kills what is left of the process group, as a container's end does.
 * Files are written to a temporary name and renamed, so a reader never sees half of one.
 *
 * While COMMAND runs, DIR/attach is a unix socket for attach (what conmon's attach socket is): each client gets
 * the output from then on and may write to stdin. Messages both ways are framed as TYPE (1 byte), LENGTH (4 bytes,
 * big-endian), PAYLOAD: the shim sends 1 stdout and 2 stderr; a client sends 0 stdin, 3 the end of its stdin
 * (which ends the command's only with -o: as with Kubernetes, other clients may attach later) and 4 a terminal
 * size (columns then rows, 2 bytes each). The shim closes every client when COMMAND has ended.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 16384
#define MAX_CLIENTS 8
#define CLIENT_BUFFER 65536

static const char *dir;
static long max_log_bytes;
static int log_fd = -1;
static long log_bytes;

struct stream {
    const char *name;
    unsigned char type; /* the attach message type of its output */
    int fd;
    char buffer[LINE_MAX_BYTES];
    size_t used;
};

/* An attached client and what it sent that is not a whole message yet. */
struct client {
    int fd;
    unsigned char buffer[CLIENT_BUFFER];
    size_t used;
};

static struct client clients[MAX_CLIENTS];
static int stdin_fd = -1;
static int stdin_once;
static int terminal_fd = -1;

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
static void send_clients(unsigned char type, const char *data, size_t length);

static int pump(struct stream *stream) {
    ssize_t count = read(stream->fd, stream->buffer + stream->used, sizeof stream->buffer - stream->used);
    if (count > 0) {
        send_clients(stream->type, stream->buffer + stream->used, (size_t) count);
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

/* Output goes to each client as it comes; a client too slow to take it is dropped rather than stall the log. */
static void send_clients(unsigned char type, const char *data, size_t length) {
    unsigned char header[5] = {type, (unsigned char) (length >> 24), (unsigned char) (length >> 16),
                               (unsigned char) (length >> 8), (unsigned char) length};
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i].fd < 0) {
            continue;
        }
        struct iovec parts[2] = {{header, sizeof header}, {(void *) data, length}};
        struct msghdr message = {.msg_iov = parts, .msg_iovlen = 2};
        if (sendmsg(clients[i].fd, &message, MSG_NOSIGNAL) != (ssize_t) (sizeof header + length)) {
            close(clients[i].fd);
            clients[i].fd = -1;
        }
    }
}

static void close_stdin(void) {
    if (stdin_fd >= 0 && stdin_fd != terminal_fd) {
        close(stdin_fd);
    }
    stdin_fd = -1;
}

/* Acts on every whole message the client has sent. */
static void handle_messages(struct client *client) {
    size_t start = 0;
    while (client->used - start >= 5) {
        unsigned char *header = client->buffer + start;
        size_t length = ((size_t) header[1] << 24) | ((size_t) header[2] << 16) | ((size_t) header[3] << 8)
                | header[4];
        if (length > CLIENT_BUFFER - 5) {
            client->used = 0; /* not a client of this protocol: what it sent is dropped */
            return;
        }
        if (client->used - start < 5 + length) {
            break;
        }
        unsigned char *payload = header + 5;
        if (header[0] == 0 && stdin_fd >= 0) {
            size_t written = 0;
            while (written < length) {
                ssize_t count = write(stdin_fd, payload + written, length - written);
                if (count < 0 && errno == EINTR) {
                    continue;
                }
                if (count <= 0) {
                    break; /* the command stopped reading */
                }
                written += (size_t) count;
            }
        } else if (header[0] == 3 && stdin_once) {
            close_stdin();
        } else if (header[0] == 4 && length == 4 && terminal_fd >= 0) {
            struct winsize size = {.ws_col = (unsigned short) ((payload[0] << 8) | payload[1]),
                                   .ws_row = (unsigned short) ((payload[2] << 8) | payload[3])};
            ioctl(terminal_fd, TIOCSWINSZ, &size);
        }
        start += 5 + length;
    }
    memmove(client->buffer, client->buffer + start, client->used - start);
    client->used -= start;
}

/* Reads what the client sent; a client that left is forgotten, and with stdinOnce stdin ends with it. */
static void read_client(struct client *client) {
    ssize_t count = read(client->fd, client->buffer + client->used, sizeof client->buffer - client->used);
    if (count < 0 && (errno == EINTR || errno == EAGAIN)) {
        return;
    }
    if (count <= 0) {
        close(client->fd);
        client->fd = -1;
        client->used = 0;
        if (stdin_once) {
            close_stdin();
        }
        return;
    }
    client->used += (size_t) count;
    handle_messages(client);
}

static void accept_client(int listener) {
    int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        return;
    }
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i].fd < 0) {
            clients[i].fd = fd;
            clients[i].used = 0;
            return;
        }
    }
    close(fd);
}

/* DIR/attach, bound from within DIR: a socket's path is limited to 108 bytes, DIR's may be longer. */
static int listen_attach(int directory) {
    int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (listener < 0 || here < 0 || fchdir(directory) != 0) {
        die("attach socket");
    }
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    strcpy(address.sun_path, "attach");
    unlink("attach");
    int bound = bind(listener, (struct sockaddr *) &address, sizeof address) == 0 && listen(listener, 4) == 0;
    if (fchdir(here) != 0 || !bound) {
        die("attach socket");
    }
    close(here);
    return listener;
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
    int first = 1;
    int with_stdin = 0;
    int with_terminal = 0;
    for (; first < argc && argv[first][0] == '-' && argv[first][1] != '-'; first++) {
        with_stdin |= strcmp(argv[first], "-i") == 0;
        stdin_once |= strcmp(argv[first], "-o") == 0;
        with_terminal |= strcmp(argv[first], "-t") == 0;
    }
    if (argc - first < 4) {
        fprintf(stderr, "usage: qube-shim [-i] [-o] [-t] DIR MAX_LOG_BYTES [CGROUP_PROCS_FILE...] -- COMMAND "
                "[ARG...]\n");
        return 125;
    }
    dir = argv[first];
    max_log_bytes = atol(argv[first + 1]);
    int command = first + 2;
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
    /* A client that left must not end the shim; the child restores the default. */
    signal(SIGPIPE, SIG_IGN);
    open_log();
    for (int i = 0; i < MAX_CLIENTS; i++) {
        clients[i].fd = -1;
    }
    int directory = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (directory < 0) {
        die(dir);
    }
    int listener = listen_attach(directory);
    int out[2], err[2], in[2] = {-1, -1};
    char *terminal_name = NULL;
    if (with_terminal) {
        /* The terminal's master is the command's stdin and its (single) output, which Kubernetes calls stdout. */
        terminal_fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (terminal_fd < 0 || grantpt(terminal_fd) != 0 || unlockpt(terminal_fd) != 0
                || (terminal_name = ptsname(terminal_fd)) == NULL) {
            die("terminal");
        }
        out[0] = terminal_fd;
        out[1] = -1;
        err[0] = err[1] = -1;
        if (with_stdin) {
            stdin_fd = terminal_fd;
        }
    } else if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        die("pipe");
    }
    if (with_stdin && !with_terminal) {
        if (pipe2(in, O_CLOEXEC) != 0) {
            die("pipe");
        }
        stdin_fd = in[1];
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
        if (terminal_name != NULL) {
            /* A session of its own whose controlling terminal is the new one (it leads its process group too). */
            setsid();
            int slave = open(terminal_name, O_RDWR);
            if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) != 0) {
                _exit(126);
            }
            dup2(slave, 0);
            dup2(slave, 1);
            dup2(slave, 2);
        } else {
            setpgid(0, 0);
            int null = open("/dev/null", O_RDONLY);
            dup2(in[0] >= 0 ? in[0] : null, 0);
            dup2(out[1], 1);
            dup2(err[1], 2);
        }
        signal(SIGPIPE, SIG_DFL);
        execvp(argv[command], argv + command);
        int failure = errno;
        if (write(exec_status[1], &failure, sizeof failure) < 0) {
            _exit(127);
        }
        _exit(failure == ENOENT ? 127 : 126);
    }
    if (terminal_name == NULL) {
        setpgid(child, child);
        close(out[1]);
        close(err[1]);
        if (in[0] >= 0) {
            close(in[0]);
        }
    }
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

    struct stream streams[2] = {{.name = "stdout", .type = 1, .fd = out[0]},
                                {.name = "stderr", .type = 2, .fd = err[0]}};
    int open_streams = err[0] >= 0 ? 2 : 1;
    int status = 0;
    int exited = 0;
    while (!exited) {
        struct pollfd fds[2 + 1 + MAX_CLIENTS];
        int count = 0;
        for (int i = 0; i < 2; i++) {
            if (streams[i].fd >= 0) {
                fds[count].fd = streams[i].fd;
                fds[count].events = POLLIN;
                count++;
            }
        }
        fds[count].fd = listener;
        fds[count].events = POLLIN;
        count++;
        for (int i = 0; i < MAX_CLIENTS; i++) {
            if (clients[i].fd >= 0) {
                fds[count].fd = clients[i].fd;
                fds[count].events = POLLIN;
                count++;
            }
        }
        /* With the streams closed, the poll is only the listener's and the clients', and the wait for the exit. */
        poll(fds, (nfds_t) count, open_streams > 0 ? 100 : 20);
        struct pollfd waiting = {.fd = listener, .events = POLLIN};
        if (poll(&waiting, 1, 0) > 0) {
            accept_client(listener);
        }
        for (int i = 0; i < MAX_CLIENTS; i++) {
            if (clients[i].fd >= 0) {
                struct pollfd probe = {.fd = clients[i].fd, .events = POLLIN};
                if (poll(&probe, 1, 0) > 0) {
                    read_client(&clients[i]);
                }
            }
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
    close(listener);
    unlinkat(directory, "attach", 0);
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i].fd >= 0) {
            close(clients[i].fd);
        }
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    int signal_number = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    char finished[64];
    now_rfc3339(finished, sizeof finished);
    snprintf(content, sizeof content, "%d %d %s\n", code, signal_number, finished);
    write_file("exit", content);
    return 0;
}
