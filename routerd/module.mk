# routerd/: book.router ring -> NATS JetStream (see routerd/README.md).
#   routerd/enc.c route.c      records -> subjects, Msg-Ids and JSON (no NATS dependency)
#   routerd/enc_market.c       REC_MARKET -> funding_rate / open_interest / mark_price / liquidation
#   routerd/natsc.c pub.c      connection, streams, bounded async publishing
#   routerd/kick.c             writes a drained batch at once (between the flusher and send_asap)
#   routerd/lat.c              per-stage latency histograms (receive -> ack)
#   routerd/ml*.c              the feature library: book features, images, delta flows,
#                              market-data features, basis against spot books (also linked by mpexport)
# mpsub and the benchmarks link these objects.
ROUTERD_ML_SRCS := routerd/mlfeat.c routerd/mlimg.c routerd/mlflow.c routerd/mlmkt.c routerd/mlbasis.c
ROUTERD_LIB_SRCS := routerd/enc.c routerd/enc_market.c routerd/route.c $(ROUTERD_ML_SRCS) routerd/natsc.c routerd/pub.c routerd/kick.c routerd/lat.c
ROUTERD_ENC_SRCS := routerd/enc.c routerd/enc_market.c routerd/route.c $(ROUTERD_ML_SRCS)

# routerd/mlive.c keeps book replicas for the live delta flows with bookd's engine
$(eval $(call prog,routerd,$(ROUTERD_LIB_SRCS) routerd/mlive.c $(BOOK_ENGINE_SRCS) routerd/main.c,libnats inih))
