# feedd/: exchange connectivity (one process per venue) and the frame parsers.
# The parsers (feedd/parse*.c) are also linked by tools (mpreplay) and tests.
FEEDD_PARSE_SRCS := feedd/parse.c feedd/parse_build.c feedd/parse_scan.c feedd/parse_json.c \
	feedd/parse_binance.c feedd/parse_okx.c feedd/parse_okx_market.c feedd/sub_okx_market.c
FEEDD_SRCS := feedd/main.c feedd/ws.c feedd/rest.c feedd/ctl.c feedd/out.c feedd/venue.c \
	feedd/budget.c feedd/backoff.c $(FEEDD_PARSE_SRCS)
$(eval $(call prog,feedd,$(FEEDD_SRCS),libuv libwebsockets libcurl jansson inih))
