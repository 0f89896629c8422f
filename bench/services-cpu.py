#!/usr/bin/env python3
"""CPU per request of each path of bench/agent.sh --services, from the perf files it writes when run with
BENCH_JAVA_OPTS=-Dbench.services.perf=DIR (perf record -a at 499 Hz around each wrk run).

Usage: bench/services-cpu.py DIR BENCHMARK-OUTPUT [SECONDS-PER-RUN, default 5]

For each path and round: the samples of the processes that carry the requests (wrk, httpd, haproxy, ksoftirqd;
softirq work runs mostly in the context of the process that sent the packet), split by kernel function into
netfilter's parts, routing and the rest, converted to CPU microseconds and divided by the requests of that run
(req/s from the benchmark's round lines x seconds). Prints the mean over the rounds. The machine is shared, so
CPU per request is what each path costs, where req/s is also how much of the CPU the path's processes got.
"""
import collections
import re
import subprocess
import sys

HZ = 499
CATEGORIES = [
    ("conntrack", r"nf_conntrack|nf_ct_|__nf_ct|nf_confirm|hash_conntrack"),
    ("nat", r"nf_nat|masquerade|l4proto_manip|nf_xfrm_me_harder"),
    ("rules", r"nft_|ipt_|xt_|compat|statistic|addrtype|mark_mt|conntrack_mt"),
    ("hooks", r"nf_hook|br_nf_|ip_sabotage"),
    ("routing", r"fib_|ip_route_|ip_forward|ip_rcv|ip_finish|ip_output|neigh_|ip_sublist|ip_list_rcv"),
    ("bridge/veth", r"br_|veth_|__dev_queue_xmit|netif_|process_backlog|dev_hard_start"),
]
PROCESSES = re.compile(r"^(httpd|wrk|haproxy|ksoftirqd/\d+)$")
LINE = re.compile(r"\s*[\d.]+%\s+(\d+)\s+(.+?)\s+\[(.)\]\s+(\S+)")


def requests(output, seconds):
    runs = {}
    for round_line in re.finditer(r"round (\d+) \(order \w+, load [\d.?]+\): req/s ([^;]+)", output):
        for path, rate in re.findall(r"([A-Z]) (\d+)", round_line.group(2)):
            runs[(int(round_line.group(1)), path)] = float(rate) * seconds
    return runs


def samples(data):
    report = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "comm,sym", "-n", "-q",
                             "--stdio"], capture_output=True, text=True, check=True).stdout
    counts = collections.Counter()
    for line in report.splitlines():
        match = LINE.match(line)
        if not match or not PROCESSES.match(match.group(2)):
            continue
        count, kernel, symbol = int(match.group(1)), match.group(3) == "k", match.group(4)
        counts["all"] += count
        for name, pattern in CATEGORIES:
            if kernel and re.search(pattern, symbol):
                counts[name] += count
                break
    return counts


def main():
    directory, output = sys.argv[1], open(sys.argv[2]).read()
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 5
    sums, rounds = collections.defaultdict(collections.Counter), collections.Counter()
    for (number, path), count in sorted(requests(output, seconds).items()):
        for name, value in samples(f"{directory}/round-{number}-{path}.data").items():
            sums[path][name] += value / HZ * 1e6 / count
        rounds[path] += 1
    names = ["all"] + [name for name, _ in CATEGORIES]
    print("CPU microseconds per request, mean of %d rounds (wrk, httpd, haproxy, ksoftirqd)" % max(rounds.values()))
    print("%-5s" % "path" + "".join("%12s" % name for name in names))
    for path in sorted(rounds):
        print("%-5s" % path + "".join("%12.1f" % (sums[path][name] / rounds[path]) for name in names))


if __name__ == "__main__":
    main()
