#!/usr/bin/env bash
# make bench: the effect of [ml] on receive->publish latency.  The real system
# (mpsim at 5x -> feedd -> bookd -> routerd -> nats-server) runs twice in the
# same bench: [ml] enabled = false (the baseline), then every feature group
# (the scalar features, ml_images on full and snapshot books, ml_flow on every
# delta).  Each run measures for BENCH_ML_SECONDS (default 40) after all four
# books are synced; the figures are mpctl's receive->publish percentiles
# (/health requirements.latency_receive_to_publish_ms) since start.
# One JSON line per run.
if [ "${1:-}" != --one ]; then
	for mode in off on; do bash "$0" --one "$mode" || exit 1; done
	exit 0
fi
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../mpctl/lib_system.sh"
sys_require bench_ml_latency
sys_config 5
if [ "$2" = on ]; then
	printf '[ml]\nenabled = true\nfeatures = all,heatmap,depth_image,delta_flow\n' >>"$CONF"
else
	printf '[ml]\nenabled = false\n' >>"$CONF"
fi
sys_start || { echo "{\"bench\":\"ml_latency\",\"ml\":\"$2\",\"error\":\"start failed\"}"; exit 1; }
wait_for 90 sys_books_synced 1000 || { echo "{\"bench\":\"ml_latency\",\"ml\":\"$2\",\"error\":\"not synced\"}"; sys_stop; exit 1; }
# a measuring window, not a wait for a condition
sleep "${BENCH_ML_SECONDS:-40}"
sys_health '
q = d["requirements"]["latency_receive_to_publish_ms"]
print(json.dumps({"bench": "ml_latency", "ml": sys.argv[1], "features": sys.argv[2],
                  "receive_to_publish_ms": {k: q[k] for k in ("p50", "p95", "p99")}, "count": q.get("count"),
                  "seconds": int(sys.argv[3]), "mpsim_rate": 5}))' "$2" "$([ "$2" = on ] && echo all,heatmap,depth_image,delta_flow || echo none)" "${BENCH_ML_SECONDS:-40}"
sys_stop
