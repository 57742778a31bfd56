# tools/mpsub/: the reference JetStream consumer (rebuilds and verifies books).
# Links routerd's NATS glue and route table and bookd's book engine.
MPSUB_SRCS := tools/mpsub/main.c tools/mpsub/verify.c tools/mpsub/vparse.c routerd/natsc.c routerd/route.c routerd/enc.c routerd/enc_market.c $(ROUTERD_ML_SRCS) $(BOOK_ENGINE_SRCS)
$(eval $(call prog,mpsub,$(MPSUB_SRCS),libnats jansson inih))
$(OBJ)/tools/mpsub/%.o: CFLAGS += -Ibookd -Irouterd
