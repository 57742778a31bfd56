# tools/mpflow/: the flow-trend predictor (example JetStream consumer).
# Links routerd's NATS glue and route table (stream names, subjects).
$(eval $(call prog,mpflow,tools/mpflow/main.c tools/mpflow/flow.c routerd/natsc.c routerd/route.c routerd/enc.c routerd/enc_market.c $(ROUTERD_ML_SRCS),libnats jansson inih))
