# tools/mpreplay: raw captures -> feedd's parser -> bookd's book code, offline.
$(eval $(call prog,mpreplay,tools/mpreplay/main.c $(BOOKD_LIB_SRCS) $(FEEDD_PARSE_SRCS) $(STORE_WRITE_SRCS),inih jansson libzstd))
