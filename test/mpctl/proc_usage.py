#!/usr/bin/python3
"""proc_usage.py PIDS_JSON SECONDS - CPU and private memory of running processes.

PIDS_JSON maps names to pids.  Reads utime+stime of each from /proc/PID/stat,
waits SECONDS, reads them again, and prints one JSON object: for each name
{"cpu_pct": CPU time over the wall time, in % of one core, "private_bytes": the
Private_* lines of /proc/PID/smaps_rollup at the end (pages only this process
maps: shared rings and libraries are left out)}.  A process gone by the end
is reported with "gone": true."""
import json
import os
import sys
import time

TCK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TCK


def private_bytes(pid):
    n = 0
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith("Private_"):
                n += int(line.split()[1]) * 1024
    return n


pids = json.load(open(sys.argv[1]))
t0, c0 = time.monotonic(), {}
for name, pid in pids.items():
    try:
        c0[name] = cpu_s(pid)
    except OSError:
        pass
time.sleep(float(sys.argv[2]))
wall = time.monotonic() - t0
out = {}
for name, pid in pids.items():
    try:
        out[name] = {"cpu_pct": round(100.0 * (cpu_s(pid) - c0[name]) / wall, 2), "private_bytes": private_bytes(pid)}
    except (OSError, KeyError):
        out[name] = {"gone": True}
print(json.dumps(out))
