#!/usr/bin/env bash
# Defects of ../shared/RELIABILITY-FINDINGS.md as black-box CLI checks against one checkout's bin/sn11.mjs
# (built: `node build.mjs --bundle`), so an old and a new build can be compared side by side:
#   bash scripts/reliability-blackbox.sh /path/to/checkout
# Needs python3 and a free port 18556. An old build may spin under /proc: the 10 s limit reports 124/137.
S="node $1/bin/sn11.mjs"
export HOME=$(mktemp -d)
out() { printf '%-58s %s\n' "$1" "$2"; }
# 1: 20 simultaneous starts on a fresh data dir
d=$(mktemp -d)/fresh; fails=0
for i in $(seq 20); do (SN11_DATA_DIR=$d $S score --list >/dev/null 2>&1 || echo x >> $d.fail) & done; wait
out "1 migration race (20 starts, fresh dir)" "$( [ -f $d.fail ] && echo "$(wc -l < $d.fail) failed" || echo "20/20 ok")"
# 9: garbage / truncated store, data dir is a file
d=$(mktemp -d); head -c 5000 /dev/urandom > $d/sn11.db; SN11_DATA_DIR=$d $S score --list >/dev/null 2>&1; out "9 garbage sn11.db" "exit $?"
f=$(mktemp); SN11_DATA_DIR=$f $S score --list >/dev/null 2>&1; out "9 data dir is a file" "exit $?"
# 10: data dir under /proc
timeout -s KILL 10 env SN11_DATA_DIR=/proc/1/nope $S score --list >/dev/null 2>&1; out "10 SN11_DATA_DIR=/proc/1/nope (10 s limit)" "exit $?"
# 12: a hostile commitment in a snapshot table; 13: a 10 MB one
python3 - "$1" <<'PY2'
import json,sys
d=json.load(open(sys.argv[1]+'/examples/demo-step.json'))
p=d['commitments'][0]['data'].split(':'); p[0]='ev\x1b]0;pwned\x07\x1b[31mil'; d['commitments'][0]['data']=':'.join(p)
json.dump(d,open('/tmp/hostile-step.json','w'))
q=d['commitments'][1]['data'].split(':'); q[1]='x'*(10*1024*1024); d['commitments'][1]['data']=':'.join(q)
d['commitments'][0]['data']=json.load(open(sys.argv[1]+'/examples/demo-step.json'))['commitments'][0]['data']
json.dump(d,open('/tmp/huge-step.json','w'))
PY2
esc=$(SN11_DATA_DIR=$(mktemp -d) $S weights --snapshot /tmp/hostile-step.json --no-record 2>/dev/null | tr -cd '\033\007' | wc -c)
out "12 hostile commitment in the snapshot table" "$esc raw ESC/BEL bytes on stdout"
SN11_DATA_DIR=$(mktemp -d) $S weights --snapshot /tmp/huge-step.json --no-record >/dev/null 2>&1; out "13 10 MB commitment in the snapshot table" "exit $?"
# 15: bounds and JSON usage errors
SN11_DATA_DIR=$(mktemp -d) $S score x.gguf --chat-template chatml --max-tokens 1000000000000 --judge-url http://127.0.0.1:9/v1 >/dev/null 2>&1; out "15 --max-tokens 1e12" "exit $?"
j=$(SN11_DATA_DIR=$(mktemp -d) $S --json score --frobnicate 2>&1 >/dev/null | head -1); out "15 --json score --frobnicate" "$(echo "$j" | head -c 60)"
# 8: dataset API answering garbage
node -e 'require("http").createServer((q,r)=>{r.writeHead(200);r.end("<html>garbage</html>")}).listen(18556,"127.0.0.1")' & srv=$!; sleep 0.4
SN11_DATASET_API_URL=http://127.0.0.1:18556/d SN11_DATA_DIR=$(mktemp -d) $S validate --once --offline --engine embedded --dataset api --judge-url http://127.0.0.1:18556/v1 --network ws://127.0.0.1:1 >/dev/null 2>&1; out "8 dataset API garbage body (validate preflight)" "exit $?"
kill $srv
