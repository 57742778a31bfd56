# tools/mpctl: the launcher/supervisor (see tools/mpctl/README.md).
# The NATS client options (servers, credentials, TLS) are routerd's (routerd/natsc.h).
MPCTL_SRCS := $(addprefix tools/mpctl/,main.c setup.c sup.c procs.c collect.c collect_find.c report.c alerts.c http.c http_req.c natsmon.c heat.c client.c page.c series.c loss.c criteria.c diskprobe.c) \
    routerd/natsc.c routerd/route.c routerd/enc.c routerd/enc_market.c $(ROUTERD_ML_SRCS)
$(eval $(call prog,mpctl,$(MPCTL_SRCS),jansson libnats inih))
$(OBJ)/tools/mpctl/natsmon.o: CFLAGS += -Irouterd

# The page is assembled into page.o with .incbin: rebuild it when the HTML changes.
$(OBJ)/tools/mpctl/page.o: tools/mpctl/page.html
