# tools/mpsim/: the exchange simulator (Binance spot, USD-M, COIN-M, OKX v5, Bybit v5, Deribit over loopback).
MPSIM_LIB_SRCS := $(addprefix tools/mpsim/,setup.c buf.c market.c http.c route.c ctl.c emit.c fault.c binance.c binance_fut.c deriv.c okx.c okx_market.c bybit.c deribit.c deribit_ref.c tls.c replay.c venues.c)
MPSIM_SRCS := tools/mpsim/main.c $(MPSIM_LIB_SRCS)
$(eval $(call prog,mpsim,$(MPSIM_SRCS),libuv jansson libssl libcrypto libzstd))
