# tools/mpctl: the launcher/supervisor (see tools/mpctl/README.md).
MPCTL_SRCS := $(addprefix tools/mpctl/,main.c setup.c sup.c procs.c collect.c report.c alerts.c http.c natsmon.c client.c page.c series.c loss.c criteria.c diskprobe.c)
$(eval $(call prog,mpctl,$(MPCTL_SRCS),jansson libnats inih))

# The page is assembled into page.o with .incbin: rebuild it when the HTML changes.
$(OBJ)/tools/mpctl/page.o: tools/mpctl/page.html
