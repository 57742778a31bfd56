# tools/mpstore: list, verify and print the local store (reader library in stored/).
$(eval $(call prog,mpstore,tools/mpstore/main.c $(STORE_READ_SRCS),libzstd inih))
