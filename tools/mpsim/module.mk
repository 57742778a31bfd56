# tools/mpsim/: the exchange simulator (Binance spot + OKX v5 over loopback).
MPSIM_SRCS := $(addprefix tools/mpsim/,main.c buf.c market.c http.c route.c ctl.c emit.c fault.c binance.c okx.c)
$(eval $(call prog,mpsim,$(MPSIM_SRCS),libuv jansson libcrypto))
