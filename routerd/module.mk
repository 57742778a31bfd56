# routerd/: book.router ring -> NATS JetStream (see routerd/README.md).
#   routerd/enc.c route.c      records -> subjects, Msg-Ids and JSON (no NATS dependency)
#   routerd/natsc.c pub.c      connection, streams, bounded async publishing
#   routerd/lat.c              per-stage latency histograms (receive -> ack)
#   routerd/mlfeat.c           book features for ml_features (also linked by mpexport)
# mpsub and the benchmarks link these objects.
ROUTERD_LIB_SRCS := routerd/enc.c routerd/route.c routerd/mlfeat.c routerd/natsc.c routerd/pub.c routerd/lat.c
ROUTERD_ENC_SRCS := routerd/enc.c routerd/route.c routerd/mlfeat.c

$(eval $(call prog,routerd,$(ROUTERD_LIB_SRCS) routerd/main.c,libnats inih))
