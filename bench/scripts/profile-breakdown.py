#!/usr/bin/env python3
# Usage: python3 bench/scripts/profile-breakdown.py capture.jfr   (a JFR recording of a Replog service, e.g. from
#   replog bench --child-java-option=-XX:StartFlightRecording=settings=profile,method-profiling=max,dumponexit=true,filename=/tmp/jfr-%p.jfr)
"""Shares of JFR execution samples: a few whole-stack categories first (anywhere in the stack), then
the topmost frame that belongs to a known package decides (JDK frames count for their caller)."""
import subprocess, sys, re, collections
jfr = sys.argv[1]
out = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "200", jfr],
                     capture_output=True, text=True).stdout
WHOLE = [
    ("Debezium JMX summary (CommonEventMeter.onEvent)", r"CommonEventMeter\.onEvent"),
    ("Kafka producer (send, batching, compression, network)", r"org\.apache\.kafka\.clients\.producer|org\.apache\.kafka\.common\.record"),
    ("Kafka consumer (fetch, decompression, records)", r"org\.apache\.kafka\.clients\.consumer"),
    ("pgjdbc (JDBC to the follower / leader)", r"org\.postgresql\."),
]
TOP = [
    ("Replog log encoding", r"dev\.replog\.capture\.(CompactLogEncoding|JsonLogEncoding|EnvelopeEncoder|PayloadWriter)|dev\.replog\.schemas\.compact\.(CompactRecord|ConnectValues|BinaryOut)"),
    ("Replog log decoding", r"dev\.replog\.schemas"),
    ("Replog capture (publisher, headers, schema tracking, converters)", r"dev\.replog\.capture"),
    ("Replog applier (batching, SQL building)", r"dev\.replog\.applier"),
    ("Debezium pgoutput decoding", r"io\.debezium\.connector\.postgresql\.connection"),
    ("Debezium events (value conversion, Structs, queue, dispatch)", r"io\.debezium"),
    ("Kafka Connect data (Struct, validation)", r"org\.apache\.kafka\.connect"),
    ("Kafka (other)", r"org\.apache\.kafka"),
    ("Jackson", r"com\.fasterxml"),
    ("logging", r"ch\.qos|org\.slf4j"),
]
total = 0
by_tc = collections.Counter()
by_cat = collections.Counter(); by_thread = collections.Counter()
for s in out.split("jdk.ExecutionSample")[1:]:
    m = re.search(r'sampledThread = "([^"]*)"', s)
    thread = re.sub(r'\d+', 'N', m.group(1)) if m else "?"
    frames = re.findall(r'^\s+([\w$.<>/]+)\(', s, re.M)
    total += 1; by_thread[thread] += 1
    stack = "\n".join(frames)
    cat = next((n for n, mk in WHOLE if re.search(mk, stack)), None)
    if cat is None:
        for f in frames:
            cat = next((n for n, mk in TOP if re.match(mk, f)), None)
            if cat: break
    by_cat[cat or "JDK only"] += 1
    by_tc[(thread, cat or "JDK only")] += 1
print(f"{jfr}: {total} samples")
for k, v in by_thread.most_common(6):
    print(f"  thread {k}: {v} ({100*v/total:.1f}%)")
for k, v in by_cat.most_common():
    print(f"  {k}: {v} ({100*v/total:.1f}%)")
for t, _ in by_thread.most_common(2):
    print(f"  -- {t}")
    for (tt, c), v in sorted(by_tc.items(), key=lambda x: -x[1]):
        if tt == t and v * 100 / total >= 1:
            print(f"     {c}: {v} ({100*v/total:.1f}% of all)")
