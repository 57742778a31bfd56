# feedd/: exchange connectivity (one process per venue) and the frame parsers.
# The parsers (feedd/parse*.c) are also linked by tools (mpreplay) and tests.
FEEDD_PARSE_SRCS := $(wildcard feedd/parse*.c)
FEEDD_SRCS := feedd/main.c feedd/ws.c feedd/rest.c feedd/ctl.c feedd/out.c feedd/meta.c $(wildcard feedd/venue*.c) \
	feedd/budget.c feedd/backoff.c $(FEEDD_PARSE_SRCS)
$(eval $(call prog,feedd,$(FEEDD_SRCS),libuv libwebsockets libcurl jansson inih))
